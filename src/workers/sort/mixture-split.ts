// A split test in more than one dimension for clusters the unimodality test keeps whole. Two
// similar units (d' about 1.7 along their best direction) make one hump along every line, so a 1-D
// test cannot see them; in a few dimensions of the cluster's own waveform variation a two-Gaussian
// model can still describe the cloud better than one. "Better" is measured on rows the models were
// not fitted on (two-fold cross-validated log-likelihood), so no penalty constant (BIC's log n) is
// needed: a second component that only fits the training rows' noise loses on the held-out rows.
// What a held-out likelihood cannot tell apart (one non-Gaussian unit from two Gaussian ones) is
// decided by refractory evidence: the two parts must fire independently (cross spike pairs inside
// the refractory period at the chance rate), which pieces of one unit never do.

import { Rng } from '../rng';
import { fitGmm, gmmScore, predictGmm } from './gmm';
import { pca } from './pca';
import { buildTemplates } from './templates';

export interface MixtureSplitOptions {
  /** Dimensions (the cluster's own principal components of its de-jittered whitened waveforms). */
  dims: number;
  /** Each part keeps at least this many spikes (ClusterParams.minUnitSpikes). */
  minSpikes: number;
  /** Held-out gain (nats per held-out row, both folds) a split needs; 0 = any gain. */
  minGain: number;
  seed: number;
  restarts: number;
  maxIter: number;
  maxShift: number;
}

/** The cluster's rows de-jittered against its own template and projected on its first dims PCs. */
function clusterFeatures(x: Float32Array, y: Float32Array, w: number, idx: number[], W: Float64Array, dims: number, maxShift: number): { f: Float32Array; d: number } {
  const one = new Int32Array(x.length / w).fill(-1);
  for (const i of idx) one[i] = 0;
  const T = buildTemplates(x, w, one, 1, W, maxShift);
  const z = new Float32Array(idx.length * w);
  idx.forEach((i, r) => {
    let rd = 0;
    for (let j = 0; j < w; j++) rd += (y[i * w + j] - T.t[j]) * T.d[j];
    const s = T.dd[0] > 0 ? Math.max(-T.maxShift, Math.min(T.maxShift, rd / T.dd[0])) : 0;
    for (let j = 0; j < w; j++) z[r * w + j] = y[i * w + j] - s * T.d[j];
  });
  const model = pca(z, idx.length, w, Math.min(dims, w));
  return { f: model.project(z, idx.length), d: model.k };
}

function rowsOf(f: Float32Array, d: number, n: number, parity: number): { X: Float32Array; m: number } {
  const m = Math.floor((n - parity + 1) / 2);
  const X = new Float32Array(m * d);
  for (let r = parity, q = 0; r < n; r += 2, q++) X.set(f.subarray(r * d, (r + 1) * d), q * d);
  return { X, m };
}

/**
 * Held-out gain of two full-covariance Gaussian components over one, in nats per row: fitted on
 * the even rows and scored on the odd ones, then the other way round; the smaller of the two gains
 * (both folds must agree). -Infinity when a fold is too small for two components.
 */
export function heldOutGain(f: Float32Array, n: number, d: number, o: Pick<MixtureSplitOptions, 'seed' | 'restarts' | 'maxIter'>): number {
  const folds = [rowsOf(f, d, n, 0), rowsOf(f, d, n, 1)];
  const params2 = 2 * ((d * (d + 1)) / 2 + d) + 1;
  if (folds.some((s) => s.m < 4 * params2)) return -Infinity;
  let worst = Infinity;
  for (let k = 0; k < 2; k++) {
    const train = folds[k], test = folds[1 - k];
    const g1 = fitGmm(train.X, train.m, d, 1, { maxIter: o.maxIter });
    const g2 = fitGmm(train.X, train.m, d, 2, { maxIter: o.maxIter, restarts: o.restarts, seed: o.seed * 104729 + k });
    worst = Math.min(worst, gmmScore(g2, test.X, test.m) - gmmScore(g1, test.X, test.m));
  }
  return worst;
}

/**
 * Split each cluster whose two-Gaussian model wins on held-out rows (heldOutGain > minGain); the
 * parts are the two components' most probable rows (fitted on all of the cluster's rows). Parts
 * are not split again (a second level would mostly cut single units' tails). New clusters get ids
 * k, k+1, ...; returns the new cluster count.
 */
export function mixtureSplit(
  x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, o: MixtureSplitOptions,
  twoNeurons: (a: number[], b: number[]) => boolean,
): number {
  let next = k;
  for (let c = 0; c < k; c++) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) idx.push(i);
    if (idx.length < 4 * o.minSpikes) continue;
    const { f, d } = clusterFeatures(x, y, w, idx, W, o.dims, o.maxShift);
    // A seeded shuffle decides the folds, so time-ordered drifts are not split between them.
    const rng = new Rng(o.seed * 31 + c);
    const perm = Int32Array.from(idx, (_, r) => r);
    for (let r = perm.length - 1; r > 0; r--) { const j = rng.int(r + 1); const t = perm[r]; perm[r] = perm[j]; perm[j] = t; }
    const fp = new Float32Array(idx.length * d);
    for (let r = 0; r < idx.length; r++) fp.set(f.subarray(perm[r] * d, (perm[r] + 1) * d), r * d);
    if (!(heldOutGain(fp, idx.length, d, o) > o.minGain)) continue;
    const g2 = fitGmm(f, idx.length, d, 2, { maxIter: o.maxIter, restarts: o.restarts, seed: o.seed * 104729 + 2 });
    const part = predictGmm(g2, f, idx.length).labels;
    let n1 = 0;
    for (let r = 0; r < idx.length; r++) n1 += part[r];
    if (n1 < o.minSpikes || idx.length - n1 < o.minSpikes) continue;
    // A better density fit alone does not make two neurons (one unit's non-Gaussian cloud also
    // prefers two components): the parts must also fire independently of each other, with cross
    // spike pairs inside the refractory period at about the chance rate (refractory.ts).
    if (!twoNeurons(idx.filter((_, r) => part[r] === 0), idx.filter((_, r) => part[r] === 1))) continue;
    const id = next++;
    idx.forEach((i, r) => { if (part[r]) labels[i] = id; });
  }
  return next;
}
