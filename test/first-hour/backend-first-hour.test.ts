// First-hour defects at the backend (the API the web UI and Electron call): default export paths
// whose folder does not exist yet (#1), re-running a curated sort keeps it as a version and carries
// labels over (#2), a raw .dat opened with a format from the dialog, remembered per file (#4).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { DEFAULT_SORT, type PipelineSpec } from '../../src/shared/params';
import type { BackendEvent } from '../../src/shared/api';
import type { RunReport } from '../../src/shared/progress';
import { GAIN, makeRecording, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';

let services: Services;
let dir: string;
let dat: string;
const reports: RunReport[] = [];

async function run(spec: PipelineSpec): Promise<RunReport> {
  const id = await services.backend.runPipeline(spec);
  await expect.poll(() => reports.find((r) => r.runId === id), { timeout: 60_000, interval: 100 }).toBeTruthy();
  return reports.find((r) => r.runId === id)!;
}

const sortSpec = (channels: number[], threshold: number): PipelineSpec => ({
  workflow: 'sort', params: { ...DEFAULT_SORT, detect: { ...DEFAULT_SORT.detect, threshold } }, channels,
  mode: { kind: 'fast', jobs: 1, memoryBudgetMB: 256 },
});

beforeAll(async () => {
  dir = tmpDir('first-hour');
  const r = await makeRecording(dir, { nChannels: 3, durationS: 6, sampleRate: 20000, unitsPerChannel: [2, 2, 1] });
  dat = r.meta.path;
  services = await createServices({ host: 'test', processHost: new ThreadHost(), workerEntry: WORKER_ENTRY, poolSize: 1, demoDir: path.join(dir, 'demo'), settingsDir: path.join(dir, 'settings') });
  services.allow.allowRoot(dir);
  services.onEvent((e: BackendEvent) => { if (e.type === 'run-finished') reports.push(e.report); });
});
afterAll(async () => { await services?.dispose(); removeTmpDirs(); });

describe('raw binary open dialog (#4)', () => {
  it('guesses from the size, previews, opens, and remembers the format per file', async () => {
    const probe = await services.backend.probeRaw(dat);
    expect(probe.remembered).toBeNull();
    expect(probe.sizeBytes).toBe(fs.statSync(dat).size);
    expect(probe.guesses.length).toBeGreaterThan(0);
    for (const g of probe.guesses) expect(probe.sizeBytes % (g.channels * (g.dtype === 'float32' ? 4 : 2))).toBe(0);
    // Without a format the open fails with a fix naming the fields.
    await expect(services.backend.openRecording(dat)).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    const format = { channels: 3, rate: 20000, dtype: 'int16' as const, gain: GAIN, offset: 0 };
    const prev = await services.backend.previewRaw(dat, format, 2000);
    expect(prev.data.length).toBe(3);
    expect(prev.data[0].length).toBe(2000);
    expect(Math.max(...prev.data[0].map(Math.abs))).toBeGreaterThan(1);
    await expect(services.backend.previewRaw(dat, { ...format, channels: 0 }, 10)).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    const meta = await services.backend.openRecording(dat, { format: 'raw', ...format });
    expect(meta.channels.length).toBe(3);
    // Reopened with no options: the sidecar supplies the format.
    const again = await services.backend.openRecording(dat);
    expect(again.channels.length).toBe(3);
    expect(again.sampleRate).toBe(20000);
    expect((await services.backend.probeRaw(dat)).remembered).toEqual(format);
  });
});

describe('menu exports with their default paths (#1)', () => {
  it('creates the missing exports/ folder inside the session folder', async () => {
    // The estimate says what the cache holds: nothing of these channels before, everything after.
    const before = await services.backend.estimate(sortSpec([0, 1], 5));
    expect(before.cached).toEqual({ share: 0, stages: [] });
    await run(sortSpec([0, 1], 5));
    const after = await services.backend.estimate(sortSpec([0, 1], 5));
    expect(after.cached?.share).toBe(1);
    expect(after.cached?.stages).toEqual(expect.arrayContaining(['filter', 'detect', 'cluster']));
    // Another threshold: the filter is cached, detection onwards is not.
    const other = await services.backend.estimate(sortSpec([0, 1], 4.2));
    expect(other.cached?.stages).toEqual(['filter']);
    expect(other.cached!.share).toBeGreaterThan(0);
    expect(other.cached!.share).toBeLessThan(1);
    const info = await services.backend.sessionInfo();
    const target = info.defaultExportPaths.phy!;
    expect(fs.existsSync(path.dirname(target))).toBe(false);
    // Each default names the recording and the workflow's result, inside SESSION/exports/.
    const rec = path.basename(dat, path.extname(dat));
    expect(Object.fromEntries(Object.entries(info.defaultExportPaths).map(([f, p]) => [f, path.relative(info.sessionDir!, p!)]))).toEqual({
      phy: `exports/${rec}-sorted-phy`, nwb: `exports/${rec}-sorted.nwb`, blech: `exports/${rec}-sorted-blech.h5`, csv: `exports/${rec}-sorted-csv`,
      edf: `exports/${rec}-corrected.edf`, brainvision: `exports/${rec}-corrected.vhdr`,
      'tf-nwb': `exports/${rec}-tf.nwb`, 'tf-npy': `exports/${rec}-tf-npy`, 'tf-png': `exports/${rec}-tf.png`, 'tf-svg': `exports/${rec}-tf.svg`,
    });
    const r = await services.backend.exportSorted('phy', target, false);
    expect(r.units).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(target, 'params.py'))).toBe(true);
    const csv = await services.backend.exportSorted('csv', info.defaultExportPaths.csv!, false);
    expect(csv.files.length).toBeGreaterThan(0);
  });

  it('does not create folders outside the allowed roots', async () => {
    const outside = path.join(path.dirname(dir), `sd-not-allowed-${process.pid}`, 'phy');
    await expect(services.backend.exportSorted('phy', outside, false)).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    expect(fs.existsSync(path.dirname(outside))).toBe(false);
  });
});

