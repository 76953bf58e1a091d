// Tuning tool for the sorter (issue 13): sorts TUNING seeds only (test/engine/sort-eval.ts) with
// the compute core on the int16-quantised signal the engine would read (same detection, same
// clustering; the engine itself is what bench/sortquality.bench.ts and the CI test run), and prints
// per set and per true unit: accuracy, the supervised bound and the error kinds. Never point it at
// evaluation seeds.
//   npx tsx bench/sort-tune.ts [sets] [params.json]
// sets: comma-separated names such as difficult-0.15,difficult-0.20,easy-0.10,spikes (default: all);
// SORT_TUNE_SEEDS=101,102 picks Quiroga tuning seeds (must be in TUNING_SEEDS); SORT_TUNE_S=20;
// SORT_TUNE_UNITS=1 prints every unit; SORT_TUNE_ORACLE=1 each pair's true-partition dip and held-out d' (truePairs).

import * as fs from 'node:fs';
import { DEFAULT_SORT, mergeParams, type SortParams } from '../src/shared/params';
import { clusterStage, detectStage, featureStage, filterStage, mergePeeled } from '../src/workers/sort/sort-channel';
import { detectionTruth, evaluateChannel, totalKinds, truePairs, type UnitEvaluation } from '../src/workers/sort/evaluate';
import { GAIN } from '../test/engine/helpers';
import { NOISE_LEVELS, TUNING_SEEDS, quirogaSet, spikesSet, type EvalSet } from '../test/engine/sort-eval';

const names = (process.argv[2] ?? '').split(',').filter(Boolean);
const params: SortParams = process.argv[3] ? mergeParams(DEFAULT_SORT, JSON.parse(fs.readFileSync(process.argv[3], 'utf8'))) : DEFAULT_SORT;
const seeds = (process.env.SORT_TUNE_SEEDS ?? TUNING_SEEDS.quiroga.join(',')).split(',').map(Number);
const spikeSeeds = (process.env.SORT_TUNE_SPIKES ?? String(TUNING_SEEDS.spikes[0])).split(',').map(Number);
for (const s of [...seeds]) if (!(TUNING_SEEDS.quiroga as readonly number[]).includes(s)) throw new Error(`${s} is not a Quiroga tuning seed`);
for (const s of [...spikeSeeds]) if (!(TUNING_SEEDS.spikes as readonly number[]).includes(s)) throw new Error(`${s} is not a spikes tuning seed`);
const dur = Number(process.env.SORT_TUNE_S ?? 20);

const sets: EvalSet[] = [];
for (const seed of seeds) for (const d of ['easy', 'difficult'] as const) for (const nl of NOISE_LEVELS) sets.push(quirogaSet(seed, d, nl, dur));
for (const seed of spikeSeeds) sets.push(spikesSet(seed, 12, dur));
const wanted = sets.filter((s) => !names.length || names.some((n) => s.name.includes(n)));

type Row = UnitEvaluation & { set: string; seed: number; snr: number };
const rows: Row[] = [];
let cpu = 0;
for (const set of wanted) {
  const rec = set.make();
  for (let c = 0; c < rec.nChannels; c++) {
    const units = rec.units.filter((u) => u.channel === c);
    if (!units.length) continue;
    const x = Float32Array.from(rec.channel(c), (v) => Math.max(-32768, Math.min(32767, Math.round(v / GAIN))) * GAIN);
    const t0 = process.cpuUsage();
    // The chain of sortChannel, keeping every spike's waveform (detections aligned, peeled as
    // recorded) as the engine's result holds them, for the bound.
    const filtered = filterStage(x, rec.sampleRate, params.filter);
    const det = detectStage(filtered, rec.sampleRate, params.detect);
    const feat = featureStage(det, params.features);
    const cl = clusterStage(det, feat, params.cluster, rec.sampleRate, x.length, { read: (s, e) => filtered.subarray(s, e), subSamples: det.subSamples, pre: det.pre });
    const all = mergePeeled({ ...det, features: feat.features }, cl.labels, { ...cl.peeled, features: new Float32Array(cl.peeled.samples.length * feat.nFeat) }, det.width, feat.nFeat);
    const dt = process.cpuUsage(t0);
    cpu += (dt.user + dt.system) / 1e6;
    const r = { k: cl.k };
    const ev = evaluateChannel({ samples: all.samples, labels: all.labels, waveforms: all.waveforms, width: det.width }, units.map((u) => ({ id: u.id, samples: rec.trains[u.id] })), rec.sampleRate);
    if (process.env.SORT_TUNE_HASH) {
      let h = 2166136261;
      for (let i = 0; i < all.samples.length; i++) h = Math.imul(h ^ (all.samples[i] * 31 + all.labels[i]), 16777619) >>> 0;
      console.log(`${set.name} s${set.seed} ch${c} n ${all.samples.length} k ${cl.k} hash ${h.toString(16)}`);
    }
    ev.forEach((e, i) => rows.push({ ...e, set: set.name, seed: set.seed, snr: units[i].snr }));
    if (process.env.SORT_TUNE_ORACLE) {
      const nu = units.length;
      const trueOf = detectionTruth(all.samples, units.map((u, id) => ({ id, samples: rec.trains[u.id] })), Math.round(0.0004 * rec.sampleRate));
      const pairs = truePairs({ samples: all.samples, labels: all.labels, waveforms: all.waveforms, width: det.width }, trueOf, nu, params.cluster.isocutBinSize);
      for (let a = 0; a < nu; a++) for (let b = a + 1; b < nu; b++) console.log(`${set.name} s${set.seed} ch${c} true-partition dip ${a}-${b}: ${pairs.dip[a * nu + b].toFixed(2)} d' ${pairs.separation[a * nu + b].toFixed(2)}`);
    }
    if (process.env.SORT_TUNE_UNITS) {
      for (const [i, e] of ev.entries()) {
        console.log(`${set.name} s${set.seed} ch${c} u${i} snr ${units[i].snr.toFixed(1)} k=${r.k} found ${e.foundId} acc ${e.accuracy.toFixed(3)} bound ${e.bound.toFixed(3)} nTrue ${e.nTrue} hits ${e.hits} notDet ${e.notDetected} unas ${e.unassigned} miscl ${e.misclassified} split ${e.splitOff} fUnit ${e.falseFromUnit} fBg ${e.falseFromBackground} pairDip ${e.pairDip.toFixed(2)} pairD ${e.pairSeparation.toFixed(2)} joined ${e.joinedBound.toFixed(3)}`);
      }
    }
  }
}

const table = [...new Set(rows.map((r) => r.set))].map((set) => {
  const g = rows.filter((r) => r.set === set && r.snr >= 5);
  const ours = g.reduce((s, r) => s + r.accuracy, 0) / Math.max(1, g.length);
  const bound = g.reduce((s, r) => s + r.bound, 0) / Math.max(1, g.length);
  const joined = g.reduce((s, r) => s + r.joinedBound, 0) / Math.max(1, g.length);
  const k = totalKinds(g);
  return { set, units: g.length, ours: +ours.toFixed(3), bound: +bound.toFixed(3), ratio: +(ours / bound).toFixed(3), joined: +joined.toFixed(3), 'ours/joined': +(ours / joined).toFixed(3), notDet: k.notDetected, unas: k.unassigned, miscl: k.misclassified, split: k.splitOff, fUnit: k.falseFromUnit, fBg: k.falseFromBackground, nTrue: k.nTrue };
});
console.table(table);
console.log(`sort CPU ${cpu.toFixed(1)} s`);
