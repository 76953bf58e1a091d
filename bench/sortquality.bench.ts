// Sorting quality on ground truth (issue 13): per set, our mean accuracy over units with SNR >= 5
// (app/CLI defaults, run through the engine on a .dat file), the supervised bound (cross-validated
// LDA on the true labels of our own detections) and a Python PCA + GMM reference sorter
// (bench/py/ref_sorter.py, when python3 with scikit-learn exists), plus error kinds summed per set.
// Evaluation seeds only (test/engine/sort-eval.ts); SORT_EVAL_SEEDS=further runs the further
// evaluation seeds, =pooled both lists, =tuning the tuning seeds.
// Quick mode: 2 seeds per Quiroga set, 20 s, one spikes.ts seed. Full mode: 4 seeds, 60 s (the
// length of Quiroga et al.'s sets), three spikes.ts seeds. SORT_EVAL_ONLY=name,name keeps only the
// sets whose name contains one of them (a full-length run of every set takes over an hour here).
// Per set it also counts the units in a pair hidden from unimodality tests (their detections,
// labelled by the truth, are less than d' = 2 apart along the pair's held-out discriminant, where
// an even mixture of two equal normal clouds is unimodal: evaluate.ts truePairs) and gives ours /
// bound over the other units: what split and merge by unimodality (ISO-SPLIT's evidence, which the
// sorter uses) can reach; and the bound with hidden pairs joined (the supervised classifier with each
// hidden pair as one class: what a sorter splitting only where unimodality shows reaches at best;
// the GMM can beat it). The pass mark stays the issue's: 90 % of the bound itself.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SORT } from '../src/shared/params';
import { compareSortings } from '../src/workers/sort/accuracy';
import { totalKinds } from '../src/workers/sort/evaluate';
import { makePool } from '../test/engine/helpers';
import {
  EVALUATION_SEEDS, FRESH_EVALUATION_SEEDS, FURTHER_EVALUATION_SEEDS, NOISE_LEVELS, TUNING_SEEDS, evaluateSorted, quirogaSet, sortThroughEngine, spikesSet, summarize, type EvalRow, type EvalSet,
} from '../test/engine/sort-eval';
import type { BenchContext, BenchRow } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));

export type SeedChoice = 'evaluation' | 'further' | 'fresh' | 'pooled' | 'tuning';

/** The seed lists of a choice: 'pooled' is the evaluation seeds followed by the further and the fresh ones. */
export function seedsOf(which: SeedChoice): { quiroga: readonly number[]; spikes: readonly number[] } {
  if (which === 'tuning') return TUNING_SEEDS;
  if (which === 'further') return FURTHER_EVALUATION_SEEDS;
  if (which === 'fresh') return FRESH_EVALUATION_SEEDS;
  if (which === 'pooled') {
    const lists = [EVALUATION_SEEDS, FURTHER_EVALUATION_SEEDS, FRESH_EVALUATION_SEEDS];
    return { quiroga: lists.flatMap((l) => l.quiroga), spikes: lists.flatMap((l) => l.spikes) };
  }
  return EVALUATION_SEEDS;
}

