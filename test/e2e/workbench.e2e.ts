// Workbench end to end in Chromium over the web host: spike demo -> sort channels 0-7 -> select ->
// merge two -> undo -> lasso split (a real mouse lasso on the plot; the test hook drives the same
// handler if the headless plot cannot take the drag) -> label good -> reload -> curation still
// there; EEG demo -> correction -> before/after shown; a bad file -> a readable error in place.
// Screenshots of each main view go to test-results/ (1280x800); scripts/refresh-screenshots.mjs
// copies them into docs/screenshots on purpose. At 1280x800 (#15 friction) the worker bars and the
// run report are on screen with their MB figures whole, the units table needs no sideways scroll,
// a merged unit's row is scrolled into view, plotly's toolbar leaves the legend free and no lasso
// outline stays after a split; on the EEG demo the first window shows artifacts, there is no spike
// switch, raw behind keeps the corrected trace's own scale, and the metrics say what they mean.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { colourPixels, cutOff, inViewport, ROOT, shot, useApp, waitForRecording, waitForReport } from './harness';

/** The renderer's test hook (src/renderer/views/ClusterView.tsx). */
interface TestHook {
  lasso(polygon: [number, number][]): Promise<void>;
  features(): { clusters: Int32Array; features: Float32Array; nFeat: number } | null;
}

async function rowIds(page: Page): Promise<number[]> {
  return page.getByTestId('unit-row').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.id)));
}

/** Rows of the units table on one channel, as [id, n spikes]. */
async function channelRows(page: Page, ch: string): Promise<[number, number][]> {
  return page.getByTestId('unit-row').evaluateAll((rows, name) => rows
    .filter((r) => r.children[1]?.textContent === name)
    .map((r) => [Number((r as HTMLElement).dataset.id), Number((r as HTMLElement).dataset.n)] as [number, number]), ch);
}

