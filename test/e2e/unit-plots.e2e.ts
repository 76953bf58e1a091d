// The small plots (#15 friction): waveforms, ISI, correlograms, amplitude and rate in the unit view
// are plotly plots with axis titles, ticks on both axes, hover values and a log y switch for counts.
// Screenshot: test-results/unit-plots.png (1280x800).
import { describe, expect, it } from 'vitest';
import { runAndWait, shot, useApp } from './harness';

describe('unit plots', () => {
  const app = useApp();

  it('draws the unit plots with plotly: axis titles, y ticks, hover values and a log switch', async () => {
    const { page } = app;
    await app.openDemo();
    await runAndWait(page, '0-3', /sort · done/);
    await page.locator('[data-testid="unit-row"]').first().click();
    const isi = page.locator('[data-testid="plot-isi"] .main-svg').first();
    await isi.waitFor({ timeout: 60_000 });
    for (const id of ['plot-waveforms', 'plot-isi', 'plot-acg', 'plot-amplitude', 'plot-rate']) {
      const el = page.getByTestId(id);
      // Ticks on the y axis (more than the old min/max) and the axis titles.
      await expect.poll(async () => el.locator('.ytick').count(), { timeout: 30_000 }).toBeGreaterThan(2);
      expect(await el.locator('.xtitle').textContent()).not.toBe('');
      expect(await el.locator('.ytitle').textContent()).not.toBe('');
    }
    expect(await page.getByTestId('plot-isi').locator('.ytitle').textContent()).toBe('spikes');
    // Hover shows values.
    const box = (await page.getByTestId('plot-rate').locator('.nsewdrag').first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(async () => page.getByTestId('plot-rate').locator('.hovertext').count(), { timeout: 5000 }).toBeGreaterThan(0);
    // Log y axis for counts.
    await page.getByTestId('plot-isi-log').check();
    await expect.poll(async () => page.evaluate(() => (document.querySelector('[data-testid="plot-isi"]') as HTMLElement & { _fullLayout?: { yaxis: { type: string } } })._fullLayout?.yaxis.type)).toBe('log');
    await page.mouse.move(5, 5);
    await shot(page, 'unit-plots', 300);
    expect(app.errors).toEqual([]);
  });
});