export function evalSets(quick: boolean, which: SeedChoice): EvalSet[] {
  const seeds = seedsOf(which);
  const q = quick ? seeds.quiroga.slice(0, 2) : seeds.quiroga;
  const s = quick ? seeds.spikes.slice(0, 1) : seeds.spikes;
  const sets: EvalSet[] = [];
  for (const seed of q) for (const d of ['easy', 'difficult'] as const) for (const nl of NOISE_LEVELS) sets.push(quirogaSet(seed, d, nl, quick ? 20 : 60));
  for (const seed of s) sets.push(spikesSet(seed, 12, quick ? 20 : 40));
  return sets;
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const choices: readonly SeedChoice[] = ['evaluation', 'further', 'fresh', 'pooled', 'tuning'];
  const env = process.env.SORT_EVAL_SEEDS ?? 'evaluation';
  if (!choices.includes(env as SeedChoice)) throw new Error(`SORT_EVAL_SEEDS must be one of ${choices.join(', ')} (got ${env})`);
  const which = env as SeedChoice;
  const only = (process.env.SORT_EVAL_ONLY ?? '').split(',').filter(Boolean);
  const sets = evalSets(ctx.quick, which).filter((s) => !only.length || only.some((o) => s.name.includes(o)));
  const pool = await makePool(1);
  const ours: EvalRow[] = [];
  const py: PyRow[] = [];
  try {
    for (const [i, set] of sets.entries()) {
      const rec = set.make();
      const dir = path.join(ctx.tmpDir, `sortq-${i}`);
      const sorted = await sortThroughEngine(pool, dir, rec, DEFAULT_SORT);
      ours.push(...evaluateSorted(set, rec, sorted));
      if (ctx.python) {
        const out = path.join(dir, 'ref.json');
        execFileSync(ctx.python, [path.join(here, 'py', 'ref_sorter.py'), path.join(dir, 'rec.dat'), String(rec.nChannels), String(rec.sampleRate), '0.195', out], { timeout: 1_800_000 });
        const res = JSON.parse(fs.readFileSync(out, 'utf8')) as { channels: Array<{ channel: number; samples: number[]; labels: number[] }> };
        for (const ch of res.channels) {
          const units = rec.units.filter((u) => u.channel === ch.channel);
          if (!units.length) continue;
          const k = ch.labels.reduce((a, l) => Math.max(a, l + 1), 0);
          const found = Array.from({ length: k }, (_, u) => ({ id: u, samples: ch.samples.filter((_, j) => ch.labels[j] === u) }));
          const cmp = compareSortings(units.map((u) => ({ id: u.id, samples: rec.trains[u.id] })), found, rec.sampleRate);
          cmp.units.forEach((a, j) => py.push({ set: set.name, snr: units[j].snr, accuracy: a.accuracy }));
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
      console.log(`   ${set.name} seed ${set.seed} done`);
    }
  } finally {
    await pool.dispose();
  }
  // Per-unit rows, so that runs on different seed lists can be pooled exactly (by unit, not by set
  // means), and per (set, seed) figures: one seed's merged pair shows here, not only in the mean.
  const tag = [which, ctx.quick ? 'quick' : 'full', ...only].join('-');
  // (A folder of its own: bench/run.ts reads every results/*.json as a bench's rows.)
  const unitsDir = path.join(here, 'results', 'sortquality-units');
  fs.mkdirSync(unitsDir, { recursive: true });
  fs.writeFileSync(path.join(unitsDir, `${tag}.json`), JSON.stringify({ date: new Date().toISOString(), which, quick: ctx.quick, ours, python: py }));
  return report(ours, py, which);
}

export type PyRow = { set: string; snr: number; accuracy: number };

/** Issue 13's accuracy target on well-separated units (mean over units with SNR >= 5). */
export const WELL_SEPARATED_TARGET = 0.93;

/**
 * Prints the per-seed table and the per-set table, and returns the bench rows, from per-unit rows
 * (one run's, or several runs' pooled by bench/sortquality-pool.ts).
 */
export function report(ours: EvalRow[], py: PyRow[], which: string): BenchRow[] {
  const perSeed = [...new Set(ours.map((r) => `${r.set}|${r.seed}`))].map((key) => {
    const [set, seed] = key.split('|');
    const g = ours.filter((r) => r.set === set && r.seed === Number(seed) && r.snr >= 5);
    const o = g.reduce((a, r) => a + r.accuracy, 0), b = g.reduce((a, r) => a + r.bound, 0);
    return { set, seed: Number(seed), units: g.length, ours: +(o / Math.max(1, g.length)).toFixed(3), bound: +(b / Math.max(1, g.length)).toFixed(3), 'ours/bound': b > 0 ? +(o / b).toFixed(3) : NaN };
  });
  console.table(perSeed);
  const rows: BenchRow[] = [];
  const table: Array<Record<string, string | number>> = [];
  for (const s of summarize(ours)) {
    const p = py.filter((r) => r.set === s.set && r.snr >= 5);
    const pyMean = p.length ? p.reduce((a, r) => a + r.accuracy, 0) / p.length : NaN;
    const k = totalKinds(ours.filter((r) => r.set === s.set && r.snr >= 5));
    const sep = ours.find((r) => r.set === s.set)?.separated ?? false;
    // Issue 13: at least 0.93 on well-separated units, where it is reachable: when the supervised
    // bound on the sorter's own detections is below 0.93 (easy sets at noise 0.15 / 0.20, where
    // spikes under the threshold are missed by every classifier of these detections), the set is
    // held to 0.9 of the bound like every other set, and the target says so.
    const reachable = s.bound >= WELL_SEPARATED_TARGET;
    const pass = s.ratio >= 0.9 && (!sep || !reachable || s.ours >= WELL_SEPARATED_TARGET) && !(s.ours < pyMean);
    table.push({
      set: s.set, units: s.units, ours: +s.ours.toFixed(3), bound: +s.bound.toFixed(3), 'ours/bound': +s.ratio.toFixed(3), python: +pyMean.toFixed(3),
      hidden: s.hidden, 'ours/bound rest': +s.visibleRatio.toFixed(3), joined: +s.joinedBound.toFixed(3), 'ours/joined': +s.joinedRatio.toFixed(3),
      missed: k.notDetected + k.unassigned, misclassified: k.misclassified, splitOff: k.splitOff, falseFromUnit: k.falseFromUnit, falseFromBg: k.falseFromBackground, nTrue: k.nTrue,
    });
    rows.push({
      area: 'sortquality', name: `${s.set} mean accuracy (SNR >= 5, ${s.units} units, ${which} seeds)`, unit: 'accuracy', value: s.ours,
      reference: Number.isFinite(pyMean) ? pyMean : undefined, referenceName: 'python PCA+GMM', ratio: Number.isFinite(pyMean) && pyMean > 0 ? s.ours / pyMean : undefined,
      target: `${sep ? (reachable ? `>= ${WELL_SEPARATED_TARGET}, ` : `${WELL_SEPARATED_TARGET} out of reach (bound below it), `) : ''}>= 0.9 x bound (${s.bound.toFixed(3)}), >= python`, pass,
      note: `bound ${s.bound.toFixed(3)}; ${s.hidden} unit(s) in a pair less than d' = 2 apart along its held-out discriminant (hidden from unimodality tests), ours / bound over the other units ${s.visibleRatio.toFixed(3)}; bound with hidden pairs joined (one class each) ${s.joinedBound.toFixed(3)}, ours / it ${s.joinedRatio.toFixed(3)}; missed ${k.notDetected}+${k.unassigned} unassigned, misclassified ${k.misclassified}, split off ${k.splitOff}, false from unit ${k.falseFromUnit}, false from background ${k.falseFromBackground} of ${k.nTrue} true spikes`,
    });
  }
  console.table(table);
  return rows;
}