describe('re-running a curated sort (#2)', () => {
  it('keeps the curated result as a named version and carries labels to matching units', async () => {
    const before = (await services.backend.getSortOverview())!;
    const good = before.clusters.filter((c) => c.channel === 0).sort((a, b) => b.nSpikes - a.nSpikes)[0];
    const mua = before.clusters.filter((c) => c.channel === 1).sort((a, b) => b.nSpikes - a.nSpikes)[0];
    await services.backend.curate({ kind: 'label', ids: [good.id], label: 'good' });
    await services.backend.curate({ kind: 'label', ids: [mua.id], label: 'mua' });
    const v = (await services.backend.keepSortVersion())!;
    expect(v).toMatchObject({ runId: before.runId, labelled: 2, journalRecords: 2 });
    expect(await services.backend.listSortVersions()).toEqual([v]);
    // A second keep of the same run gets a fresh name; the first is not overwritten.
    const v2 = (await services.backend.keepSortVersion())!;
    expect(v2.name).not.toBe(v.name);

    // Re-run with a different threshold and on one more channel: a new result, fresh curation.
    await run(sortSpec([0, 1, 2], 4.5));
    const fresh = (await services.backend.getSortOverview())!;
    expect(fresh.runId).not.toBe(before.runId);
    expect(fresh.clusters.every((c) => c.label === 'unsorted')).toBe(true);
    const carry = await services.backend.carryLabels(v.name);
    const labels = new Map(carry.carried.map((m) => [m.label, m]));
    expect(labels.get('good')!.from).toBe(good.id);
    expect(labels.get('mua')!.from).toBe(mua.id);
    for (const m of carry.carried) expect(m.overlap).toBeGreaterThanOrEqual(0.5);
    const after = (await services.backend.getSortOverview())!;
    expect(after.canUndo).toBe(true); // the carried labels are journaled actions
    const byId = new Map(after.clusters.map((c) => [c.id, c]));
    expect(byId.get(labels.get('good')!.id)).toMatchObject({ channel: 0, label: 'good' });
    expect(byId.get(labels.get('mua')!.id)).toMatchObject({ channel: 1, label: 'mua' });
    // Nothing on channel 2 (not in the old sort) got a label.
    expect(after.clusters.filter((c) => c.channel === 2).every((c) => c.label === 'unsorted')).toBe(true);
    // The kept version still holds the old curated units.
    const file = JSON.parse(fs.readFileSync(path.join(dir, 'rec.dat.spikedesk', 'versions', `${v.name}.json`), 'utf8'));
    expect(file.units.find((u: { id: number }) => u.id === good.id).label).toBe('good');
    expect(fs.existsSync(path.join(dir, 'rec.dat.spikedesk', 'versions', `${v.name}.curation.jsonl`))).toBe(true);
  });
});

describe('reopening a kept version (#2 follow-up)', () => {
  it('reopens the kept sort with its curation and undo history, keeping the result shown before', async () => {
    const shown = (await services.backend.getSortOverview())!;
    const kept = await services.backend.listSortVersions();
    const old = kept[0];
    const before = kept.length;
    const r = await services.backend.restoreSortVersion(old.name);
    expect(r.restored).toMatchObject({ name: old.name, runId: old.runId });
    // The result shown before the reopen is itself kept, so the reopen can be undone.
    expect(r.kept).toMatchObject({ runId: shown.runId });
    expect((await services.backend.listSortVersions()).length).toBe(before + 1);
    const now = (await services.backend.getSortOverview())!;
    expect(now.runId).toBe(old.runId);
    expect(now.clusters.length).toBe(old.units);
    expect(now.clusters.filter((c) => c.label !== 'unsorted').length).toBe(old.labelled);
    expect(now.canUndo).toBe(true); // the journal came back with the version
    expect(now.journalRecords).toBe(old.journalRecords);
    // And back: reopening the version kept by the reopen shows the newer sort with its carried labels.
    const back = await services.backend.restoreSortVersion(r.kept!.name);
    const again = (await services.backend.getSortOverview())!;
    expect(back.restored.runId).toBe(shown.runId);
    expect(again.runId).toBe(shown.runId);
    expect(again.clusters.map((c) => [c.id, c.label])).toEqual(shown.clusters.map((c) => [c.id, c.label]));
  });

  it('refuses a name that is no kept version, and names that are paths, before changing anything', async () => {
    const runId = (await services.backend.getSortOverview())!.runId;
    await expect(services.backend.restoreSortVersion('no-such-version')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(services.backend.restoreSortVersion('../../etc/passwd')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await services.backend.getSortOverview())!.runId).toBe(runId);
  });
});

