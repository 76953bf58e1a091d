// A student's first hour in the web UI (issue #15), without preparing folders or typing paths
// the way the older e2e does: a URL without its token (#11), the filtered view before any filter
// run (#10), menu exports to their default paths (#1), consistent shortcut hints (#13), re-running
// a curated sort (#2) and reopening the version it kept, the quality rule's labels, and a raw .dat named on `npm run serve -- FILE` (#12) opened through the
// raw-format dialog and remembered (#4). Screenshots go to test-results/first-hour-*.png
// (scripts/refresh-screenshots.mjs copies them to docs/screenshots/first-hour/).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_DIR, reportText as report, ROOT, runAndWait, shot, useApp, waitForRecording } from './harness';

async function rows(page: Page): Promise<{ id: number; ch: string; n: number; label: string }[]> {
  return page.getByTestId('unit-row').evaluateAll((rs) => rs.map((r) => ({
    id: Number((r as HTMLElement).dataset.id), ch: r.children[1]?.textContent ?? '', n: Number((r as HTMLElement).dataset.n), label: (r as HTMLElement).dataset.label ?? '',
  })));
}

describe('first hour on the spike demo', () => {
  const app = useApp();

  it('#11 a URL without the token says so and where to find it', async () => {
    const { page } = app;
    await app.open({ token: false });
    const box = page.getByTestId('connect-error');
    await box.waitFor({ timeout: 15_000 });
    expect(await box.textContent()).toMatch(/no access token.*npm run serve.*Open: http:\/\/127\.0\.0\.1/);
    expect(await page.getByTestId('recording-title').textContent()).not.toMatch(/Opening/);
  });

  it('#10 the filtered view before any filter run is an empty state with "Filter all channels"', async () => {
    const { page } = app;
    await app.openDemo();
    await page.getByLabel('Trace data').selectOption('filtered');
    await page.getByTestId('no-result').waitFor();
    expect(await page.getByTestId('trace-canvas').count()).toBe(0); // no raw traces under the "filtered" label
    expect(await page.getByRole('alert').count()).toBe(0);
    await shot(page, 'first-hour-after-10');
    await page.getByTestId('empty-filter-all').click();
    await page.getByTestId('trace-canvas').waitFor({ timeout: 200_000 });
    expect(await page.getByTestId('no-result').count()).toBe(0);
    await expect.poll(() => report(page), { timeout: 30_000 }).toMatch(/filter · done/);
    await page.getByLabel('Trace data').selectOption('raw');
  });

  it('#1 every menu export works with its default path (missing folders are created)', async () => {
    const { page } = app;
    await runAndWait(page, '0-3', /sort · done/);
    await page.getByTestId('unit-row').first().waitFor({ timeout: 30_000 });
    const written: string[] = [];
    for (const f of ['phy', 'nwb', 'blech', 'csv']) {
      await page.getByTestId('menu-file').click();
      await page.getByTestId(`menu-export-${f}`).click();
      const target = await page.getByTestId('export-path').inputValue();
      expect(target).toMatch(/\.spikedesk[\\/]exports[\\/]/);
      await page.getByTestId('export-go').click();
      await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
      expect(fs.existsSync(target)).toBe(true);
      written.push(target);
      if (f === 'phy') await shot(page, 'first-hour-after-1');
      await page.getByTestId('toast-close').click();
    }
    expect(fs.existsSync(path.join(written[0], 'params.py'))).toBe(true);
  });

  it('#13 every shortcut in a tooltip is the one the help lists, and it works', async () => {
    const { page } = app;
    await page.getByTestId('tab-sorting').click();
    const titles = await page.locator('button[title], [role="tab"][title]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
    await page.getByTestId('help').click();
    const listed = new Set((await page.locator('[data-testid="help-overlay"] kbd').allTextContents())
      .flatMap((k) => [k, ...k.split(' / ')]));
    await page.keyboard.press('Escape');
    const hinted = titles.map((t) => /\(([^()]+)\)$/.exec(t)?.[1]).filter((k): k is string => !!k)
      .flatMap((k) => k.split(/ or /)).filter((k) => !/wheel|drag/.test(k));
    expect(hinted.length).toBeGreaterThan(8);
    for (const k of hinted) expect(listed, `tooltip key "${k}"`).toContain(k);
    // The label buttons' key does what the tooltip says.
    expect(await page.getByTestId('label-good').getAttribute('title')).toBe('Label good (Alt+G)');
    const first = (await rows(page))[0];
    await page.locator(`[data-testid="unit-row"][data-id="${first.id}"]`).click();
    await page.keyboard.press('Alt+g');
    await expect.poll(async () => page.locator(`[data-testid="unit-row"][data-id="${first.id}"]`).getAttribute('data-label')).toBe('good');
  });

  it('#2 re-running a curated sort asks, keeps a version, refreshes every view and carries labels', async () => {
    const { page } = app;
    const before = await rows(page);
    const good = before.find((r) => r.label === 'good')!;
    const ch2 = before.filter((r) => r.ch === 'CH2').sort((a, b) => b.n - a.n)[0];
    await page.locator(`[data-testid="unit-row"][data-id="${ch2.id}"]`).click();
    await page.getByTestId('label-mua').click();
    await expect.poll(async () => page.locator(`[data-testid="unit-row"][data-id="${ch2.id}"]`).getAttribute('data-label')).toBe('mua');
    // Select a unit so the unit views show it (they must not survive the re-sort).
    await page.locator(`[data-testid="unit-row"][data-id="${good.id}"]`).click();
    await page.getByTestId('unit-views').waitFor();

    await page.getByTestId('channels').fill('0-5');
    // Channels 4-5 were filtered (#10) but never sorted: part of the work is cached.
    await expect.poll(() => page.getByTestId('est-cached').textContent().catch(() => ''), { timeout: 15_000 })
      .toMatch(/^\d+ % of the work is in the cache \(filter\); the times above are for the rest$/);
    await page.getByTestId('run-start').click();
    await page.getByTestId('replace-sort').waitFor();
    await shot(page, 'first-hour-after-2-ask');
    // Cancel leaves everything as it was.
    await page.getByTestId('replace-cancel').click();
    expect(await page.getByTestId('replace-sort').count()).toBe(0);
    expect(await report(page)).toMatch(/sort · done/);
    await page.getByTestId('run-start').click();
    await page.getByTestId('replace-confirm').click();
    await expect.poll(() => page.getByTestId('carried').textContent().catch(() => ''), { timeout: 200_000, interval: 500 }).toMatch(/kept as version/);
    const carried = (await page.getByTestId('carried').textContent()) ?? '';
    expect(carried).toMatch(/labels carried over to \d+ matching units \(.*1 good.*\)|1 good/);
    const after = await rows(page);
    expect(after.some((r) => r.ch === 'CH5' || r.ch === 'CH6')).toBe(true); // the new result is shown
    expect(after.find((r) => r.label === 'good')?.ch).toBe(good.ch);
    expect(after.find((r) => r.label === 'mua')?.ch).toBe('CH2');
    // Stale views are gone: no selection, no old unit in the unit views, undo reflects the new journal.
    expect(await page.getByTestId('selection').textContent()).toMatch(/click a row/);
    expect(await page.getByTestId('unit-views').count()).toBe(0);
    expect(await page.getByTestId('undo').isEnabled()).toBe(true); // the carried labels are undoable actions
    const sessionDirs = fs.readdirSync(DEMO_DIR, { recursive: true, withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name === 'versions');
    expect(sessionDirs.length).toBe(1);
    const kept = fs.readdirSync(path.join(sessionDirs[0].parentPath, 'versions'));
    expect(kept.some((f) => f.endsWith('.json'))).toBe(true);
    expect(kept.some((f) => f.endsWith('.curation.jsonl'))).toBe(true);
    await shot(page, 'first-hour-after-2');

    // The kept version can be reopened from the UI (Versions…): the old units and labels come back,
    // and the result shown before is kept as a version in turn.
    await page.getByTestId('versions').click();
    await page.getByTestId('versions-dialog').waitFor();
    await expect.poll(() => page.getByTestId('version-row').count(), { timeout: 10_000 }).toBe(1);
    await shot(page, 'first-hour-versions');
    await page.getByTestId('version-open').click();
    await expect.poll(() => page.getByTestId('version-notice').textContent().catch(() => ''), { timeout: 30_000 }).toMatch(/Opened version .*kept as version/);
    const reopened = await rows(page);
    expect(reopened.map((r) => r.id).sort((a, b) => a - b)).toEqual(before.map((r) => r.id).sort((a, b) => a - b));
    expect(reopened.find((r) => r.id === good.id)?.label).toBe('good');
    expect(reopened.find((r) => r.id === ch2.id)?.label).toBe('mua');
    expect(await page.getByTestId('undo').isEnabled()).toBe(true); // its curation history came back with it
    await page.getByTestId('versions').click();
    await expect.poll(() => page.getByTestId('version-row').count(), { timeout: 10_000 }).toBe(2); // the list arrives after the dialog opens
    await page.getByTestId('versions-close').click();
    expect(app.errors).toEqual([]);
  });

  it('the quality rule labels every unsorted unit good or mua in one undoable step and keeps the labels set by hand', async () => {
    const { page } = app;
    const before = await rows(page);
    const verdict = new Map(await page.getByTestId('unit-row').evaluateAll((rs) => rs.map((r) =>
      [Number((r as HTMLElement).dataset.id), r.querySelector('[data-testid="rule-cell"]')?.textContent ?? ''] as [number, string])));
    const unsorted = before.filter((r) => r.label === 'unsorted');
    const byHand = before.filter((r) => r.label !== 'unsorted');
    expect(unsorted.length).toBeGreaterThan(0);
    expect(byHand.length).toBeGreaterThan(0); // the good and mua units of #2
    const good = unsorted.filter((r) => /good/.test(verdict.get(r.id)!)).length;
    const button = page.getByTestId('apply-rule');
    const title = (await button.getAttribute('title')) ?? '';
    expect(title).toContain(`Label the ${unsorted.length} unsorted units by the quality rule (${good} good, ${unsorted.length - good} mua)`);
    expect(title).toMatch(/violation ratio < 0\.5, amplitude cutoff < 0\.1 and presence ratio > 0\.9.*\(Alt\+R\)$/);
    await button.click();
    await expect.poll(async () => (await rows(page)).filter((r) => r.label === 'unsorted').length).toBe(0);
    const after = new Map((await rows(page)).map((r) => [r.id, r.label]));
    for (const r of unsorted) expect(after.get(r.id), `unit ${r.id}`).toBe(/good/.test(verdict.get(r.id)!) ? 'good' : 'mua');
    for (const r of byHand) expect(after.get(r.id), `unit ${r.id}`).toBe(r.label);
    expect(await page.getByTestId('last-action').textContent()).toMatch(/^label \d+/);
    expect(await button.isEnabled()).toBe(false);
    await shot(page, 'first-hour-rule');
    // One undo takes the whole step back; the shortcut applies it again.
    await page.getByTestId('undo').click();
    await expect.poll(async () => (await rows(page)).filter((r) => r.label === 'unsorted').length).toBe(unsorted.length);
    await page.keyboard.press('Alt+r');
    await expect.poll(async () => (await rows(page)).filter((r) => r.label === 'unsorted').length).toBe(0);
    // and so does Edit > Label unsorted units by the quality rule
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await rows(page)).filter((r) => r.label === 'unsorted').length).toBe(unsorted.length);
    await page.getByTestId('menu-edit').click();
    await page.getByTestId('menu-apply-rule').click();
    await expect.poll(async () => (await rows(page)).filter((r) => r.label === 'unsorted').length).toBe(0);
    expect(app.errors).toEqual([]);
  });
});

