// Ground-truth evaluation of sorting as a user gets it: a recording written to disk as int16 .dat,
// sorted by the run engine with the parameters the app and CLI use (DEFAULT_SORT), read back from
// the session cache, and compared with the truth (src/workers/sort/evaluate.ts). Shared by the CI
// test (sort-ground-truth.test.ts, a few evaluation seeds) and the bench (bench/sortquality.bench.ts).

import * as fs from 'node:fs';
import { Engine } from '../../src/main/pipeline/engine';
import { loadSortResult } from '../../src/main/pipeline/sort-result';
import type { Pool } from '../../src/main/pool/pool';
import type { PipelineSpec, SortParams } from '../../src/shared/params';
import { UNIMODAL_SEPARATION, evaluateChannel, type UnitEvaluation } from '../../src/workers/sort/evaluate';
import { generateQuirogaRecording, type QuirogaDifficulty } from '../../src/workers/synth/quiroga';
import { generateSpikeRecording, type SpikeRecording } from '../../src/workers/synth/spikes';
import { writeRecording } from './helpers';

/**
 * Seeds. TUNING seeds are the only ones any choice in the sorter was looked at on; EVALUATION
 * seeds are reported and asserted on. (spikes.ts seeds 1-6 were used by earlier tuning, so the
 * evaluation seeds of that generator start at 11.) Quiroga tuning seeds 111-120 were added on
 * 2026-12-03 to look at 60 s merges on more draws than 101-110, and 121-140 on 2026-12-03 (the
 * 24th session) to look at three-unit confusions at difficult 0.20, 60 s, on tuning draws only.
 */
export const TUNING_SEEDS = { quiroga: [101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140], spikes: [1, 2, 3, 4, 5, 6] } as const;
export const EVALUATION_SEEDS = { quiroga: [201, 202, 203, 204], spikes: [11, 12, 13] } as const;
/**
 * Further evaluation seeds, disjoint from both lists above and never sorted before they were
 * committed here (2026-12-03, before their first run, with the sorter unchanged since 721d3d5).
 * Why: four seeds give a set 12 units, so one pair of similar units merged or not moves a set's
 * ratio to the bound by about 0.05, more than the margin the acceptance is judged on. They are
 * reported on their own and pooled with EVALUATION_SEEDS (bench: SORT_EVAL_SEEDS=further|pooled),
 * whatever they give; the original four-seed figures stay in the report next to them.
 */
export const FURTHER_EVALUATION_SEEDS = { quiroga: [205, 206, 207, 208, 209, 210, 211, 212], spikes: [14, 15, 16] } as const;
/**
 * Fresh evaluation seeds, disjoint from every list above (and from 301-304, looked at in the ninth
 * session), committed here on 2026-12-03 (24th session) before their first run, with the sorter
 * unchanged since 721d3d5. Why: the twelve seeds above put difficult 0.20 at 0.861 of the bound,
 * while twenty tuning seeds no choice was made on (121-140, sorted once the same day with the same
 * sorter) put it at 0.943; per seed the ratio ranges 0.5-1.0 (one pair below d' 1 costs a seed
 * about a quarter of its bound), so twelve seeds leave the set mean uncertain by several hundredths.
 * The rule, fixed before the run: issue 13's acceptance is judged on all three lists pooled (36
 * Quiroga seeds, 12 spikes seeds; bench: SORT_EVAL_SEEDS=pooled), the fresh seeds' own figures and
 * the twelve-seed figures are reported next to it, and no further seeds are added for this
 * acceptance, whatever they give.
 */
export const FRESH_EVALUATION_SEEDS = {
  quiroga: [401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 419, 420, 421, 422, 423, 424],
  spikes: [21, 22, 23, 24, 25, 26],
} as const;

export const NOISE_LEVELS = [0.05, 0.1, 0.15, 0.2] as const;

export interface EvalSet {
  /** e.g. 'quiroga-easy-0.10' or 'spikes-12ch'. */
  name: string;
  seed: number;
  /** Well-separated units (the acceptance's 0.93 target applies to these sets). */
  separated: boolean;
  make(): SpikeRecording;
}