describe('similar units: merge candidates for the selected unit', () => {
  it('lists the other units of its channel, most similar first; the two halves of a split unit find each other', async () => {
    const o = (await services.backend.getSortOverview())!;
    // The channel with the most units (the recording has 2 on channels 0 and 1).
    const count = (ch: number): number => o.clusters.filter((c) => c.channel === ch).length;
    const ch = [...o.channels].sort((a, b) => count(b) - count(a))[0];
    const onCh = o.clusters.filter((c) => c.channel === ch);
    expect(onCh.length).toBeGreaterThanOrEqual(2);
    const big = [...onCh].sort((a, b) => b.nSpikes - a.nSpikes)[0];
    const others = onCh.filter((c) => c.id !== big.id);
    // Re-cluster one unit in two: two pieces of one neuron.
    const u = await services.backend.curate({ kind: 'recluster', id: big.id, k: 2 });
    const [p, q] = u.added;
    const sim = await services.backend.getSimilarUnits(p);
    console.log(`similar to #${p}: ${JSON.stringify(sim)}`);
    expect(sim.map((s) => s.id).sort((a, b) => a - b)).toEqual([q, ...others.map((c) => c.id)].sort((a, b) => a - b));
    for (let i = 1; i < sim.length; i++) expect(sim[i].similarity).toBeLessThanOrEqual(sim[i - 1].similarity);
    expect(sim[0].id).toBe(q);
    expect(sim[0].similarity).toBeGreaterThan(0.95);
    // The overlay's mean waveform is the detail's mean, without fetching the whole detail.
    const mean = await services.backend.getMeanWaveform(q);
    const detail = await services.backend.getUnitDetail(q);
    expect(mean.length).toBe(detail.width);
    expect(Array.from(mean)).toEqual(Array.from(detail.mean));
    await services.backend.undo();
    await expect(services.backend.getSimilarUnits(p)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(services.backend.getMeanWaveform(q)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('a NaN sample in float data', () => {
  it('fails its channel with a fix; reopenRecording reads such samples as 0, keeping the raw format, and the channel sorts', async () => {
    // 2 float32 channels, 3 s at 20 kHz, noise with spikes of both channels; channel 1 holds one NaN.
    const n = 60_000, x = new Float32Array(2 * n);
    let s = 1;
    const rnd = (): number => { s = (s * 16807) % 2147483647; return s / 2147483647 - 0.5; };
    for (let i = 0; i < n; i++) for (let c = 0; c < 2; c++) x[2 * i + c] = 10 * rnd() + (i % 600 < 6 ? -120 : 0);
    x[2 * 12345 + 1] = Number.NaN;
    const f = path.join(dir, 'nan-float.dat');
    fs.writeFileSync(f, Buffer.from(x.buffer));
    await services.backend.openRecording(f, { format: 'raw', channels: 2, rate: 20000, dtype: 'float32', gain: 1, offset: 0 });
    const first = await run(sortSpec([0, 1], 5));
    expect(first.failed.map((c) => c.channel)).toEqual([1]);
    expect(first.failed[0].reason).toMatch(/non-finite value \(NaN\) at sample 12345/);
    expect(first.failed[0].code).toBe('NON_FINITE');
    expect(first.failed[0].fix).toMatch(/"Read NaN\/Inf as 0" under the run report/);
    // Only the NaN policy changes: the raw format given at open is kept.
    await expect(services.backend.reopenRecording({ nonFinite: 'maybe' } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const meta = await services.backend.reopenRecording({ nonFinite: 'zero' });
    expect(meta.channels.length).toBe(2);
    expect(meta.sampleRate).toBe(20000);
    expect(meta.notes?.some((t) => /NaN\/Inf samples are read as 0/.test(t))).toBe(true);
    expect(meta.nonFinite).toBe('zero');
    const second = await run(sortSpec([0, 1], 5));
    expect(second.failed).toEqual([]);
    expect(second.state).toBe('done');
    // And back: the default policy fails the channel again.
    expect((await services.backend.reopenRecording({ nonFinite: 'error' })).nonFinite).toBeUndefined();
    expect((await run(sortSpec([0, 1], 5))).failed.map((c) => c.channel)).toEqual([1]);
  });
});
