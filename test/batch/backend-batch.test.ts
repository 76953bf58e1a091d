// The batch panel's backend methods, called through the security façade as the renderer calls
// them: every argument is schema-checked, every path (inputs, the recordings a manifest names,
// the output and export folders) against the allow-list; a batch reports its recordings as
// 'batch' events, gives the same files as the CLI's batch, cancels one recording or all (a row
// cancelled part-way keeps its progress), and exports the units of every finished recording.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/main/compose';
import { createFacade } from '../../src/main/security/facade';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { startBatch } from '../../src/main/batch/run-batch';
import { makeJob } from '../../src/main/batch/job';
import { DEFAULT_CORRECT, DEFAULT_SORT, DEFAULT_TF, autoDecim } from '../../src/shared/params';
import type { BackendApi, BatchRequest, BatchStatus } from '../../src/shared/api';
import { GAIN, makeEegRecording, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';
import { clearSessions, outputBytes, writeRecordings } from './helpers';
import { readSession } from '../../src/main/pipeline/session-store';
import { stageNamed } from '../../src/main/pipeline/stages/registry';

let services: Services;
let api: BackendApi;
let dir: string, inputs: string, outside: string;
const events: BatchStatus[] = [];
/** Called with every batch event as it is sent (a test may act on one, e.g. cancel). */
let onBatch: ((s: BatchStatus) => void) | undefined;
const open = { channels: 4, rate: 20000, dtype: 'int16' as const, gain: GAIN };
const mode = { kind: 'fast' as const, jobs: 1, memoryBudgetMB: 512 };

function request(o: Partial<BatchRequest> = {}): BatchRequest {
  return { inputs: [inputs], spec: { workflow: 'sort', params: DEFAULT_SORT, mode }, parallel: 'serial', outDir: path.join(dir, 'out'), open, ...o };
}

/** The first status event of batch `id` that is not 'running' (its end). */
async function finished(id: string): Promise<BatchStatus> {
  for (;;) {
    const e = events.find((x) => x.id === id && x.state !== 'running');
    if (e) return e;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = tmpDir('backend-batch');
  outside = tmpDir('backend-batch-outside');
  inputs = path.join(dir, 'in');
  writeRecordings(inputs, 3, { durationS: 2 });
  writeRecordings(outside, 1, { durationS: 1 });
  services = await createServices({ host: 'test', processHost: new ThreadHost(), workerEntry: WORKER_ENTRY, poolSize: 1, demoDir: path.join(dir, 'demo'), settingsDir: path.join(dir, 'settings') });
  services.allow.allowRoot(dir);
  services.onEvent((e) => { if (e.type === 'batch') { events.push(e.status); onBatch?.(e.status); } });
  api = createFacade(services.backend);
});
afterAll(async () => { await services?.dispose(); removeTmpDirs(); });

describe('batch API: arguments and paths', () => {
  it('refuses malformed requests before they reach the backend', async () => {
    const bad: unknown[] = [
      { ...request(), inputs: [] },
      { ...request(), parallel: 'sometimes' },
      { ...request(), spec: { workflow: 'filter', params: {}, mode } },
      { ...request(), spec: { workflow: 'sort', params: { ...DEFAULT_SORT, detect: { ...DEFAULT_SORT.detect, threshold: -3 } }, mode } },
      { ...request(), extra: 1 },
      { ...request(), inputs: ['a\0b'] },
    ];
    for (const b of bad) await expect(api.startBatch(b as BatchRequest)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.cancelBatch('../x' as string)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.exportBatch('exe' as 'csv', dir, false)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('checks every input, every recording of a manifest and the output folder against the allow-list', async () => {
    await expect(api.startBatch(request({ inputs: [outside] }))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    await expect(api.startBatch(request({ outDir: path.join(outside, 'out') }))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    // The manifest is allowed, the recording it names is not.
    const manifest = path.join(dir, 'sneaky.tsv');
    fs.writeFileSync(manifest, `path\n${path.join(outside, 'rec-0.dat')}\n`);
    await expect(api.startBatch(request({ inputs: [manifest] }))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    expect(fs.existsSync(path.join(outside, 'out'))).toBe(false);
    expect(await api.batchStatus()).toBeNull();
  });
});

describe('a batch from the panel', () => {
  let done: BatchStatus;
  beforeAll(async () => {
    const first = await api.startBatch(request());
    expect(first.rows.map((r) => r.state)).toEqual(['queued', 'queued', 'queued']);
    // One batch at a time.
    await expect(api.startBatch(request({ outDir: path.join(dir, 'out2') }))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    done = await finished(first.id);
  }, 180_000);

  it('reports every recording running then done, with units, and writes the same files as the CLI batch', async () => {
    expect(done.state).toBe('done');
    expect(done.rows.map((r) => [r.name, r.state])).toEqual([['rec-0', 'done'], ['rec-1', 'done'], ['rec-2', 'done']]);
    for (const r of done.rows) {
      expect(r.units).toBeGreaterThan(0);
      expect(r.fraction).toBe(1);
      expect(r.output).toBe(path.join(dir, 'out', r.name));
      // Each recording was seen running before it finished.
      expect(events.some((e) => e.id === done.id && e.rows.find((x) => x.name === r.name)?.state === 'running')).toBe(true);
    }
    expect(done.execution).toMatch(/^serial/);
    expect(done.workers).toEqual([]);
    // Serial tasks run in this process: their memory figures are the process's, shown once.
    expect(done.rssScope).toBe('process');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'batch.json'), 'utf8')) as { recordings: { name: string; units: number }[] };
    expect(report.recordings.map((r) => [r.name, r.units])).toEqual(done.rows.map((r) => [r.name, r.units]));
    expect(await api.batchStatus()).toMatchObject({ id: done.id, state: 'done' });

    // The CLI's batch of the same recordings (fresh cache) gives the same bytes.
    clearSessions(inputs);
    const cli = await startBatch({
      inputs: [inputs], open, job: makeJob('sort', DEFAULT_SORT, mode, 'serial'), outDir: path.join(dir, 'cli'), executor: 'local',
      jobs: 1, memoryBudgetMB: 512, workerEntry: WORKER_ENTRY,
    }).done;
    expect(cli.counts).toEqual({ done: 3 });
    expect(outputBytes(path.join(dir, 'out'))).toEqual(outputBytes(path.join(dir, 'cli')));
  }, 180_000);

  it('exports the units of every finished recording, asks before replacing, and checks the folder', async () => {
    const target = path.join(dir, 'exports');
    const r = await api.exportBatch('csv', target, false);
    expect(r.failed).toEqual([]);
    expect(r.exported.map((e) => [e.name, e.units])).toEqual(done.rows.map((x) => [x.name, x.units]));
    for (const e of r.exported) expect(fs.existsSync(e.path) && fs.readdirSync(e.path).length > 0).toBe(true);
    await expect(api.exportBatch('csv', target, false)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect((await api.exportBatch('csv', target, true)).exported).toHaveLength(3);
    await expect(api.exportBatch('csv', path.join(outside, 'x'), false)).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
  }, 60_000);

  it('cancels one recording by name, or the whole batch', async () => {
    clearSessions(inputs);
    const one = await api.startBatch(request({ outDir: path.join(dir, 'cancel-one') }));
    await api.cancelBatch('rec-1');
    const a = await finished(one.id);
    expect(a.rows.map((r) => r.state)).toEqual(['done', 'cancelled', 'done']);
    expect(a.state).toBe('done');
    await expect(api.cancelBatch('nope')).resolves.toBeUndefined(); // nothing running any more

    clearSessions(inputs);
    const all = await api.startBatch(request({ outDir: path.join(dir, 'cancel-all'), parallel: 'parallel' }));
    await api.cancelBatch();
    const b = await finished(all.id);
    expect(b.state).toBe('cancelled');
    expect(b.rows.map((r) => r.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  }, 180_000);

  it('a serial recording cancelled mid-run keeps the progress it had reached', async () => {
    // Recordings long enough for status events (at most 5/s) between a recording's tasks.
    const long = path.join(dir, 'long');
    writeRecordings(long, 2, { durationS: 16 });
    // Cancel all at the first event showing a recording part-way (a serial batch sends them between
    // tasks, so the cancel lands before its next task).
    let at: string | undefined;
    onBatch = (s) => {
      if (at !== undefined) return;
      at = s.rows.find((r) => r.state === 'running' && r.fraction > 0 && r.fraction < 1)?.name;
      if (at !== undefined) void api.cancelBatch();
    };
    const mid = await api.startBatch(request({ inputs: [long], outDir: path.join(dir, 'cancel-mid') }));
    const c = await finished(mid.id).finally(() => { onBatch = undefined; });
    expect(at).toBeDefined();
    expect(c.state).toBe('cancelled');
    const i = c.rows.findIndex((r) => r.name === at);
    const row = c.rows[i];
    expect(row.state).toBe('cancelled');
    // The row shows the work its run had done: the stage tasks it finished, by stage weight
    // (filter and detect finish on every channel before the first channel is done; every stage
    // of the default sort is per channel).
    const run = readSession(services.engine.sessionDir(row.path))!.runs.at(-1)!;
    expect(run.state).toBe('cancelled');
    const weight = (s: string): number => stageNamed(s)!.weight;
    const done = Object.entries(run.stages).reduce((a, [s, r]) => a + (r?.executed ?? 0) * weight(s), 0);
    const total = Object.keys(run.stages).reduce((a, s) => a + run.channels.length * weight(s), 0);
    expect(done).toBeGreaterThan(0);
    expect(row.fraction).toBeCloseTo(done / total, 9);
    // Recordings that never started have nothing to show.
    for (const r of c.rows.slice(i + 1)) expect([r.state, r.fraction]).toEqual(['cancelled', 0]);
  }, 180_000);
});

describe('batch API: time-frequency of the corrected signal', () => {
  it('takes a tf spec with correction parameters through the schema and runs the correction first', async () => {
    const eegDir = path.join(dir, 'eeg-in');
    fs.mkdirSync(eegDir, { recursive: true });
    const eeg = await makeEegRecording(eegDir, { durationS: 12, nChannels: 2 });
    // The batch panel's request: decim chosen per recording (autoDecim), not the parameters' 1.
    const params = { ...DEFAULT_TF, freqs: [15, 20], nCycles: [5], decim: 1, correction: DEFAULT_CORRECT };
    const st = await api.startBatch({ inputs: [eegDir], spec: { workflow: 'tf', params, mode }, parallel: 'serial', outDir: path.join(dir, 'tf-corrected'), autoDecim: true });
    const end = await finished(st.id);
    expect(end.rows.map((r) => r.state)).toEqual(['done']);
    const prov = JSON.parse(fs.readFileSync(path.join(dir, 'tf-corrected', end.rows[0].name, 'provenance.json'), 'utf8')) as { params: { correction: unknown; decim: number } };
    expect(prov.params.correction).toEqual(DEFAULT_CORRECT);
    expect(prov.params.decim).toBe(autoDecim(eeg.meta.sampleRate, 20));
    expect(prov.params.decim).toBeGreaterThan(1);
    await expect(api.startBatch({ inputs: [eegDir], spec: { workflow: 'correct', params: DEFAULT_CORRECT, mode }, parallel: 'serial', outDir: path.join(dir, 'c-auto'), autoDecim: true }))
      .rejects.toMatchObject({ code: 'BAD_PARAMETER', message: expect.stringMatching(/a correct batch has none/) });
    // A malformed correction is refused by the schema, naming the field.
    const bad = { ...params, correction: { ...DEFAULT_CORRECT, lowpassHz: 'x' } };
    await expect(api.startBatch({ inputs: [eegDir], spec: { workflow: 'tf', params: bad, mode }, parallel: 'serial', outDir: path.join(dir, 'tf-bad') } as unknown as BatchRequest))
      .rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/correction\.lowpassHz/) });
  }, 120_000);
});
