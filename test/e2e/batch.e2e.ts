// The batch panel end to end in Chromium over the web host: three demo-generator recordings (the
// spike demo's generator, three seeds, raw int16) in a folder are added to the batch tab, sorted
// on 2 workers, every recording is seen running and then done with its units (as batch.json
// says; with the quality rule's labels ticked), the units of all of them are exported from the File menu, and a finished recording
// opens in the workbench with the same units. Then a serial batch of three longer recordings is
// cancelled from the panel while it runs (the web host must keep answering during a serial batch;
// the recording cancelled part-way keeps its progress bar).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateSpikeRecording } from '../../src/workers/synth/spikes';
import { ensureDemo } from '../../src/main/demo';
import { DEMO_DIR, ROOT, shot, useApp, waitForRecording } from './harness';

const IN = path.join(ROOT, '.tmp', 'e2e-batch', 'recordings');
const OUT = `${IN}-batch-sort`;
/** Longer recordings for the cancel test: a batch of them runs long enough to be cancelled midway. */
const LONG = path.join(ROOT, '.tmp', 'e2e-batch', 'long');
const N_CH = 4, RATE = 20000, GAIN = 0.195;

/** rec-1..N.dat in dir: 4 ch x durationS of the demo's spike generator (different seeds), int16 at GAIN uV/bit. */
function writeDemoRecordings(dir: string, count: number, durationS: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= count; i++) {
    const rec = generateSpikeRecording({ seed: 20261122 + i, nChannels: N_CH, durationS, sampleRate: RATE });
    const out = new Int16Array(rec.nSamples * N_CH);
    for (let c = 0; c < N_CH; c++) {
      const x = rec.channelBlock(c, 0, rec.nSamples);
      for (let s = 0; s < rec.nSamples; s++) out[s * N_CH + c] = Math.max(-32768, Math.min(32767, Math.round(x[s] / GAIN)));
    }
    fs.writeFileSync(path.join(dir, `rec-${i}.dat`), Buffer.from(out.buffer));
  }
}

async function rowStates(page: Page): Promise<Record<string, string>> {
  return page.getByTestId('batch-row').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-name'), r.getAttribute('data-state')])));
}

/**
 * Record, in the page, every state each batch row takes from now on: a MutationObserver sees every
 * React commit of the table, so a short 'running' between two of the test's polls is not missed.
 */
async function recordRowStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    (window as unknown as { batchSeen: Record<string, string[]> }).batchSeen = seen;
    const scan = (): void => {
      for (const r of document.querySelectorAll<HTMLElement>('[data-testid="batch-row"]')) {
        const name = r.dataset.name ?? '', state = r.dataset.state ?? '';
        const list = (seen[name] ??= []);
        if (list[list.length - 1] !== state) list.push(state);
      }
    };
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    scan();
  });
}

/** The states each row has taken since recordRowStates, in order (repeats collapsed). */
async function seenRowStates(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(() => (window as unknown as { batchSeen: Record<string, string[]> }).batchSeen);
}

