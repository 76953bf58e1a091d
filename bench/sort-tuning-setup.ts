// Shared set-up of the sorter's tuning and diagnosis scripts (sort-diagnose.ts, sort-cannot-link.ts,
// sort-background.ts): the TUNING sets a run asks for and one channel sorted as the engine would
// (int16-quantised, peeling off). Evaluation seeds are refused here, so no script can tune on them.

import * as fs from 'node:fs';
import { DEFAULT_SORT, mergeParams, type SortParams } from '../src/shared/params';
import { clusterStage, detectStage, featureStage, filterStage } from '../src/workers/sort/sort-channel';
import { GAIN } from '../test/engine/helpers';
import { TUNING_SEEDS, quirogaSet, type EvalSet } from '../test/engine/sort-eval';

/**
 * argv[2]: comma-separated set names (default the difficult 0.15 / 0.20 sets); argv[3]: a params
 * JSON merged over the defaults. SORT_TUNE_SEEDS picks Quiroga tuning seeds, SORT_TUNE_S the length.
 */
export function tuningRun(difficulties: ReadonlyArray<'easy' | 'difficult'> = ['easy', 'difficult']): { wanted: EvalSet[]; params: SortParams } {
  const names = (process.argv[2] ?? 'difficult-0.15,difficult-0.20').split(',').filter(Boolean);
  const params: SortParams = process.argv[3] ? mergeParams(DEFAULT_SORT, JSON.parse(fs.readFileSync(process.argv[3], 'utf8'))) : DEFAULT_SORT;
  const seeds = (process.env.SORT_TUNE_SEEDS ?? TUNING_SEEDS.quiroga.join(',')).split(',').map(Number);
  for (const s of seeds) if (!(TUNING_SEEDS.quiroga as readonly number[]).includes(s)) throw new Error(`${s} is not a Quiroga tuning seed`);
  const dur = Number(process.env.SORT_TUNE_S ?? 20);
  const sets: EvalSet[] = [];
  for (const seed of seeds) for (const d of difficulties) for (const nl of [0.05, 0.1, 0.15, 0.2]) sets.push(quirogaSet(seed, d, nl, dur));
  return { wanted: sets.filter((s) => names.some((n) => s.name.includes(n))), params };
}

/** A set's recording, truth and channel 0 through filtering, detection and features. */
export function detectTuningChannel(set: EvalSet, params: SortParams) {
  const rec = set.make();
  const units = rec.units.filter((u) => u.channel === 0);
  const truth = units.map((u) => ({ id: u.id, samples: rec.trains[u.id] }));
  const fsr = rec.sampleRate;
  const x = Float32Array.from(rec.channel(0), (v) => Math.max(-32768, Math.min(32767, Math.round(v / GAIN))) * GAIN);
  const filtered = filterStage(x, fsr, params.filter);
  const det = detectStage(filtered, fsr, params.detect);
  const feat = featureStage(det, params.features);
  return { rec, truth, fsr, x, filtered, det, feat };
}

/** A set's recording, truth and channel 0 through the sorting stages (peeling off). */
export function sortTuningChannel(set: EvalSet, params: SortParams) {
  const { rec, truth, fsr, x, filtered, det, feat } = detectTuningChannel(set, params);
  const cp = { ...params.cluster, peelMax: 0 };
  const cl = clusterStage(det, feat, cp, fsr, x.length);
  return { rec, truth, fsr, x, filtered, det, feat, cp, cl };
}
