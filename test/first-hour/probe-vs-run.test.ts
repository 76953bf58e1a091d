// The first estimate measures this machine with probe runs on slices of the recording. A run the
// user starts meanwhile must not share the workers with a probe: the probe run under way is
// cancelled, no probe run starts while the user's run is going, and the estimate still answers
// (from the benchmark figures; the run's own time calibrates the shape when it finishes).
// Ordering is observed through the engine's start/finish calls, not timed.
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { DEFAULT_SORT, type PipelineSpec } from '../../src/shared/params';
import type { RunReport } from '../../src/shared/progress';
import { GAIN, makeRecording, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';

let services: Services;
let dat: string;
/** Engine runs in start order: whether it was a probe (a slice file), and its report once done. */
const runs: { runId: string; probe: boolean; startedWhileUserRun: boolean; report?: RunReport }[] = [];
let userRunning = false;
const cancelled: string[] = [];

beforeAll(async () => {
  const dir = tmpDir('probe-vs-run');
  dat = (await makeRecording(dir, { nChannels: 2, durationS: 40, sampleRate: 20000, unitsPerChannel: [2, 1] })).meta.path;
  services = await createServices({ host: 'test', processHost: new ThreadHost(), workerEntry: WORKER_ENTRY, poolSize: 1, demoDir: path.join(dir, 'demo'), settingsDir: path.join(dir, 'settings') });
  services.allow.allowRoot(dir);
  const start = services.engine.start.bind(services.engine);
  services.engine.start = (spec, source, meta, onProgress) => {
    const r = start(spec, source, meta, onProgress);
    const entry: (typeof runs)[number] = { runId: r.runId, probe: /spikedesk-probe-/.test(source.path), startedWhileUserRun: userRunning };
    runs.push(entry);
    void r.done.then((rep) => { entry.report = rep; }, () => undefined);
    return r;
  };
  const cancel = services.engine.cancel.bind(services.engine);
  services.engine.cancel = (runId) => { cancelled.push(runId); cancel(runId); };
  await services.backend.openRecording(dat, { format: 'raw', channels: 2, rate: 20000, dtype: 'int16', gain: GAIN });
});
afterAll(async () => { await services?.dispose(); removeTmpDirs(); });

describe('a calibration probe and a run started meanwhile', () => {
  it('cancels the probe run under way and starts no probe run until the user run is done', async () => {
    const spec: PipelineSpec = { workflow: 'sort', params: DEFAULT_SORT, channels: [0, 1], mode: { kind: 'fast', jobs: 1, memoryBudgetMB: 256 } };
    const estimate = services.backend.estimate(spec);
    // Wait until a probe slice run is on the workers (not finished).
    await expect.poll(() => runs.some((r) => r.probe && !r.report), { timeout: 60_000, interval: 20 }).toBe(true);
    userRunning = true;
    const active = runs.filter((r) => r.probe && !r.report).map((r) => r.runId);
    const id = await services.backend.runPipeline(spec);
    expect(active.length).toBeGreaterThan(0);
    for (const p of active) expect(cancelled).toContain(p);
    const user = runs.find((r) => r.runId === id)!;
    // Asked while the run is under way: no probe, so the benchmark model's time, and said to be.
    const during = await services.backend.estimate(spec);
    if (!user.report) expect(during.measured).toEqual({ fast: false, lowMemory: false });
    await expect.poll(() => user.report, { timeout: 120_000, interval: 100 }).toBeTruthy();
    userRunning = false;
    const est = await estimate; // still answers (the run's own time calibrates the shape)
    expect(est.fast.seconds).toBeGreaterThan(0);
    expect(user.report!.state).toBe('done');
    // The finished run measured this machine for the shape (the app asks again when a run finishes).
    await expect.poll(async () => (await services.backend.estimate(spec)).measured, { timeout: 10_000, interval: 100 }).toEqual({ fast: true, lowMemory: true });
    expect(runs.filter((r) => r.probe && r.startedWhileUserRun)).toEqual([]);
  });
});
