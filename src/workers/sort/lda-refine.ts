// Discriminant refinement of a clustering on the whole waveform: the clusters' means and their
// pooled within-cluster covariance define a linear discriminant (the classifier the evaluation's
// supervised bound uses, evaluate.ts, there trained on the true labels), every assigned event goes
// to the cluster with the highest discriminant score, and the model is refitted; a few passes of
// classification EM for a Gaussian mixture with one shared covariance. The GMM that made the
// clusters saw three principal components; the discriminant sees every waveform sample, weighted by
// how much the clusters actually vary there (alignment jitter, background spikes), which a noise
// whitener alone does not know.

import { ldaDiscriminants } from './linalg';

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
