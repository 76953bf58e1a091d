// The correction workflow on the pool: triggers found and aligned once, identical corrected samples
// in both modes and for 1 or 2 workers, and a real reduction of the gradient artifact.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { correctionView } from '../../src/main/backend-correction';
import { openSource } from '../../src/main/io';
import { readSession } from '../../src/main/pipeline/session-store';
import { DEFAULT_CORRECT, mergeParams, type PipelineSpec } from '../../src/shared/params';
import type { Pool } from '../../src/main/pool/pool';
import type { EegFmriRecording } from '../../src/workers/synth/eeg-fmri';
import { makeEegRecording, makePool, tmpDir, type TestRecording, removeTmpDirs } from './helpers';

let pool: Pool;
let r: TestRecording & { eeg: EegFmriRecording };

beforeAll(async () => {
  pool = await makePool(2);
  r = await makeEegRecording(tmpDir('correct'));
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

const params = mergeParams(DEFAULT_CORRECT, { obsComponents: 3 });
const spec = (kind: 'fast' | 'low-memory', jobs: number, p = params): PipelineSpec => ({ workflow: 'correct', params: p, mode: { kind, jobs, memoryBudgetMB: 100 } });

function rms(a: Float32Array, b?: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
  return Math.sqrt(s / a.length);
}

describe('Engine: correct workflow', () => {
  it('corrects every EEG channel identically in every mode and removes most of the artifact', async () => {
    const engine = new Engine(pool);
    const cache = path.join(engine.sessionDir(r.meta.path), 'cache');
    const outputs: Buffer[] = [];
    const eegChannels = Array.from({ length: r.eeg.nChannels }, (_, i) => i);
    for (const [kind, jobs] of [['low-memory', 1], ['fast', 1], ['fast', 2]] as const) {
      fs.rmSync(cache, { recursive: true, force: true });
      const report = await engine.start(spec(kind, jobs), r.ref, r.meta, () => undefined).done;
      expect(report.failed).toEqual([]);
      expect(report.state).toBe('done');
      expect(report.stagesRun).toEqual(['triggers', 'aas', 'obs', 'lowpass']);
      // The stim channel carries the triggers; it is not corrected.
      expect(readSession(engine.sessionDir(r.meta.path))!.runs.at(-1)!.channels).toEqual(eegChannels);
      const src = engine.resultSource(r.meta.path, 'corrected')!;
      outputs.push(Buffer.concat(src.read(eegChannels, 0, r.meta.nSamples).map((x) => Buffer.from(x.buffer))));
      src.close();
    }
    for (const o of outputs) expect(o.equals(outputs[0])).toBe(true);

    const run = readSession(engine.sessionDir(r.meta.path))!.runs.at(-1)!;
    const trig = run.summary.triggers as { source: string; count: number };
    expect(trig.source).toMatch(/markers|stim channel/);
    expect(trig.count).toBeGreaterThan(20);

    const src = engine.resultSource(r.meta.path, 'corrected')!;
    const { acqStart, acqEnd } = r.eeg.truth;
    const a = Math.ceil(acqStart), b = Math.floor(acqEnd);
    for (const c of eegChannels) {
      const corrected = src.read([c], a, b)[0];
      const clean = r.eeg.cleanBlock(c, a, b);
      const raw = r.eeg.channelBlock(c, a, b);
      // The residual (corrected - clean) is a small fraction of the artifact that was there.
      expect(rms(corrected, clean)).toBeLessThan(0.2 * rms(raw, clean));
    }
    src.close();

    // Unchanged parameters: the trigger plan and the corrected channels come from the cache.
    const again = await engine.start(spec('fast', 2), r.ref, r.meta, () => undefined).done;
    expect(again.stagesRun).toEqual([]);
    expect(again.stagesCached).toEqual(['triggers', 'aas', 'obs', 'lowpass']);

    // A low-pass change re-runs only the low-pass, once per channel; AAS and OBS come from the cache.
    const lp = await engine.start(spec('fast', 2, mergeParams(params, { lowpassHz: 60 })), r.ref, r.meta, () => undefined).done;
    expect(lp.stagesRun).toEqual(['lowpass']);
    expect(lp.stagesCached).toEqual(['triggers', 'aas', 'obs']);
    const lpRun = readSession(engine.sessionDir(r.meta.path))!.runs.at(-1)!;
    expect(lpRun.stages.lowpass).toMatchObject({ executed: eegChannels.length, cached: 0 });
    expect(lpRun.stages.aas).toMatchObject({ executed: 0, cached: eegChannels.length });
    expect(lpRun.stages.obs).toMatchObject({ executed: 0, cached: eegChannels.length });
    expect(lpRun.stages.triggers).toMatchObject({ executed: 0, cached: 1 });
    // The correction view shows the triggers the run subtracted (from the triggers stage), not a re-detection.
    const raw = await openSource(r.ref.path);
    const view = correctionView(raw, engine.sessionDir(r.meta.path), 0)!;
    raw.close();
    expect(view.triggers.length).toBe((lpRun.summary.triggers as { count: number }).count);
    expect(view.triggerSource).toMatch(/markers|stim channel/);
    // The trigger report the view shows: the generator left one slice marker out; completion put it back
    // within a sample of the true onset, and nothing was removed.
    const rep = view.triggerReport!;
    expect(r.eeg.truth.dropped).toBeGreaterThanOrEqual(0);
    expect(rep.addedCount).toBe(1);
    expect(Math.abs(rep.added[0] - r.eeg.truth.onsets[r.eeg.truth.dropped])).toBeLessThanOrEqual(1.5);
    expect(rep.removed).toEqual([]);
    expect(rep.used).toBe(view.triggers.length);
    expect(rep.found).toBe(view.triggers.length - 1);
    // The run summary keeps the counts, not the sample lists.
    expect(lpRun.summary.triggers).not.toHaveProperty('addedSamples');
    // An OBS change re-runs OBS and the low-pass only.
    const ob = await engine.start(spec('fast', 2, mergeParams(params, { obsComponents: 2 })), r.ref, r.meta, () => undefined).done;
    expect(ob.stagesRun).toEqual(['obs', 'lowpass']);
  });
});
