// Discriminant refinement of a clustering on the whole waveform: the clusters' means and their
// pooled within-cluster covariance define a linear discriminant (the classifier the evaluation's
// supervised bound uses, evaluate.ts, there trained on the true labels), every assigned event goes
// to the cluster with the highest discriminant score, and the model is refitted; a few passes of
// classification EM for a Gaussian mixture with one shared covariance. The GMM that made the
// clusters saw three principal components; the discriminant sees every waveform sample, weighted by
// how much the clusters actually vary there (alignment jitter, background spikes), which a noise
// whitener alone does not know.
//
// The rows must be noise-whitened (the features stage's whitener), so that the shrinkage of the
// pooled covariance (ClusterParams.ldaShrinkage) pulls it towards the noise covariance rather than
// towards a multiple of the identity in raw samples. Filtered waveforms have directions of tiny
// noise variance (the bands the filter removed), and similar units differ in them too: shrinking
// towards the mean raw variance buries those directions and the refinement degrades a correct
// partition. On the tuning seeds (101-110 x 20 s, bench/sort-diagnose.ts, variant `disc`: the
// oracle-repaired partition through this refinement alone) difficult 0.20 went 0.598 -> 0.542 on raw
// samples, 0.602 -> 0.574 on whitened rows; difficult 0.15 0.753 -> 0.743 and 0.765 -> 0.761.
// Tried on the same seeds and not adopted (each did worse than the hard fit on whitened rows):
// soft EM (posterior-weighted means, covariance and proportions, MAP labels; `disc` 0.614 -> 0.552
// at difficult 0.20 on raw samples, and with OAS on whitened rows 0.625 -> 0.563, ours 0.472),
// Oracle Approximating Shrinkage (Chen et al. 2010) instead of the fixed shrinkage, and
// cross-fitting (one half's fit scoring the other half: on two Gaussian classes, d' 1.6 in 40
// dimensions, it lost 0.05 more accuracy than the in-sample fit).

import { ldaDiscriminants } from './linalg';
import { dipScore } from './isocut';

/**
 * Reassign labelled rows of x (n x d, noise-whitened: see the file comment) among clusters
 * 0..k-1 by the discriminant of the current clusters, up to `passes` times (stops when nothing moves). Rows labelled -1 are left alone;
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
  const step = crossValidate ? 2 : 1;
  const sets = [ia, ib];
  const mean = new Float64Array(2 * w), cnt = new Float64Array(2), cov = new Float64Array(w * w), r = new Float64Array(w);
  sets.forEach((idx, c) => {
    for (let q = 0; q < idx.length; q += step) { cnt[c]++; const o = idx[q] * w; for (let j = 0; j < w; j++) mean[c * w + j] += y[o + j]; }
    if (cnt[c]) for (let j = 0; j < w; j++) mean[c * w + j] /= cnt[c];
  });
  if (cnt[0] < 2 || cnt[1] < 2) return 0;
  sets.forEach((idx, c) => {
    for (let q = 0; q < idx.length; q += step) {
      const o = idx[q] * w;
      for (let j = 0; j < w; j++) r[j] = y[o + j] - mean[c * w + j];
      for (let a = 0; a < w; a++) { const ra = r[a]; for (let b = a; b < w; b++) cov[a * w + b] += ra * r[b]; }
    }
  });
  const lda = ldaDiscriminants(cov, mean, cnt, cnt[0] + cnt[1], w, [0, 1], shrinkage);
  if (!lda) return 0;
  const proj: number[] = [];
  for (const idx of sets) {
    for (let q = crossValidate ? 1 : 0; q < idx.length; q += step) {
      const o = idx[q] * w;
      let s = 0;
      for (let j = 0; j < w; j++) s += (lda.wgt[j] - lda.wgt[w + j]) * y[o + j];
      proj.push(s);
    }
  }
  return dipScore(proj, binSize);
}
