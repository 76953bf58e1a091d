// Diagnostic (issue 13), TUNING seeds only: each final cluster's own refractory violations (pairs
// inside (dead time, refractoryMs)) against its autocorrelogram baseline just above the refractory
// period, and its composition by true unit: do merged pairs show up by their own violations?
//   npx tsx bench/sort-union-violations.ts [sets]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)
import { sortTuningChannel, tuningRun } from './sort-tuning-setup';
import { detectionTruth } from '../src/workers/sort/evaluate';

const { wanted, params } = tuningRun(['difficult', 'easy']);
const cp = params.cluster;
function pairsIn(t: Int32Array, lo: number, hi: number): number {
  let c = 0;
  for (let i = 0; i < t.length; i++) for (let j = i + 1; j < t.length && t[j] - t[i] < hi; j++) if (t[j] - t[i] > lo) c++;
  return c;
}
for (const set of wanted) {
  const { truth, fsr, x, det, cl } = sortTuningChannel(set, params);
  const n = det.samples.length, nu = truth.length;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  let lo = Infinity; for (let i = 1; i < n; i++) lo = Math.min(lo, det.samples[i] - det.samples[i - 1]);
  const hi = (cp.refractoryMs * fsr) / 1000;
  for (let c = 0; c < cl.k; c++) {
    const idx: number[] = []; for (let i = 0; i < n; i++) if (cl.labels[i] === c) idx.push(i);
    const t = Int32Array.from(idx, (i) => det.samples[i]).sort();
    const comp = new Float64Array(nu + 1); for (const i of idx) comp[trueOf[i] >= 0 ? trueOf[i] : nu]++;
    const viol = pairsIn(t, lo, hi);
    // baseline: pairs within (hi, hi + 20 ms), per sample of lag
    const span = Math.round(0.02 * fsr);
    const base = pairsIn(t, hi, hi + span) / span * (hi - lo);
    const chance = (t.length * (t.length - 1) / 2) * 2 * (hi - lo) / x.length;
    console.log(`${set.name} s${set.seed} c${c} n ${t.length} [${Array.from(comp).map((v, u) => (u === nu ? 'bg' : u) + ':' + v).filter((s) => !s.endsWith(':0')).join(' ')}] viol ${viol} base ${base.toFixed(1)} poissonChance ${chance.toFixed(1)} ratio ${(viol / Math.max(0.5, base)).toFixed(2)}`);
  }
}
