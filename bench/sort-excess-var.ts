// Excess variance in noise-whitened space (issue 13), TUNING seeds only: for every true unit and every
// union of two true units (oracle labels of our detections), the top eigenvalues of the covariance of
// the whitened waveforms after the mean, the template and its time derivative (sub-sample jitter) are
// projected out, the mean eigenvalue, and the Marchenko-Pastur edge (1 + sqrt(w / n))^2 that white
// noise of n rows would reach. The idea it tests: a single unit's spread is known in whitened space,
// so a union of two units would show excess variance along their difference without being bimodal.
// Measured (seeds 101-110 x 20 s, difficult 0.15 / 0.20): single units' top eigenvalue is 0.88-4.8
// times the edge (mean 1.45; the mean eigenvalue 0.45-1.1, so whitened noise is not white under the
// spikes); unions of pairs closer than 2 noise SDs 0.95-2.4 times. No threshold separates them.
//   npx tsx bench/sort-excess-var.ts [sets]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)
import { detectTuningChannel, tuningRun } from './sort-tuning-setup';
import { detectionTruth } from '../src/workers/sort/evaluate';
import { whitenRows, buildTemplates } from '../src/workers/sort/templates';
import { symmetricEigen } from '../src/workers/sort/linalg';
const { wanted, params } = tuningRun(['difficult', 'easy']);
function topEig(y: Float32Array, w: number, idx: number[], dirs: Float64Array[]): number[] {
  const n = idx.length, mean = new Float64Array(w);
  for (const i of idx) for (let j = 0; j < w; j++) mean[j] += y[i * w + j] / n;
  // orthonormalise dirs
  const B: Float64Array[] = [];
  for (const d0 of dirs) { const d = Float64Array.from(d0); for (const b of B) { let s = 0; for (let j = 0; j < w; j++) s += d[j] * b[j]; for (let j = 0; j < w; j++) d[j] -= s * b[j]; } let nn = 0; for (let j = 0; j < w; j++) nn += d[j] ** 2; nn = Math.sqrt(nn); if (nn < 1e-9) continue; for (let j = 0; j < w; j++) d[j] /= nn; B.push(d); }
  const C = new Float64Array(w * w), r = new Float64Array(w);
  for (const i of idx) {
    for (let j = 0; j < w; j++) r[j] = y[i * w + j] - mean[j];
    for (const b of B) { let s = 0; for (let j = 0; j < w; j++) s += r[j] * b[j]; for (let j = 0; j < w; j++) r[j] -= s * b[j]; }
    for (let a = 0; a < w; a++) for (let c = a; c < w; c++) C[a * w + c] += r[a] * r[c];
  }
  for (let a = 0; a < w; a++) for (let c = a; c < w; c++) { C[a * w + c] /= n - 1; C[c * w + a] = C[a * w + c]; }
  const e = symmetricEigen(C, w);
  const v = Array.from(e.values).sort((p, q) => q - p);
  let tr = 0; for (const x of v) tr += x;
  return [v[0], v[1], v[2], tr / (w - B.length)];
}
for (const set of wanted) {
  const { truth, fsr, det, feat } = detectTuningChannel(set, params);
  const n = det.samples.length, w = det.width;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  const y = whitenRows(det.waveforms, n, w, feat.whitener);
  const T = buildTemplates(det.waveforms, w, trueOf, truth.length, feat.whitener, params.cluster.templateMaxShift);
  const idxOf = (u: number) => { const a: number[] = []; for (let i = 0; i < n; i++) if (trueOf[i] === u) a.push(i); return a; };
  const dirs = (u: number) => [T.t.slice(u * w, u * w + w), T.d.slice(u * w, u * w + w)];
  const f = (x: number[]) => x.map((v) => v.toFixed(2)).join(' ');
  for (let a = 0; a < truth.length; a++) {
    const ia = idxOf(a); const mp = (1 + Math.sqrt(w / ia.length)) ** 2;
    console.log(set.name, set.seed, 'unit', a, ia.length, 'top', f(topEig(y, w, ia, dirs(a))), 'mp', mp.toFixed(2));
  }
  for (let a = 0; a < truth.length; a++) for (let b = a + 1; b < truth.length; b++) {
    const ia = idxOf(a), ib = idxOf(b);
    let dn = 0; for (let j = 0; j < w; j++) dn += (T.t[a * w + j] - T.t[b * w + j]) ** 2;
    const u = ia.concat(ib);
    console.log(set.name, set.seed, 'pair', `${a}-${b}`, u.length, 'dist', Math.sqrt(dn).toFixed(2), 'top', f(topEig(y, w, u, [...dirs(a), ...dirs(b)])), 'mp', ((1 + Math.sqrt(w / u.length)) ** 2).toFixed(2));
  }
}
