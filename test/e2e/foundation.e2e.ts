// Foundation end to end: open the demo, filter every channel with 2 workers, see one progress
// bar per worker reach 100 %, screenshot.
import { describe, expect, it } from 'vitest';
import { reportText, shot, useApp } from './harness';

describe('foundation: demo -> filter on 2 workers', () => {
  const app = useApp();

  it('shows the demo traces and one finished bar per worker', async () => {
    const { page } = app;
    await app.openDemo();
    await page.getByLabel('jobs').fill('2');
    await page.getByTestId('run-filter').click();
    await page.getByTestId('run-report').waitFor({ timeout: 120_000 });
    const bars = page.getByTestId('worker-bar');
    expect(await bars.count()).toBe(2);
    for (let i = 0; i < 2; i++) expect(await bars.nth(i).getAttribute('data-percent')).toBe('100');
    await expect.poll(() => reportText(page)).toContain('done');
    await shot(page, 'e2e-foundation');
    expect(app.errors).toEqual([]);
  });
});
