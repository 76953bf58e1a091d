// Discriminant refinement of a clustering on the whole waveform: the clusters' means and their
// pooled within-cluster covariance define a linear discriminant (the classifier the evaluation's
// supervised bound uses, evaluate.ts, there trained on the true labels), every assigned event goes
// to the cluster with the highest discriminant score, and the model is refitted; a few passes of
// classification EM for a Gaussian mixture with one shared covariance. The GMM that made the
// clusters saw three principal components; the discriminant sees every waveform sample, weighted by
// how much the clusters actually vary there (alignment jitter, background spikes), which a noise
// whitener alone does not know.
//
// Measured on the tuning seeds (101-110 x 20 s, bench/sort-tune.ts) and not adopted: clusterStage
// refining the noise-whitened rows instead of raw samples (shrinkage towards the noise covariance)
// raised difficult 0.15 / 0.20 0.727 / 0.483 -> 0.739 / 0.492 before the final re-split
// (ClusterParams.resplitFinal), but with it cost difficult 0.20 0.549 -> 0.516 (0.15 +0.002).
// Soft EM, Oracle Approximating Shrinkage and cross-fitting each did worse than this hard fit.

import { ldaDiscriminants } from './linalg';
import { dipScore } from './isocut';

/**
 * Reassign labelled rows of x (n x d) among clusters 0..k-1 by the discriminant of the current
 * clusters, up to `passes` times (stops when nothing moves). Rows labelled -1 are left alone;
 * clusters with fewer than d + 1 rows keep their rows but attract none. The pooled covariance is
 * shrunk towards its mean variance by `shrinkage` (ClusterParams.ldaShrinkage, as evaluate.ts's
 * LDA). In place; returns moves.
 */
export function discriminantRefine(x: Float32Array, n: number, d: number, labels: Int32Array, k: number, passes: number, shrinkage: number): number {
  let moved = 0;
  const mean = new Float64Array(k * d), cnt = new Float64Array(k), cov = new Float64Array(d * d), r = new Float64Array(d);
  for (let pass = 0; pass < passes; pass++) {
    mean.fill(0); cnt.fill(0); cov.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (c < 0) continue;
      cnt[c]++;
      for (let j = 0; j < d; j++) mean[c * d + j] += x[i * d + j];
    }
    let m = 0;
    for (let c = 0; c < k; c++) if (cnt[c]) { m += cnt[c]; for (let j = 0; j < d; j++) mean[c * d + j] /= cnt[c]; }
    const usable = Array.from({ length: k }, (_, c) => c).filter((c) => cnt[c] > d);
    if (usable.length < 2) break;
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (c < 0) continue;
      for (let j = 0; j < d; j++) r[j] = x[i * d + j] - mean[c * d + j];
      for (let a = 0; a < d; a++) { const ra = r[a]; for (let b = a; b < d; b++) cov[a * d + b] += ra * r[b]; }
    }
    const lda = ldaDiscriminants(cov, mean, cnt, m, d, usable, shrinkage);
    if (!lda) break;
    const { wgt, bias } = lda;
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const cur = labels[i];
      if (cur < 0 || !Number.isFinite(bias[cur])) continue;
      let best = cur, bs = -Infinity;
      for (const c of usable) {
        let s = bias[c];
        for (let j = 0; j < d; j++) s += wgt[c * d + j] * x[i * d + j];
        if (s > bs) { bs = s; best = c; }
      }
      if (best !== cur) { labels[i] = best; changed++; }
    }
    moved += changed;
    if (!changed) break;
  }
  return moved;
}

/**
 * Dip score (isocut.ts) of row sets A and B (indices into y, n x w) projected on their linear
 * discriminant: the difference of their means through the inverse of their pooled within-set
 * covariance (shrunk as in discriminantRefine). Unlike the noise-whitened mean difference, this
 * direction discounts what varies within the sets besides the noise (alignment jitter, background
 * spikes riding on the events), the direction the supervised bound uses. With crossValidate the
 * means and covariance come from every other row and the dip is measured on the others (a direction
 * fitted to the rows it projects makes one Gaussian cloud look bimodal); 0 when a set is too small.
 */
export function ldaDip(y: Float32Array, w: number, ia: ArrayLike<number>, ib: ArrayLike<number>, shrinkage: number, binSize: number, crossValidate: boolean): number {
  const p = ldaProjections(y, w, ia, ib, shrinkage, crossValidate);
  return p ? dipScore([...p[0], ...p[1]], binSize) : 0;
}

/**
 * The projections of A's and B's rows on their linear discriminant (as ldaDip: fitted on every other
 * row and projected the others with crossValidate); null when a set is too small.
 */
export function ldaProjections(y: Float32Array, w: number, ia: ArrayLike<number>, ib: ArrayLike<number>, shrinkage: number, crossValidate: boolean): [number[], number[]] | null {
  const step = crossValidate ? 2 : 1;
  const sets = [ia, ib];
  const mean = new Float64Array(2 * w), cnt = new Float64Array(2), cov = new Float64Array(w * w), r = new Float64Array(w);
  sets.forEach((idx, c) => {
    for (let q = 0; q < idx.length; q += step) { cnt[c]++; const o = idx[q] * w; for (let j = 0; j < w; j++) mean[c * w + j] += y[o + j]; }
    if (cnt[c]) for (let j = 0; j < w; j++) mean[c * w + j] /= cnt[c];
  });
  if (cnt[0] < 2 || cnt[1] < 2) return null;
  sets.forEach((idx, c) => {
    for (let q = 0; q < idx.length; q += step) {
      const o = idx[q] * w;
      for (let j = 0; j < w; j++) r[j] = y[o + j] - mean[c * w + j];
      for (let a = 0; a < w; a++) { const ra = r[a]; for (let b = a; b < w; b++) cov[a * w + b] += ra * r[b]; }
    }
  });
  const lda = ldaDiscriminants(cov, mean, cnt, cnt[0] + cnt[1], w, [0, 1], shrinkage);
  if (!lda) return null;
  return sets.map((idx) => {
    const proj: number[] = [];
    for (let q = crossValidate ? 1 : 0; q < idx.length; q += step) {
      const o = idx[q] * w;
      let s = 0;
      for (let j = 0; j < w; j++) s += (lda.wgt[j] - lda.wgt[w + j]) * y[o + j];
      proj.push(s);
    }
    return proj;
  }) as [number[], number[]];
}
