// Export from the app's menu (web UI menu bar, the same actions as Electron's File menu):
// spike demo -> sort 4 channels -> File > Export Sorted Units > Phy / NWB / blech / CSV, an
// existing target asks before replacing; EEG demo -> correct -> Export Corrected > EDF+ / BrainVision.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ROOT, runAndWait, shot, useApp, waitForRecording } from './harness';

const OUT = path.join(ROOT, '.tmp', 'e2e-exports');

async function exportVia(page: Page, testId: string, target: string): Promise<string> {
  await page.getByTestId('menu-file').click();
  await page.getByTestId(testId).click();
  await page.getByTestId('export-path').fill(target);
  await page.getByTestId('export-go').click();
  await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
  const text = (await page.getByTestId('export-result').textContent()) ?? '';
  await page.getByTestId('toast-close').click();
  return text;
}

describe('export from the menu', () => {
  const app = useApp({
    prepare: () => {
      fs.rmSync(OUT, { recursive: true, force: true });
      fs.mkdirSync(OUT, { recursive: true });
    },
  });

  it('exports sorted units in every format and asks before replacing', async () => {
    const { page } = app;
    await app.openDemo();
    await runAndWait(page, '0-3', /sort · done/);
    await page.getByTestId('unit-row').first().waitFor({ timeout: 30_000 });

    const phy = path.join(OUT, 'phy');
    expect(await exportVia(page, 'menu-export-phy', phy)).toMatch(/units/);
    for (const f of ['params.py', 'spike_times.npy', 'spike_clusters.npy', 'cluster_group.tsv', 'provenance.json']) expect(fs.existsSync(path.join(phy, f))).toBe(true);
    expect(await exportVia(page, 'menu-export-nwb', path.join(OUT, 'units.nwb'))).toMatch(/units/);
    expect(fs.readFileSync(path.join(OUT, 'units.nwb')).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(await exportVia(page, 'menu-export-blech', path.join(OUT, 'blech.h5'))).toMatch(/units/);
    expect(await exportVia(page, 'menu-export-csv', path.join(OUT, 'csv'))).toMatch(/units/);
    expect(fs.readFileSync(path.join(OUT, 'csv', 'units.tsv'), 'utf8').split('\n')[0]).toMatch(/unit/);

    // Exporting onto an existing target asks; Replace overwrites.
    const mtime = fs.statSync(path.join(phy, 'spike_times.npy')).mtimeMs;
    await page.getByTestId('menu-file').click();
    await page.getByTestId('menu-export-phy').click();
    await page.getByTestId('export-path').fill(phy);
    await page.getByTestId('export-go').click();
    await page.getByTestId('export-exists').waitFor();
    expect(fs.statSync(path.join(phy, 'spike_times.npy')).mtimeMs).toBe(mtime);
    await shot(page, 'e2e-export-confirm');
    await page.getByTestId('export-replace').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    await page.getByTestId('toast-close').click();

    // A path outside the allowed folders is refused with a readable error.
    await page.getByTestId('menu-file').click();
    await page.getByTestId('menu-export-csv').click();
    await page.getByTestId('export-path').fill('/etc/spikedesk-not-allowed');
    await page.getByTestId('export-go').click();
    await expect.poll(async () => (await page.getByTestId('export-error').textContent().catch(() => '')) ?? '').toMatch(/PATH_NOT_ALLOWED/);
    await page.getByTestId('export-cancel').click();
  });

  it('exports the corrected recording as EDF+ and BrainVision', async () => {
    const { page } = app;
    await page.getByTestId('menu-file').click();
    await page.getByTestId('menu-demo-eeg').click();
    await waitForRecording(page, 'brainvision');
    await runAndWait(page, '0-1', /correct · done/);
    expect(await exportVia(page, 'menu-export-edf', path.join(OUT, 'corrected.edf'))).toMatch(/2 channels/);
    expect(await exportVia(page, 'menu-export-brainvision', path.join(OUT, 'corrected.vhdr'))).toMatch(/2 channels/);
    expect(fs.existsSync(path.join(OUT, 'corrected.eeg'))).toBe(true);
    await page.getByTestId('menu-file').click();
    await page.getByTestId('menu-export-batch-csv').waitFor();
    // Only the demos were opened, and the host's settings folder is its own: no other checkout's files.
    expect(await page.getByTestId('menu-recent-none').count()).toBe(1);
    await shot(page, 'e2e-export-menu');
  });
});