describe('npm run serve -- FILE with a raw .dat', () => {
  const dat = path.join(ROOT, '.tmp', 'e2e-raw', 'session_30kHz.dat');
  const app = useApp({ hostArgs: [dat], prepare: writeRawDat });

  function writeRawDat(): void {
    fs.rmSync(path.dirname(dat), { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dat), { recursive: true });
    // 4 channels x 2 s at 30 kHz, int16: a slow sine per channel with a different period each.
    const n = 60000, c = 4, buf = new Int16Array(n * c);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) buf[i * c + k] = Math.round(1000 * Math.sin((2 * Math.PI * i) / (300 * (k + 1))));
    fs.writeFileSync(dat, Buffer.from(buf.buffer));
  }

  it('#12 opens FILE (not the demo) and #4 asks for the raw format with guesses and a live preview, then remembers it', async () => {
    const { page } = app;
    await app.open();
    await page.getByTestId('raw-dialog').waitFor({ timeout: 60_000 });
    // The rate comes from the file name, the layouts from the size (480000 bytes).
    expect(await page.getByTestId('raw-rate').inputValue()).toBe('30000');
    const guesses = await page.getByTestId('raw-guess').allTextContents();
    expect(guesses[0]).toBe('4 ch · int16 · 2.0 s'); // the smoothest layout of the file's head comes first
    await page.getByTestId('raw-guess').filter({ hasText: /^4 ch · int16/ }).click();
    await page.getByTestId('raw-gain').fill('0.195');
    await page.getByTestId('raw-preview').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('raw-summary').textContent()).toMatch(/60,000 samples per channel · 2\.00 s/);
    await shot(page, 'first-hour-after-4');
    // A wrong channel count is reported in the dialog, with the fields named.
    await page.getByTestId('raw-channels').fill('7');
    await expect.poll(() => page.getByTestId('raw-summary').textContent()).toMatch(/do not fill a frame/);
    await page.getByTestId('raw-channels').fill('4');
    await page.getByTestId('raw-open').click();
    await waitForRecording(page, 'session_30kHz.dat · raw · 4 ch · 30000 Hz', 30_000);
    expect(await page.getByTestId('raw-dialog').count()).toBe(0);
    // Remembered per file: a reload opens it at once.
    await page.reload();
    await waitForRecording(page, 'session_30kHz.dat · raw · 4 ch', 30_000);
    expect(await page.getByTestId('raw-dialog').count()).toBe(0);
    const sidecar = JSON.parse(fs.readFileSync(`${dat}.spikedesk/raw-format.json`, 'utf8'));
    expect(sidecar).toMatchObject({ channels: 4, rate: 30000, dtype: 'int16', gain: 0.195, offset: 0 });
  });
});

