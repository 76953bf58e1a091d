// Foundation end to end: open the demo, filter every channel with 2 workers, see one progress
// bar per worker reach 100 %, the run status count its overall percent up, screenshot.
import { describe, expect, it } from 'vitest';
import { reportText, shot, useApp } from './harness';

describe('foundation: demo -> filter on 2 workers', () => {
  const app = useApp();

  it('shows the demo traces and one finished bar per worker', async () => {
    const { page } = app;
    await app.openDemo();
    await page.getByLabel('jobs').fill('2');
    // The run status gives the run's overall percent while it runs (work done weighted by stage,
    // not only whole channels): record every value it shows.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { runPercents: string[] }).runPercents = seen;
      new MutationObserver(() => {
        const p = document.querySelector('[data-testid="run-status"]')?.getAttribute('data-percent');
        if (p != null && seen[seen.length - 1] !== p) seen.push(p);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByTestId('run-filter').click();
    await page.getByTestId('run-report').waitFor({ timeout: 120_000 });
    const percents = (await page.evaluate(() => (window as unknown as { runPercents: string[] }).runPercents)).map(Number);
    expect(percents.length).toBeGreaterThan(0);
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]);
    expect(percents.every((p) => p >= 0 && p <= 100)).toBe(true);
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toMatch(/^done · (\d+)\/\1 channels/);
    // The traces switch from raw to the filtered result the run was for.
    expect(await page.getByLabel('Trace data').inputValue()).toBe('filtered');
    const bars = page.getByTestId('worker-bar');
    expect(await bars.count()).toBe(2);
    for (let i = 0; i < 2; i++) expect(await bars.nth(i).getAttribute('data-percent')).toBe('100');
    await expect.poll(() => reportText(page)).toContain('done');
    await shot(page, 'e2e-foundation');
    expect(app.errors).toEqual([]);
  });
});
