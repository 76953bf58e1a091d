// The web host stops under an open page (its terminal closed, Ctrl+C): the page says so at once,
// with the fix, instead of waiting forever; a call made afterwards fails in place with the same
// NOT_CONNECTED error, and the page itself throws nothing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDemo } from '../../src/main/demo';
import { DEMO_DIR, ROOT, shot, useApp, waitForRecording } from './harness';

describe('web host lost', () => {
  const app = useApp({ prepare: async () => { await ensureDemo('spikes', DEMO_DIR); } });

  it('shows a banner with the fix when the host stops, and later calls fail in place instead of hanging', async () => {
    const { page } = app;
    await app.open();
    await waitForRecording(page, 'openephys');
    expect(await page.getByTestId('connect-error').count()).toBe(0);

    await app.host.stop();
    const banner = page.getByTestId('connect-error');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/connection to the SpikeDesk web host was lost.*npm run serve/);
    expect(await page.getByTestId('recording-title').textContent()).toBe('Not connected');

    // Opening a file needs the backend: the error shows where the user asked, within seconds.
    const file = path.join(ROOT, '.tmp', 'e2e-host-lost', 'any.dat');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(64));
    await page.getByTestId('open-path').fill(file);
    await page.getByTestId('open-button').click();
    const box = page.getByTestId('open-error');
    await box.waitFor({ timeout: 10_000 });
    expect(await box.textContent()).toMatch(/NOT_CONNECTED.*connection to the SpikeDesk web host was lost/);
    await shot(page, 'host-lost');
    expect(app.errors).toEqual([]);
  });
});
