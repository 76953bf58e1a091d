// The sort workflow end to end on the pool: identical spikes and labels in every mode and for
// 1, 2 or 4 workers, and incremental re-runs that recompute only what a parameter change needs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { loadSortResult, type SortResult } from '../../src/main/pipeline/sort-result';
import { readSession } from '../../src/main/pipeline/session-store';
import { blockSamplesFor } from '../../src/main/pipeline/estimate';
import { DEFAULT_SORT, mergeParams, type PipelineSpec, type SortParams } from '../../src/shared/params';
import type { Pool } from '../../src/main/pool/pool';
import { makePool, makeRecording, tmpDir, type TestRecording, removeTmpDirs } from './helpers';

let pool: Pool;
let r: TestRecording;

beforeAll(async () => {
  pool = await makePool(4);
  r = await makeRecording(tmpDir('sort'), { nChannels: 4, durationS: 15, sampleRate: 20000, unitsPerChannel: [2, 1, 3, 2] });
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

const params: SortParams = mergeParams(DEFAULT_SORT, { filter: { reference: 'car' }, cluster: { kMax: 4, restarts: 2 } });
const spec = (kind: 'fast' | 'low-memory', jobs: number, p = params): PipelineSpec => ({
  workflow: 'sort', params: p, mode: { kind, jobs, memoryBudgetMB: 100 },
});

function fingerprint(res: SortResult): string {
  return JSON.stringify(res.channels.map((c) => [c.channel, [...c.samples], [...c.labels]]));
}

describe('Engine: sort workflow', () => {
  it('gives identical spike times and labels in low-memory and fast mode with 1, 2 and 4 workers', async () => {
    const engine = new Engine(pool);
    const cache = path.join(engine.sessionDir(r.meta.path), 'cache');
    // Low-memory mode really streams: several detection blocks per channel.
    expect(blockSamplesFor(spec('low-memory', 1).mode, r.meta) * 3).toBeLessThan(r.meta.nSamples);
    const prints: string[] = [];
    const waveforms: Buffer[] = [];
    for (const [kind, jobs] of [['low-memory', 1], ['fast', 1], ['fast', 2], ['fast', 4]] as const) {
      fs.rmSync(cache, { recursive: true, force: true });
      const report = await engine.start(spec(kind, jobs), r.ref, r.meta, () => undefined).done;
      expect(report.state).toBe('done');
      expect(report.failed).toEqual([]);
      expect(report.stagesRun).toEqual(['filter', 'reference', 'detect', 'features', 'cluster', 'metrics']);
      const res = loadSortResult(engine.sessionDir(r.meta.path));
      prints.push(fingerprint(res));
      waveforms.push(Buffer.concat(res.channels.map((c) => Buffer.from(c.waveforms.buffer))));
    }
    expect(new Set(prints).size).toBe(1);
    for (const w of waveforms) expect(w.equals(waveforms[0])).toBe(true);
    const res = loadSortResult(engine.sessionDir(r.meta.path));
    // The recording has 8 ground-truth units (one of them sparse): the sort finds spikes and several units.
    expect(res.channels.filter((c) => c.samples.length > 50).length).toBeGreaterThanOrEqual(3);
    expect(res.units.length).toBeGreaterThanOrEqual(4);
  });

  it('re-runs only clustering and metrics when a clustering parameter changes', async () => {
    const engine = new Engine(pool);
    const base = await engine.start(spec('fast', 2), r.ref, r.meta, () => undefined).done;
    expect(base.state).toBe('done');
    const changed = mergeParams(params, { cluster: { kMax: 3 } });
    const report = await engine.start(spec('fast', 2, changed), r.ref, r.meta, () => undefined).done;
    expect(report.stagesRun).toEqual(['cluster', 'metrics']);
    expect(report.stagesCached).toEqual(['filter', 'reference', 'detect', 'features']);
    const last = readSession(engine.sessionDir(r.meta.path))!.runs.at(-1)!;
    expect(last.stages.filter).toMatchObject({ executed: 0, cached: 4 });
    expect(last.stages.detect).toMatchObject({ executed: 0, cached: 4 });
    expect(last.stages.cluster).toMatchObject({ executed: 4, cached: 0 });

    // A detection change re-detects but reuses the filtered channels and the reference.
    const det = await engine.start(spec('low-memory', 1, mergeParams(changed, { detect: { threshold: 4.5 } })), r.ref, r.meta, () => undefined).done;
    expect(det.stagesRun).toEqual(['detect', 'features', 'cluster', 'metrics']);
    expect(det.stagesCached).toEqual(['filter', 'reference']);
  });
});
