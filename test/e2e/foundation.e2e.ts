// Foundation end to end: open the demo, filter every channel with 2 workers, see one progress
// bar per worker reach 100 %, screenshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, shot, startHost, type Host } from './harness';

describe('foundation: demo -> filter on 2 workers', () => {
  let host: Host;
  let browser: Browser;
  beforeAll(async () => {
    host = await startHost(['--jobs', '2']);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('shows the demo traces and one finished bar per worker', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.getByTestId('recording-title').filter({ hasText: '32 ch' }).waitFor({ timeout: 180_000 });
    await page.getByTestId('trace-canvas').waitFor();
    await page.getByLabel('jobs').fill('2');
    await page.getByTestId('run-filter').click();
    await page.getByTestId('run-report').waitFor({ timeout: 120_000 });
    const bars = page.getByTestId('worker-bar');
    expect(await bars.count()).toBe(2);
    for (let i = 0; i < 2; i++) expect(await bars.nth(i).getAttribute('data-percent')).toBe('100');
    await expect.poll(async () => (await page.getByTestId('run-report').textContent()) ?? '').toContain('done');
    await shot(page, 'e2e-foundation');
    expect(errors).toEqual([]);
  });
});