describe('workbench: sort, curate, reload; correct; bad file', () => {
  const app = useApp();

  it('sorts, merges, undoes, splits with a lasso, labels, and keeps the curation over a reload', async () => {
    const { page } = app;
    await app.openDemo();
    // The first estimate measures this machine on slices of the recording (cached afterwards).
    await expect.poll(async () => (await page.getByTestId('est-fast').textContent()) ?? '', { timeout: 120_000, interval: 500 }).toMatch(/MB/);
    await shot(page, 'traces', 300);
    const allChannels = /~([\d.]+) (s|min)$/.exec((await page.getByTestId('est-fast').textContent()) ?? '');
    expect(allChannels).not.toBeNull();
    const secondsOf = (m: RegExpExecArray): number => Number(m[1]) * (m[2] === 'min' ? 60 : 1);

    // Run at once after changing the channels (before the new estimate is in): the report must not
    // compare the run with the estimate of all 32 channels.
    await page.getByTestId('channels').fill('0-7');
    await page.getByTestId('run-start').click();
    await page.getByTestId('worker-bar').first().waitFor({ timeout: 30_000 });
    await shot(page, 'layout-worker-bars');
    expect.soft(await inViewport(page, '[data-testid="worker-bars"]'), 'worker bars on screen').toBe(true);
    expect.soft(await cutOff(page, '.wb-text'), 'worker MB figures whole').toEqual([]);
    // The web host's workers are threads of one process: its memory is said once, not per worker.
    expect(await page.getByTestId('worker-memory').textContent()).toMatch(/^memory \d+ MB \(one process, shared by the workers\)$/);
    expect(await page.getByTestId('worker-bar').first().textContent()).not.toMatch(/MB/);
    await waitForReport(page, /sort · done/);
    expect(await page.getByTestId('run-report').textContent()).toMatch(/peak \d+ MB for the whole process \(its workers are threads\)/);
    // The run's stages are in the cache now: the estimate is asked for again when a run finishes (it
    // kept showing the time of the run just made, until a field changed).
    await expect.poll(async () => (await page.getByTestId('est-fast').textContent()) ?? '', { timeout: 30_000 }).toMatch(/^~\d+ MB · cached$/);
    await page.getByTestId('unit-row').first().waitFor({ timeout: 30_000 });
    expect.soft(await inViewport(page, '[data-testid="run-report"]'), 'run report on screen').toBe(true);
    expect.soft(await cutOff(page, '.wb-text, [data-testid="est-fast"], [data-testid="est-low"]'), 'MB figures whole').toEqual([]);
    expect.soft(await page.locator('.units .table-scroll').evaluate((el) => el.scrollWidth - el.clientWidth), 'no sideways scroll in the units table').toBeLessThanOrEqual(0);
    await shot(page, 'layout-report');
    const vs = (await page.getByTestId('est-vs-actual').textContent()) ?? '';
    const eight = /^estimated ~([\d.]+) (s|min)/.exec(vs);
    expect(eight, vs).not.toBeNull();
    console.log(`estimate of 32 channels ${allChannels![0]}; report of the 8-channel run: ${vs}`);
    expect(secondsOf(eight!)).toBeLessThan(0.5 * secondsOf(allChannels!));
    const before = await rowIds(page);
    // The demo's channels 0-7 hold 10 true units on 5 channels, 7 of them above the detection
    // threshold; channels 2, 3 and 7 have none, and their few threshold crossings are no unit.
    expect(before.length).toBeGreaterThanOrEqual(6);
    const sizes = (await page.getByTestId('unit-row').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.n))));
    expect(Math.min(...sizes), 'no unit of a handful of spikes (minUnitSpikes)').toBeGreaterThanOrEqual(10);

    // Merge the two largest units of CH1.
    const ch1 = (await channelRows(page, 'CH1')).sort((a, b) => b[1] - a[1]);
    expect(ch1.length).toBeGreaterThanOrEqual(2);
    await page.locator(`[data-testid="unit-row"][data-id="${ch1[0][0]}"]`).click();
    await page.locator(`[data-testid="unit-row"][data-id="${ch1[1][0]}"]`).click({ modifiers: ['Control'] });
    await page.getByTestId('plot-ccg').waitFor();
    await page.getByTestId('merge').click();
    await expect.poll(async () => (await page.getByTestId('last-action').textContent()) ?? '').toContain('merge');
    const merged = await rowIds(page);
    expect(merged.length).toBe(before.length - 1);
    const newId = Math.max(...merged);
    expect(before).not.toContain(newId);
    // The merged unit (a new id, at the end of the id order) is scrolled into view and selected.
    await expect.poll(() => page.locator(`[data-testid="unit-row"][data-id="${newId}"]`).evaluate((row) => {
      const box = row.closest('.table-scroll')!.getBoundingClientRect(), r = row.getBoundingClientRect();
      return r.top >= box.top - 1 && r.bottom <= box.bottom + 1 && r.bottom <= window.innerHeight;
    }), { timeout: 5000 }).toBe(true);
    await shot(page, 'layout-merged', 300);

    // Undo with the keyboard.
    await page.locator('body').press('Control+z');
    await expect.poll(async () => (await page.getByTestId('last-action').textContent()) ?? '').toContain('undo');
    expect((await rowIds(page)).sort((a, b) => a - b)).toEqual([...before].sort((a, b) => a - b));

    // Merge candidates: the units most similar to the selected one, on its channel; N steps through
    // them (the pair's waveforms overlaid, their cross-correlogram), a click picks one.
    await page.locator(`[data-testid="unit-row"][data-id="${ch1[0][0]}"]`).click();
    await expect.poll(async () => page.getByTestId('similar-unit').count()).toBe(ch1.length - 1);
    const similar = await page.getByTestId('similar-unit').evaluateAll((b) => b.map((e) => Number((e as HTMLElement).dataset.id)));
    expect([...similar].sort((a, b) => a - b)).toEqual(ch1.slice(1).map((r) => r[0]).sort((a, b) => a - b));
    const scores = await page.getByTestId('similar-unit').evaluateAll((b) => b.map((e) => Number(/ (-?[\d.]+)$/.exec(e.textContent ?? '')![1])));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await page.locator('body').press('n');
    await expect.poll(async () => (await page.getByTestId('selection').textContent()) ?? '').toBe(`selected: #${ch1[0][0]}, #${similar[0]}`);
    await expect.poll(async () => (await page.getByTestId('plot-ccg').textContent()) ?? '').toContain(`Cross-correlogram #${ch1[0][0]} → #${similar[0]}`);
    await expect.poll(async () => (await page.getByTestId('plot-waveforms').textContent()) ?? '').toContain(`#${similar[0]} mean (dashed)`);
    await shot(page, 'similar', 300);
    await page.locator('body').press('n');
    await expect.poll(async () => (await page.getByTestId('selection').textContent()) ?? '').toBe(`selected: #${ch1[0][0]}, #${similar[1 % similar.length]}`);
    await page.locator('body').press('Shift+N');
    await expect.poll(async () => (await page.getByTestId('selection').textContent()) ?? '').toBe(`selected: #${ch1[0][0]}, #${similar[0]}`);
    await page.locator(`[data-testid="similar-unit"][data-id="${similar[similar.length - 1]}"]`).click();
    await expect.poll(async () => (await page.getByTestId('selection').textContent()) ?? '').toBe(`selected: #${ch1[0][0]}, #${similar[similar.length - 1]}`);
    // Stepping on and on redraws the unit plots each time: no WebGL context may pile up (Chromium
    // keeps 16 and drops the oldest, the cluster scatter's: it went blank after such a walk).
    const lost: string[] = [];
    page.on('console', (m) => { if (/too many active webgl contexts/i.test(m.text())) lost.push(m.text()); });
    for (let i = 0; i < 24; i++) {
      await page.locator('body').press('n');
      await expect.poll(async () => page.getByTestId('plot-ccg').textContent()).toContain(`#${similar[(i + similar.length) % similar.length]}`);
    }
    expect(lost, 'WebGL contexts dropped while stepping through similar units').toEqual([]);
    const scatterColour = await page.locator(`[data-testid="unit-row"][data-id="${ch1[0][0]}"] .swatch`).evaluate((e) => getComputedStyle(e).backgroundColor);
    expect((await colourPixels(page, '[data-testid="scatter"]', [scatterColour]))[0], 'the scatter still draws the unit').toBeGreaterThan(400);

    // Lasso split of the largest CH1 unit: the left half of its points in (PC1, PC2).
    await page.locator(`[data-testid="unit-row"][data-id="${ch1[0][0]}"]`).click();
    await page.locator('[data-testid="scatter"][data-ready="1"]').waitFor({ timeout: 60_000 });
    // plotly's toolbar (shown on hover) leaves the legend free.
    await page.waitForTimeout(1000); // the scatter redraws for the new selection
    await page.getByTestId('scatter').hover({ position: { x: 40, y: 60 } });
    await page.locator('[data-testid="scatter"] .modebar').waitFor({ state: 'visible', timeout: 5000 });
    const overlap = await page.evaluate(() => {
      const el = document.querySelector('[data-testid="scatter"]')!;
      const a = el.querySelector('.modebar')!.getBoundingClientRect(), b = el.querySelector('.legend')!.getBoundingClientRect();
      return Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    });
    await shot(page, 'layout-modebar', 300);
    expect.soft(overlap, 'toolbar over the legend (px²)').toBe(0);
    const target = ch1[0][0];
    const poly = await page.evaluate((id) => {
      const f = (window as unknown as { __spikedeskTest: TestHook }).__spikedeskTest.features()!;
      const xs: number[] = [], ys: number[] = [];
      for (let i = 0; i < f.clusters.length; i++) if (f.clusters[i] === id) { xs.push(f.features[i * f.nFeat]); ys.push(f.features[i * f.nFeat + 1]); }
      const sx = [...xs].sort((a, b) => a - b);
      const mx = sx[Math.floor(sx.length / 2)];
      const y0 = Math.min(...ys) - 1, y1 = Math.max(...ys) + 1, x0 = sx[0] - 1;
      return [[x0, y0], [mx, y0], [mx, y1], [x0, y1]] as [number, number][];
    }, target);
    const nBefore = (await rowIds(page)).length;
    // Real mouse lasso: data -> pixel through plotly's own axis mapping.
    const pts = await page.evaluate((p) => {
      const el = document.querySelector('[data-testid="scatter"]') as HTMLElement & { _fullLayout: { xaxis: { d2p(v: number): number; _offset: number }; yaxis: { d2p(v: number): number; _offset: number } } };
      const r = el.getBoundingClientRect();
      const { xaxis, yaxis } = el._fullLayout;
      return p.map(([x, y]) => [r.left + xaxis._offset + xaxis.d2p(x), r.top + yaxis._offset + yaxis.d2p(y)]);
    }, poly);
    const path: number[][] = [];
    for (let i = 0; i < pts.length; i++) {
      const [a, b] = [pts[i], pts[(i + 1) % pts.length]];
      for (let s = 0; s < 8; s++) path.push([a[0] + ((b[0] - a[0]) * s) / 8, a[1] + ((b[1] - a[1]) * s) / 8]);
    }
    await page.mouse.move(path[0][0], path[0][1]);
    await page.mouse.down();
    for (const [x, y] of path.slice(1)) await page.mouse.move(x, y, { steps: 2 });
    await page.mouse.move(path[0][0], path[0][1], { steps: 2 });
    await page.mouse.up();
    let split = await expect.poll(async () => (await page.getByTestId('last-action').textContent()) ?? '', { timeout: 5000 }).toContain('split').then(() => true, () => false);
    if (!split) {
      console.warn('headless lasso drag did not reach plotly; driving the same handler through the test hook');
      await page.evaluate((p) => (window as unknown as { __spikedeskTest: TestHook }).__spikedeskTest.lasso(p), poly);
      split = true;
    }
    await expect.poll(async () => (await page.getByTestId('last-action').textContent()) ?? '').toContain('split');
    // The lasso outline belonged to the split cluster: it is gone once the plot redraws.
    await expect.poll(() => page.evaluate(() => ((document.querySelector('[data-testid="scatter"]') as unknown as { layout?: { selections?: unknown[] } })?.layout?.selections ?? []).length)).toBe(0);
    await page.mouse.move(5, 5);
    await shot(page, 'layout-split', 500);
    expect.soft(await page.locator('[data-testid="scatter"] .select-outline, [data-testid="scatter"] .selectionlayer path').count(), 'lasso outline after the split').toBe(0);
    const afterSplit = await rowIds(page);
    expect(afterSplit).not.toContain(target);
    expect(afterSplit.length).toBe(nBefore + 1);
    await page.getByTestId('unit-views').waitFor();
    await shot(page, 'sorting', 300);
    // The new clusters are drawn: the scatter holds pixels of each piece's colour. (A WebGL scatter
    // updated in place after a lasso drew none of the new clusters' points.)
    const piecesNow = afterSplit.filter((id) => !before.includes(id));
    const colours = await Promise.all(piecesNow.map((id) => page.locator(`[data-testid="unit-row"][data-id="${id}"] .swatch`).evaluate((e) => getComputedStyle(e).backgroundColor)));
    const drawn = await colourPixels(page, '[data-testid="scatter"]', colours);
    // A legend marker is a few dozen pixels; each piece has more than a thousand points.
    for (const [q, n] of drawn.entries()) expect(n, `pixels of split piece #${piecesNow[q]} (${colours[q]}) in the scatter`).toBeGreaterThan(400);

    // Label one of the new units good, then reload.
    const pieces = afterSplit.filter((id) => !before.includes(id));
    expect(pieces.length).toBe(2);
    await page.locator(`[data-testid="unit-row"][data-id="${pieces[0]}"]`).click();
    await page.getByTestId('label-good').click();
    await expect.poll(async () => page.locator(`[data-testid="unit-row"][data-id="${pieces[0]}"]`).getAttribute('data-label')).toBe('good');

    await page.reload();
    await waitForRecording(page, '32 ch', 60_000);
    await page.getByTestId('tab-sorting').click();
    await page.locator(`[data-testid="unit-row"][data-id="${pieces[0]}"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator(`[data-testid="unit-row"][data-id="${pieces[0]}"]`).getAttribute('data-label')).toBe('good');
    expect((await rowIds(page)).sort((a, b) => a - b)).toEqual([...afterSplit].sort((a, b) => a - b));

    await page.getByTestId('help').click();
    await page.getByTestId('help-overlay').waitFor();
    await shot(page, 'help', 300);
    await page.keyboard.press('Escape');
    await page.getByTestId('theme').click();
    await page.locator(`[data-testid="unit-row"][data-id="${pieces[0]}"]`).click();
    await page.getByTestId('unit-views').waitFor();
    await shot(page, 'sorting-dark', 300);
    await page.getByTestId('theme').click();
    expect(app.errors).toEqual([]);
  });

  it('corrects the EEG-fMRI demo and shows before/after', async () => {
    const { page } = app;
    await page.getByTestId('demo-eeg').click();
    await waitForRecording(page, 'brainvision');
    // The first window shows the scan (the demo's first 10 s are before it), and no spike switch.
    await page.getByTestId('tab-traces').click();
    await page.getByTestId('trace-canvas').waitFor();
    await expect.poll(() => page.getByTestId('trace-legend').textContent(), { timeout: 30_000 }).toMatch(/\d+ trigger\/event marks/);
    expect(Number(/^([\d.]+)/.exec((await page.getByTestId('trace-window').textContent()) ?? '')?.[1])).toBeGreaterThan(5);
    expect(await page.getByTestId('show-spikes').count()).toBe(0);
    await shot(page, 'eeg-first-window', 300);
    await page.getByTestId('wf-correct').click();
    // Started with the run shortcut from the channel field (Ctrl+Enter works while typing a parameter).
    await page.getByTestId('channels').fill('0-3');
    await page.getByTestId('channels').press('Control+Enter');
    await waitForReport(page, /correct · done/);
    await page.getByTestId('correction-view').waitFor({ timeout: 60_000 });
    await page.getByTestId('correction-metrics').waitFor();
    const metrics = (await page.getByTestId('correction-metrics').textContent()) ?? '';
    expect(metrics).toContain('RMS ratio');
    // What each metric means is written next to it, not only in a tooltip.
    expect(await page.getByTestId('metric-note').filter({ hasText: /RMS of the raw .* RMS of the corrected/ }).count()).toBe(1);
    // One trigger count everywhere: the view's head, the report's "used" and the traces' marks agree.
    const head = (await page.getByTestId('correction-triggers').textContent()) ?? '';
    const used = /(\d+) used of (\d+) found/.exec((await page.getByTestId('trigger-report-headline').textContent()) ?? '')!;
    expect(head).toContain(`${used[1]} triggers`);
    expect(head).toContain(`${used[2]} found`);
    // How the template was chosen (held-out error of each candidate, the cross-channel decisions) is shown.
    expect(await page.getByTestId('correction-model').textContent()).toMatch(/Template model: .*held-out error of the \d+ candidates tried/);
    expect(await page.getByTestId('correction-model-candidates').textContent()).toMatch(/: 1\.000/);
    expect(await page.getByTestId('correction-model-lowband').textContent()).toMatch(/^low band across channels: (used|not used): /);
    // The trigger report: the demo's scan lost one slice marker; completion added it back, and a click on
    // it centres the overlay there.
    const headline = page.getByTestId('trigger-report-headline');
    await headline.waitFor();
    expect(await headline.textContent()).toMatch(/1 trigger added/);
    const added = page.locator('[data-testid="trigger-report-row"][data-kind="added"]');
    expect(await added.count()).toBe(1);
    await added.locator('button').click();
    await page.getByTestId('trigger-report-reset').waitFor();
    await page.waitForTimeout(800);
    await shot(page, 'correction', 300);
    await page.getByTestId('tab-traces').click();
    await page.getByLabel('Trace data').selectOption('corrected');
    await page.getByTestId('trace-canvas').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // Raw behind keeps the corrected trace's own scale (raw in the scanner is ~100x larger).
    const rowUv = async (): Promise<string> => /([\d.]+) µV\/row/.exec((await page.getByTestId('trace-window').textContent()) ?? '')?.[1] ?? '';
    await expect.poll(rowUv, { timeout: 30_000 }).not.toBe('');
    const alone = await rowUv();
    await page.getByTestId('raw-behind').check();
    await expect.poll(() => page.getByTestId('trace-legend').textContent(), { timeout: 30_000 }).toMatch(/raw behind \(grey\) at \d+ µV\/row/);
    expect(await rowUv()).toBe(alone);
    await shot(page, 'eeg-raw-behind', 300);
    await page.getByTestId('raw-behind').uncheck();
    expect(app.errors).toEqual([]);
  });

  it('shows a readable error in place for a bad file', async () => {
    const { page } = app;
    const dir = path.join(ROOT, '.tmp', 'e2e-bad');
    fs.mkdirSync(dir, { recursive: true });
    const bad = path.join(dir, 'broken.vhdr');
    fs.writeFileSync(bad, 'this is not a BrainVision header\n');
    await page.getByTestId('open-path').fill(bad);
    await page.getByTestId('open-button').click();
    const box = page.getByTestId('open-error');
    await box.waitFor({ timeout: 30_000 });
    const text = (await box.textContent()) ?? '';
    expect(text).toMatch(/[A-Z_]+: .+/);
    expect(text.length).toBeGreaterThan(20);
    await shot(page, 'bad-file', 300);
    expect(app.errors).toEqual([]);
  });
});