export function quirogaSet(seed: number, difficulty: QuirogaDifficulty, noiseLevel: number, durationS: number): EvalSet {
  return {
    name: `quiroga-${difficulty}-${noiseLevel.toFixed(2)}`, seed, separated: difficulty === 'easy',
    make: () => generateQuirogaRecording({ seed, difficulty, noiseLevel, durationS }),
  };
}

export function spikesSet(seed: number, nChannels: number, durationS: number): EvalSet {
  // Noise range of the earlier CI ground truth's second run (the harder of the two).
  return { name: `spikes-${nChannels}ch`, seed, separated: false, make: () => generateSpikeRecording({ seed, nChannels, durationS, noiseUv: [10, 20] }) };
}

export interface EvalRow extends UnitEvaluation {
  set: string;
  seed: number;
  channel: number;
  snr: number;
  separated: boolean;
}

export interface SortedChannel { channel: number; samples: Int32Array; labels: Int32Array; waveforms: Float32Array; width: number }

/** Write rec to dir/rec.dat, sort it with the engine (fast mode, `jobs` workers), read the result back. */
export async function sortThroughEngine(pool: Pool, dir: string, rec: SpikeRecording, params: SortParams, jobs = 1): Promise<SortedChannel[]> {
  fs.mkdirSync(dir, { recursive: true });
  const { ref, meta } = await writeRecording(dir, rec);
  const engine = new Engine(pool);
  const spec: PipelineSpec = { workflow: 'sort', params, mode: { kind: 'fast', jobs, memoryBudgetMB: 1024 } };
  const report = await engine.start(spec, ref, meta, () => undefined).done;
  if (report.state !== 'done' || report.failed.length) throw new Error(`sort run ${report.state}: ${JSON.stringify(report.failed)}`);
  const res = loadSortResult(engine.sessionDir(meta.path), report.runId);
  return res.channels.map((c) => ({ channel: c.channel, samples: c.samples, labels: c.labels, waveforms: c.waveforms, width: res.pre + res.post }));
}

/** Evaluation rows of one sorted recording (channels without true units are skipped). */
export function evaluateSorted(set: EvalSet, rec: SpikeRecording, sorted: SortedChannel[]): EvalRow[] {
  const rows: EvalRow[] = [];
  for (const ch of sorted) {
    const units = rec.units.filter((u) => u.channel === ch.channel);
    if (!units.length) continue;
    const ev = evaluateChannel(ch, units.map((u) => ({ id: u.id, samples: rec.trains[u.id] })), rec.sampleRate);
    ev.forEach((e, i) => rows.push({ ...e, set: set.name, seed: set.seed, channel: ch.channel, snr: units[i].snr, separated: set.separated }));
  }
  return rows;
}

export interface SetSummary {
  set: string; units: number; ours: number; bound: number; ratio: number;
  /** Units in a pair hidden from unimodality tests (held-out d' below UNIMODAL_SEPARATION, evaluate.ts). */
  hidden: number;
  /** ours / bound over the other units (NaN when every unit is in a hidden pair). */
  visibleRatio: number;
  /** Mean bound with hidden pairs joined (as one class, evaluate.ts) and ours / it. */
  joinedBound: number; joinedRatio: number;
}

/** Mean accuracy and bound over units with SNR >= minSnr, per set name (seeds pooled). */
export function summarize(rows: EvalRow[], minSnr = 5): SetSummary[] {
  const names = [...new Set(rows.map((r) => r.set))];
  const mean = (g: EvalRow[], f: (r: EvalRow) => number) => g.reduce((s, r) => s + f(r), 0) / Math.max(1, g.length);
  return names.map((set) => {
    const g = rows.filter((r) => r.set === set && r.snr >= minSnr);
    const ours = mean(g, (r) => r.accuracy), bound = mean(g, (r) => r.bound);
    const vis = g.filter((r) => r.pairSeparation >= UNIMODAL_SEPARATION);
    const vb = mean(vis, (r) => r.bound);
    const joinedBound = mean(g, (r) => r.joinedBound);
    return {
      set, units: g.length, ours, bound, ratio: bound > 0 ? ours / bound : 0, hidden: g.length - vis.length,
      visibleRatio: vis.length && vb > 0 ? mean(vis, (r) => r.accuracy) / vb : NaN, joinedBound, joinedRatio: joinedBound > 0 ? ours / joinedBound : 0,
    };
  });
}
