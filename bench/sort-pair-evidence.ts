// Evidence between TRUE units (issue 13), tuning seeds only: for every pair of true units of a set,
// the detections' whitened template distance, the dip scores along their discriminant (ldaDip
// cross-validated and not, discriminantDip as mergeUnimodal uses it) and the refractory likelihood
// ratios of the pair (both orders; minority order, ClusterParams.resplitSymmetric). It tells a merge
// the tests would have seen through, given the right cut, from one they cannot see.
// Measured (tuning seeds 101-110 x 60 s): the pairs the sorter keeps merged (seed 106 difficult 0.15
// units 1-2, seed 108 difficult 0.20 units 0-1) carry overwhelming refractory evidence (log10 LR 18.9
// and 20.3; minority order 5.1 and 7.6) and, cut right, a multimodal discriminant (ldaDip 2.7 and
// 1.5), so it is the trial cut that misses them. Others cannot be seen (seed 106 0.20 units 1-2:
// ldaDip 1.0, minority order -0.3).
//   npx tsx bench/sort-pair-evidence.ts [sets]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)
import { detectTuningChannel, tuningRun } from './sort-tuning-setup';
import { detectionTruth } from '../src/workers/sort/evaluate';
import { ldaDip } from '../src/workers/sort/lda-refine';
import { whitenRows, buildTemplates, discriminantDip } from '../src/workers/sort/templates';
import { refractoryEvidence } from '../src/workers/sort/refractory';
const { wanted, params } = tuningRun(['difficult']);
for (const set of wanted) {
  const { truth, fsr, x: x0, det, feat } = detectTuningChannel(set, params);
  const n = det.samples.length, w = det.width;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  const y = whitenRows(det.waveforms, n, w, feat.whitener);
  let lo = Infinity; for (let i = 1; i < n; i++) lo = Math.min(lo, det.samples[i] - det.samples[i - 1]);
  const hi = (params.cluster.refractoryMs * fsr) / 1000;
  const T = buildTemplates(det.waveforms, w, trueOf, truth.length, feat.whitener, params.cluster.templateMaxShift);
  for (let a = 0; a < truth.length; a++) for (let b = a + 1; b < truth.length; b++) {
    const ia: number[] = [], ib: number[] = [];
    for (let i = 0; i < n; i++) { if (trueOf[i] === a) ia.push(i); if (trueOf[i] === b) ib.push(i); }
    const ta = Int32Array.from(ia, (i) => det.samples[i]), tb = Int32Array.from(ib, (i) => det.samples[i]);
    let dn = 0; for (let j = 0; j < w; j++) dn += (T.t[a * w + j] - T.t[b * w + j]) ** 2;
    console.log(set.name, set.seed, `${a}-${b}`, ia.length, ib.length, 'noiseDist', Math.sqrt(dn).toFixed(2), 'ldaDipCV', ldaDip(y, w, ia, ib, params.cluster.ldaShrinkage, params.cluster.isocutBinSize, true).toFixed(2), 'ldaDip', ldaDip(y, w, ia, ib, params.cluster.ldaShrinkage, params.cluster.isocutBinSize, false).toFixed(2), 'discDip', discriminantDip(y, w, ia, ib, T, a, b, params.cluster.isocutBinSize, false).toFixed(2), 'log10 LR', Math.log10(refractoryEvidence(ta, tb, lo, hi, x0.length)).toFixed(1), 'minority order', Math.log10(refractoryEvidence(ta, tb, lo, hi, x0.length, true)).toFixed(1));
  }
}
