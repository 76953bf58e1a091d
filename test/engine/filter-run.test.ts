import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { readSession } from '../../src/main/pipeline/session-store';
import { DEFAULT_FILTER, type PipelineSpec } from '../../src/shared/params';
import type { RunProgress } from '../../src/shared/progress';
import { bandpassSos } from '../../src/workers/dsp/butter';
import { sosfiltfiltF32 } from '../../src/workers/dsp/sos';
import type { Pool } from '../../src/main/pool/pool';
import { makePool, makeRecording, tmpDir, type TestRecording, removeTmpDirs } from './helpers';

let pool: Pool;
let r: TestRecording;

beforeAll(async () => {
  pool = await makePool(2);
  r = await makeRecording(tmpDir('filter'), { nChannels: 3, durationS: 30, sampleRate: 20000 });
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

const spec = (kind: 'fast' | 'low-memory', jobs = 2): PipelineSpec => ({
  workflow: 'filter', params: DEFAULT_FILTER, mode: { kind, jobs, memoryBudgetMB: 160 },
});

describe('Engine: filter workflow', () => {
  it('filters every channel, caches the result and gives the same samples in both modes', async () => {
    const engine = new Engine(pool);
    const progress: RunProgress[] = [];
    const { done } = engine.start(spec('fast'), r.ref, r.meta, (p) => progress.push(p));
    const report = await done;
    expect(report.state).toBe('done');
    expect(report.stagesRun).toEqual(['filter']);
    expect(report.failed).toEqual([]);
    expect(progress.some((p) => p.workers.some((w) => w.stage === 'filter' && w.fraction > 0 && w.rssMB > 0))).toBe(true);
    expect(progress[progress.length - 1]).toMatchObject({ state: 'done', channelsDone: 3, channelsTotal: 3 });

    // The whole-channel reference: the cached samples agree with scipy-style sosfiltfilt.
    const fast = engine.resultSource(r.meta.path, 'filtered')!;
    const n = r.meta.nSamples;
    const ch1 = fast.read([1], 0, n)[0];
    const raw = new Float32Array(n);
    const src = r.rec.channel(1);
    for (let i = 0; i < n; i++) raw[i] = Math.round(src[i] / 0.195) * 0.195;
    const want = sosfiltfiltF32(bandpassSos(DEFAULT_FILTER, r.meta.sampleRate), Float32Array.from(raw));
    let maxErr = 0, maxAbs = 0;
    for (let i = 0; i < n; i++) { maxErr = Math.max(maxErr, Math.abs(ch1[i] - want[i])); maxAbs = Math.max(maxAbs, Math.abs(want[i])); }
    expect(maxErr).toBeLessThan(1e-4 * maxAbs);
    const fastCopy = fast.read([0, 1, 2], 0, n);
    fast.close();

    // Unchanged parameters: nothing is recomputed.
    const again = await engine.start(spec('low-memory'), r.ref, r.meta, () => undefined).done;
    expect(again.stagesRun).toEqual([]);
    expect(again.stagesCached).toEqual(['filter']);

    // Low-memory from scratch gives bit-identical samples.
    fs.rmSync(path.join(engine.sessionDir(r.meta.path), 'cache'), { recursive: true });
    const low = await engine.start(spec('low-memory'), r.ref, r.meta, () => undefined).done;
    expect(low.stagesRun).toEqual(['filter']);
    const lowSrc = engine.resultSource(r.meta.path, 'filtered')!;
    const lowCopy = lowSrc.read([0, 1, 2], 0, n);
    lowSrc.close();
    for (let c = 0; c < 3; c++) expect(Buffer.from(lowCopy[c].buffer).equals(Buffer.from(fastCopy[c].buffer))).toBe(true);

    const session = readSession(engine.sessionDir(r.meta.path))!;
    expect(session.runs.map((x) => x.stages.filter?.executed)).toEqual([3, 0, 3]);
    expect(session.params.filter).toEqual(DEFAULT_FILTER);
  });

  it('estimates peak memory and time for both modes', () => {
    const engine = new Engine(pool);
    const e = engine.estimate(spec('fast'), r.meta);
    expect(e.fast.peakMB).toBeGreaterThan(e.lowMemory.peakMB);
    expect(e.fast.seconds).toBeGreaterThan(0);
    expect(e.lowMemory.seconds).toBeGreaterThan(e.fast.seconds);
  });

  it('rejects invalid parameters before starting', () => {
    const engine = new Engine(pool);
    expect(() => engine.start({ ...spec('fast'), params: { ...DEFAULT_FILTER, lowHz: 7000 } } as PipelineSpec, r.ref, r.meta, () => undefined))
      .toThrow(/highHz .*must be above the high-pass corner/);
  });
});
