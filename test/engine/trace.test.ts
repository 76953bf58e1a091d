// The run timeline (`spikedesk sort --trace FILE`, issue 12): where a run's wall time goes. The
// summary's arithmetic on a hand-made timeline, then a real 2-worker sort through the CLI: every
// task on a worker lane with its stages, the main-process phases, and the accounting identities
// (no assertion on how long anything took).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunTrace } from '../../src/main/pipeline/trace';
import { readTraceSummary, summarizeTrace } from '../../src/main/pipeline/trace-file';
import { makeRecording, removeTmpDirs, tmpDir } from './helpers';
import { runCli } from './cli-helpers';

afterAll(() => removeTmpDirs());

describe('run trace', () => {
  it('sums serial time, worker idle gaps and stage CPU from the spans', () => {
    const t = new RunTrace();
    const o = 1_000_000;
    t.add({ lane: 'main', name: 'open', t0: o + 0, t1: o + 100 });
    // w0: tasks 100-400 and 500-900; w1: one task 150-600 (its stages 160-300 and 300-590).
    t.addTask(0, 'task', o + 100, o + 400, 0, { spans: [{ lane: 'worker', name: 'filter', t0: o + 110, t1: o + 390, cpuMs: 250, waitMs: 20 }], threadCpuMs: 900, threadWaitMs: 30 });
    t.addTask(0, 'task', o + 500, o + 900, 2, undefined);
    t.addTask(1, 'task', o + 150, o + 600, 1, {
      spans: [
        { lane: 'worker', name: 'filter', t0: o + 160, t1: o + 300, cpuMs: 130 },
        { lane: 'worker', name: 'read:source', t0: o + 160, t1: o + 200, cpuMs: 40 },
        { lane: 'worker', name: 'detect', t0: o + 300, t1: o + 590, cpuMs: 280, waitMs: 5 },
      ],
      threadCpuMs: 500, threadWaitMs: 6,
    });
    t.add({ lane: 'main', name: 'results', t0: o + 900, t1: o + 1000 });
    const s = summarizeTrace(t, o + 1000, o, { user: 1_500_000, system: 100_000 });
    expect(s.wallS).toBe(1);
    // Tasks cover 100-900 except nothing: w0 400-500 is covered by w1 (150-600).
    expect(s.serialS).toBe(0.2);
    expect(s.computeS).toBe(0.8);
    expect(s.mainPhases).toEqual({ open: 0.1, results: 0.1 });
    expect(s.workers.w0).toMatchObject({ tasks: 2, busyS: 0.7, gapIdleS: 0.1, tailIdleS: 0, stageCpuS: 0.25, stageWaitS: 0.02, threadCpuS: 0.9 });
    // Sub-spans (name with ':') are not added to the stage CPU a second time.
    expect(s.workers.w1).toMatchObject({ tasks: 1, busyS: 0.45, gapIdleS: 0.05, tailIdleS: 0.3, stageCpuS: 0.41, stageWaitS: 0.005, threadCpuS: 0.5 });
    expect(s.stages.filter).toEqual({ n: 2, wallS: 0.42, cpuS: 0.38, waitS: 0.02 });
    expect(s.stages['read:source']).toMatchObject({ n: 1, cpuS: 0.04 });
    expect(s.process).toMatchObject({ cpuS: 1.6, userS: 1.5, sysS: 0.1, workerThreadsCpuS: 1.4 });
    for (const w of Object.values(s.workers)) expect(w.busyS + w.gapIdleS + w.tailIdleS).toBeCloseTo(s.computeS, 6);
  });

  it('spikedesk sort --trace FILE writes the timeline of a 2-worker run', async () => {
    const dir = tmpDir('trace');
    const r = await makeRecording(dir, { nChannels: 3, durationS: 3, sampleRate: 20000 });
    const file = path.join(dir, 'trace.json');
    const res = await runCli(['sort', r.meta.path, '--channels', '3', '--rate', '20000', '--gain', '0.195', '--jobs', '2', '--force-jobs', '--trace', file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/trace: .*trace\.json \(wall [\d.]+ s, serial [\d.]+ s, process CPU [\d.]+ s\)/);
    const s = readTraceSummary(file);
    const lanes = Object.keys(s.workers).sort();
    expect(lanes).toEqual(['w0', 'w1']);
    // Two tasks per channel: filter + detect, then features, cluster and metrics (busiest first).
    expect(lanes.reduce((a, l) => a + s.workers[l].tasks, 0)).toBe(6);
    for (const st of ['filter', 'detect', 'features', 'cluster', 'metrics']) expect(s.stages[st]?.n, st).toBe(3);
    expect(s.stages['read:source'].n).toBeGreaterThanOrEqual(1);
    for (const p of ['open', 'pool start', 'plan', 'record run', 'results', 'pool dispose']) expect(s.mainPhases[p], p).toBeGreaterThanOrEqual(0);
    expect(s.serialS).toBeGreaterThanOrEqual(0);
    expect(s.serialS).toBeLessThanOrEqual(s.wallS);
    for (const l of lanes) expect(s.workers[l].busyS + s.workers[l].gapIdleS + s.workers[l].tailIdleS).toBeCloseTo(s.computeS, 2);
    expect(s.process.cpuS).toBeGreaterThan(0);
    const events = (JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: { name: string; ph: string; args: Record<string, unknown> }[] }).traceEvents;
    expect(events.filter((e) => e.ph === 'M').map((e) => e.args.name)).toEqual(['main', 'w0', 'w1']);
    expect(events.filter((e) => /^task ch\d$/.test(e.name)).map((e) => e.name).sort()).toEqual(['task ch0', 'task ch0', 'task ch1', 'task ch1', 'task ch2', 'task ch2']);
  }, 180_000);
});