describe('a NaN sample in a float recording', () => {
  const dat = path.join(ROOT, '.tmp', 'e2e-nan', 'nan_20kHz.dat');
  const app = useApp({ hostArgs: [dat], prepare: writeNanDat });

  function writeNanDat(): void {
    fs.rmSync(path.dirname(dat), { recursive: true, force: true });
    fs.mkdirSync(`${dat}.spikedesk`, { recursive: true });
    // 2 float32 channels x 3 s at 20 kHz (noise and a spike every 30 ms); channel 1 holds one NaN.
    const n = 60_000, x = new Float32Array(2 * n);
    let s = 7;
    for (let i = 0; i < n; i++) for (let c = 0; c < 2; c++) { s = (s * 16807) % 2147483647; x[2 * i + c] = 10 * (s / 2147483647 - 0.5) + (i % 600 < 6 ? -120 : 0); }
    x[2 * 4321 + 1] = Number.NaN;
    fs.writeFileSync(dat, Buffer.from(x.buffer));
    // The format as the raw dialog remembers it, so the file opens at once.
    fs.writeFileSync(`${dat}.spikedesk/raw-format.json`, JSON.stringify({ channels: 2, rate: 20000, dtype: 'float32', gain: 1, offset: 0, file: path.basename(dat) }));
  }

  it('the failed channel offers to read NaN/Inf as 0; after it, the same run sorts both channels', async () => {
    const { page } = app;
    await app.open();
    await waitForRecording(page, 'nan_20kHz.dat · raw · 2 ch', 60_000);
    await runAndWait(page, 'all', /sort · done/);
    expect(await page.getByTestId('failed-channels').textContent()).toMatch(/failed channels: 1 \(Channel 'ch1' has a non-finite value \(NaN\) at sample 4321; fix: .*"Read NaN\/Inf as 0"/);
    // The worker that failed on channel 1 says so, not "filter 0%" as if still at it.
    expect(await page.getByTestId('worker-bar').allTextContents()).toContainEqual(expect.stringMatching(/ch 1 · \w+ failed/));
    expect(await page.getByTestId('run-status').textContent()).toMatch(/^done · 1\/2 channels · 1 failed$/);
    await page.getByTestId('read-nonfinite-zero').click();
    await page.getByTestId('nonfinite-zeroed').waitFor({ timeout: 30_000 });
    await shot(page, 'nan-read-as-zero');
    await page.getByTestId('run-start').click();
    // The old report listed the failed channel: a done report without it is the new run's.
    await expect.poll(async () => `${await report(page)} failed:${await page.getByTestId('failed-channels').count()}`, { timeout: 120_000, interval: 300 }).toMatch(/sort · done.* failed:0$/);
    expect(await page.getByTestId('recording-notes').textContent()).toMatch(/NaN\/Inf samples are read as 0/);
    expect(app.errors).toEqual([]);
  });
});
