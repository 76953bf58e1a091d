// Registry-wide mode equality: every registered stage, run through the engine in low-memory mode
// with 1 worker and in fast mode with 1, 2 and 4 workers, writes byte-identical cache entries.
// Each workflow needs a case below; a stage that no case executes fails the test, so a new
// stage or workflow cannot skip the check.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { STAGES } from '../../src/main/pipeline/stages/registry';
import { WORKFLOWS } from '../../src/main/pipeline/workflows';
import { DEFAULT_CORRECT, DEFAULT_FILTER, DEFAULT_SORT, DEFAULT_TF, mergeParams, type PipelineSpec } from '../../src/shared/params';
import type { Pool } from '../../src/main/pool/pool';
import { makeEegRecording, makePool, makeRecording, tmpDir, type TestRecording, removeTmpDirs } from './helpers';

type Case = { name: string; recording: () => Promise<TestRecording>; spec: (mode: PipelineSpec['mode']) => PipelineSpec };

const CASES: Case[] = [
  {
    name: 'sort with a common reference',
    recording: () => makeRecording(tmpDir('eq-sort'), { nChannels: 4, durationS: 8, sampleRate: 20000, unitsPerChannel: [2, 1, 2, 1] }),
    spec: (mode) => ({ workflow: 'sort', params: mergeParams(DEFAULT_SORT, { filter: { reference: 'cmr' }, cluster: { kMax: 3, restarts: 1 } }), mode }),
  },
  {
    name: 'filter',
    recording: () => makeRecording(tmpDir('eq-filter'), { nChannels: 2, durationS: 8, sampleRate: 20000, seed: 5 }),
    spec: (mode) => ({ workflow: 'filter', params: { ...DEFAULT_FILTER, notchHz: 50 }, mode }),
  },
  {
    name: 'correct',
    recording: () => makeEegRecording(tmpDir('eq-correct'), { durationS: 30, nChannels: 2 }),
    spec: (mode) => ({ workflow: 'correct', params: mergeParams(DEFAULT_CORRECT, { obsComponents: 3 }), mode }),
  },
  {
    // Six EEG channels: the steps across channels run too (the low band needs 5, the cross-channel
    // template model is tried), which two channels never reach.
    name: 'correct across channels',
    recording: () => makeEegRecording(tmpDir('eq-correct-6'), { durationS: 30, nChannels: 6 }),
    spec: (mode) => ({ workflow: 'correct', params: DEFAULT_CORRECT, mode }),
  },
  {
    // 'auto' splits each channel into frequency batches when workers outnumber channels (x4 here),
    // so the by-channel and by-frequency-batch strategies are both compared with low-memory x1.
    name: 'time-frequency with bands, a region and a baseline',
    recording: () => makeEegRecording(tmpDir('eq-tf'), { durationS: 20, nChannels: 2, fs: 2000 }),
    spec: (mode) => ({
      workflow: 'tf', mode, channels: [0, 1],
      params: {
        ...DEFAULT_TF, freqs: [4, 6, 9, 13, 20], nCycles: [5], decim: 4, phase: true, strategy: 'auto',
        bands: [{ name: 'theta', lo: 4, hi: 8 }], rois: [{ name: 'both', channels: ['EEG01', 'EEG02'] }],
        baseline: { mode: 'zscore', start: 1, end: 4 },
      },
    }),
  },
  {
    // The correction's stages, then tf on the corrected channels (in its own phase, so 'auto' can
    // still split a channel into frequency batches).
    name: 'time-frequency of the corrected signal',
    recording: () => makeEegRecording(tmpDir('eq-tf-corr'), { durationS: 20, nChannels: 2, fs: 2000 }),
    spec: (mode) => ({
      workflow: 'tf', mode, channels: [0, 1],
      params: { ...DEFAULT_TF, freqs: [4, 9, 20], nCycles: [5], decim: 4, strategy: 'auto', correction: DEFAULT_CORRECT, bands: [{ name: 'alpha', lo: 8, hi: 13 }] },
    }),
  },
];

// The last mode reads the raw channels in batches of 2 (one pass over the file decodes the next
// channel too, ChannelTask.prefetch), as fast runs of many channels do.
const MODES: [PipelineSpec['mode']['kind'], number, number?][] = [['low-memory', 1], ['fast', 1], ['fast', 2], ['fast', 4], ['fast', 2, 2]];

let pool: Pool;
beforeAll(async () => { pool = await makePool(4); });
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

/** stage name -> (file name in the stage folder -> bytes), for every stage folder of a cache. */
function stageFiles(cache: string): Map<string, Map<string, Buffer>> {
  const out = new Map<string, Map<string, Buffer>>();
  for (const dir of fs.readdirSync(cache)) {
    const stage = dir.slice(0, dir.lastIndexOf('-'));
    const files = new Map<string, Buffer>();
    for (const f of fs.readdirSync(path.join(cache, dir)).sort()) files.set(f, fs.readFileSync(path.join(cache, dir, f)));
    out.set(stage, files);
  }
  return out;
}

describe('every registered stage gives the same bytes in every mode and worker count', () => {
  const covered = new Set<string>();

  it('has a case for every workflow', () => {
    const cased = new Set(CASES.map((c) => c.spec({ kind: 'fast', jobs: 1, memoryBudgetMB: 100 }).workflow));
    for (const w of Object.keys(WORKFLOWS)) expect(cased.has(w as PipelineSpec['workflow']), `add a case for workflow ${w}`).toBe(true);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const r = await c.recording();
      const cache = path.join(new Engine(pool).sessionDir(r.meta.path), 'cache');
      let first: Map<string, Map<string, Buffer>> | null = null;
      for (const [kind, jobs, readBatch] of MODES) {
        const engine = new Engine(pool, { readBatch });
        fs.rmSync(cache, { recursive: true, force: true });
        // A small budget makes low-memory mode stream group stages in several blocks.
        const report = await engine.start(c.spec({ kind, jobs, memoryBudgetMB: 130 }), r.ref, r.meta, () => undefined).done;
        expect(report.state, `${kind} x${jobs}${readBatch ? ` in batches of ${readBatch}` : ''}`).toBe('done');
        expect(report.failed).toEqual([]);
        const got = stageFiles(cache);
        for (const s of report.stagesRun) covered.add(s);
        if (!first) { first = got; continue; }
        expect([...got.keys()].sort()).toEqual([...first.keys()].sort());
        for (const [stage, files] of first) {
          const other = got.get(stage)!;
          expect([...other.keys()], `${stage} files (${kind} x${jobs})`).toEqual([...files.keys()]);
          for (const [f, bytes] of files) expect(other.get(f)!.equals(bytes), `${stage}/${f} differs in ${kind} mode with ${jobs} worker(s)`).toBe(true);
        }
      }
    });
  }

  it('covered every stage of the registry', () => {
    const missing = STAGES.map((s) => s.name).filter((n) => !covered.has(n));
    expect(missing, 'stages no case executes: add a case above').toEqual([]);
  });
});