describe('batch panel', () => {
  const app = useApp({
    hostArgs: ['--jobs', '2'],
    // The page opens the spike demo at start; generate it first (once per machine) so that the
    // workbench is ready when a batch recording is opened in it.
    prepare: async () => {
      fs.rmSync(path.dirname(IN), { recursive: true, force: true });
      writeDemoRecordings(IN, 3, 8);
      writeDemoRecordings(LONG, 3, 40);
      await ensureDemo('spikes', DEMO_DIR);
    },
  });

  it('sorts a batch of 3 demo recordings on 2 workers, exports all units from the menu and opens one in the workbench', async () => {
    const page = app.page;
    await app.open();
    await waitForRecording(page, 'openephys');
    await page.getByTestId('tab-batch').click();
    await page.getByTestId('batch-path').fill(IN);
    await page.getByTestId('batch-add').click();
    await page.getByTestId('batch-raw-channels').fill(String(N_CH));
    await page.getByTestId('batch-raw-rate').fill(String(RATE));
    await page.getByTestId('batch-raw-gain').fill(String(GAIN));
    await page.getByTestId('batch-jobs').fill('2');
    await page.getByTestId('batch-parallel-parallel').click();
    expect(await page.getByTestId('batch-out').inputValue()).toBe(OUT);
    // A time-frequency batch offers the corrected signal instead of the quality rule; back to sorting.
    await page.getByTestId('batch-workflow').selectOption('tf');
    expect(await page.getByTestId('batch-label-rule').count()).toBe(0);
    await page.getByTestId('batch-tf-corrected').check();
    await expect.poll(async () => (await page.getByTestId('tab-panel-batch').textContent().catch(() => null)) ?? (await page.locator('body').textContent()) ?? '').toMatch(/the Time–frequency tab's \(2–30 Hz by 1, 5 cycles, theta band\), each recording decimated to 8× the top frequency, after the Parameters panel's correction/);
    await shot(page, 'batch-tf-corrected');
    await page.getByTestId('batch-workflow').selectOption('sort');
    await page.getByTestId('batch-label-rule').check();
    await recordRowStates(page);
    await page.getByTestId('batch-start').click();

    // Watch the queue until the batch ends: workers must be seen busy (every state a row takes is
    // recorded in the page itself, so a recording that runs between two polls is not missed).
    let sawWorkers = false, shotTaken = false;
    const t0 = Date.now();
    for (;;) {
      const states = await rowStates(page);
      const bars = await page.getByTestId('worker-bar').count();
      if (bars > 0) {
        sawWorkers = true;
        if (!shotTaken && Object.values(states).includes('done')) { await shot(page, 'batch-running'); shotTaken = true; }
      }
      const state = (await page.getByTestId('batch-state').textContent().catch(() => '')) ?? '';
      if (/· (done|failed|cancelled)$/.test(state)) break;
      if (Date.now() - t0 > 220_000) throw new Error(`the batch did not finish: ${state} ${JSON.stringify(states)}`);
      await page.waitForTimeout(100);
    }
    expect(await page.getByTestId('batch-state').textContent()).toBe('sort batch · done');
    expect(await rowStates(page)).toEqual({ 'rec-1': 'done', 'rec-2': 'done', 'rec-3': 'done' });
    // A finished recording's bar is full (a late progress event once left one at 85 %).
    expect(await page.locator('[data-testid="batch-row"] [role="progressbar"]').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-valuenow')))).toEqual(['100', '100', '100']);
    const seen = await seenRowStates(page);
    expect(Object.keys(seen).sort()).toEqual(['rec-1', 'rec-2', 'rec-3']);
    for (const [name, states] of Object.entries(seen)) expect({ name, running: states.includes('running') }).toEqual({ name, running: true });
    expect(sawWorkers).toBe(true);
    expect(await page.getByTestId('batch-execution').textContent()).toMatch(/^parallel · 2 job/);

    // The table says what batch.json says.
    const report = JSON.parse(fs.readFileSync(path.join(OUT, 'batch.json'), 'utf8')) as { recordings: { name: string; state: string; units: number; spikes: number }[] };
    expect(report.recordings.map((r) => r.state)).toEqual(['done', 'done', 'done']);
    for (const r of report.recordings) {
      expect(r.units).toBeGreaterThan(0);
      const cell = await page.locator(`[data-testid="batch-row"][data-name="${r.name}"] td`).nth(4).textContent();
      expect(cell).toBe(`${r.units} units · ${r.spikes} spikes`);
      expect(fs.existsSync(path.join(OUT, r.name, 'spikes.tsv'))).toBe(true);
      // "label units by the quality rule" was ticked: every unit is good or mua in phy's table.
      const groups = fs.readFileSync(path.join(OUT, r.name, 'cluster_group.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[1]);
      expect(groups.length).toBe(r.units);
      expect(groups.every((g) => g === 'good' || g === 'mua'), groups.join(' ')).toBe(true);
    }
    await shot(page, 'batch');

    // File > Export All Batch Units > CSV: one folder per recording.
    await page.getByTestId('menu-file').click();
    // The menu opens with the session fresh: its items do not move under the pointer afterwards
    // (the Open Recent list once grew after opening and this click landed on another format).
    const item = page.getByTestId('menu-export-batch-csv');
    const before = await item.boundingBox();
    await page.waitForTimeout(300);
    expect(await item.boundingBox()).toEqual(before);
    await item.click();
    expect(await page.getByTestId('export-path').inputValue()).toBe(`${OUT}/exports-csv`);
    await page.getByTestId('export-go').click();
    await page.getByTestId('export-batch-result').waitFor({ timeout: 60_000 });
    const total = report.recordings.reduce((s, r) => s + r.units, 0);
    expect(await page.getByTestId('export-batch-result').textContent()).toContain(`of 3 recording(s): ${total} units`);
    for (const r of report.recordings) expect(fs.readdirSync(path.join(OUT, 'exports-csv', r.name)).length).toBeGreaterThan(0);
    await page.getByTestId('toast-close').click();

    // Open the first recording in the workbench: its sort (from the batch's cache) is there.
    await page.locator('[data-testid="batch-row"][data-name="rec-1"] [data-testid="batch-open"]').click();
    await page.getByTestId('recording-title').filter({ hasText: 'rec-1.dat' }).waitFor({ timeout: 60_000 });
    await expect.poll(async () => page.getByTestId('units-table').locator('tbody tr').count(), { timeout: 60_000 }).toBe(report.recordings[0].units);
    expect(app.errors).toEqual([]);
  });

  it('cancels a running batch from the panel without touching the finished batch', async () => {
    const page = app.page;
    const CANCELLED = `${LONG}-batch-cancelled`;
    fs.rmSync(CANCELLED, { recursive: true, force: true });
    const firstReport = fs.readFileSync(path.join(OUT, 'batch.json'), 'utf8');
    await page.getByTestId('tab-batch').click();
    // The longer recordings replace the first batch's in the list.
    await page.getByTestId('batch-inputs').getByRole('button').first().click();
    await page.getByTestId('batch-path').fill(LONG);
    await page.getByTestId('batch-add').click();
    await page.getByTestId('batch-out').fill(CANCELLED);
    // One lane, so that recordings wait in the queue while the first one runs.
    await page.getByTestId('batch-jobs').fill('1');
    await page.getByTestId('batch-parallel-serial').click();
    await page.getByTestId('batch-start').click();
    // Cancel once the first recording's tasks report (a worker bar shows): it is part-way, the later
    // recordings are still queued. Serial tasks run in the host's own process: the cancel lands
    // only if it turns its event loop.
    await page.getByRole('region', { name: 'Batch queue' }).getByTestId('worker-bar').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('batch-cancel-all').click({ timeout: 30_000 });
    await expect.poll(async () => page.getByTestId('batch-state').textContent(), { timeout: 60_000 }).toBe('sort batch · cancelled');
    const states = Object.values(await rowStates(page));
    expect(states.filter((s) => s === 'queued' || s === 'running')).toEqual([]);
    expect(states).toContain('cancelled');
    // The recording cancelled part-way keeps the progress it had reached (its finished tasks).
    const first = page.locator('[data-testid="batch-row"][data-name="rec-1"]');
    expect(await first.getAttribute('data-state')).toBe('cancelled');
    expect(Number(await first.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect((await first.locator('.wb-fill').boundingBox())?.width).toBeGreaterThan(0);
    const report = JSON.parse(fs.readFileSync(path.join(CANCELLED, 'batch.json'), 'utf8')) as { recordings: { name: string; state: string }[] };
    expect(report.recordings.map((r) => r.state)).toEqual(states);
    expect(await page.getByTestId('batch-cancel-all').isDisabled()).toBe(true);
    // The earlier batch's results are another folder's: unchanged.
    expect(fs.readFileSync(path.join(OUT, 'batch.json'), 'utf8')).toBe(firstReport);
    await shot(page, 'batch-cancelled');
    expect(app.errors).toEqual([]);
  });
});
