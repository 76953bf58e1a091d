// Unimodality test of a 1-D sample, after the isocut step of ISO-SPLIT (Magland & Barnett 2015,
// "Unimodal clustering using isotonic regression: ISO-SPLIT", arXiv:1508.04841), written from the
// paper's description: the log density between consecutive sorted samples is fitted by the best
// unimodal (up-then-down) step function (isotonic regression), and the largest gap between the
// empirical distribution and that fit, as a Kolmogorov-Smirnov statistic scaled by sqrt(n), is the
// dip score. Two clusters whose union projected on the discriminant between them is unimodal are one
// unit; a cluster whose best 2-way cut is multimodal holds two. Tails are searched on their own
// (leftmost / rightmost 2^j samples), so a small second mode is not diluted by a big one.

/** Weighted isotonic (non-decreasing) least-squares fit by pool-adjacent-violators. */
export function isotonicUp(y: ArrayLike<number>, wt: ArrayLike<number>): Float64Array {
  const n = y.length;
  const bw: number[] = [], bs: number[] = [], bn: number[] = [];
  for (let i = 0; i < n; i++) {
    bw.push(wt[i]); bs.push(wt[i] * y[i]); bn.push(1);
    while (bw.length > 1) {
      const a = bw.length - 2, b = bw.length - 1;
      if (bs[a] / bw[a] <= bs[b] / bw[b]) break;
      bw[a] += bw[b]; bs[a] += bs[b]; bn[a] += bn[b];
      bw.pop(); bs.pop(); bn.pop();
    }
  }
  const fit = new Float64Array(n);
  let o = 0;
  for (let b = 0; b < bw.length; b++) for (let j = 0; j < bn[b]; j++) fit[o++] = bs[b] / bw[b];
  return fit;
}

/** Squared error of the best non-decreasing fit of each prefix y[0..i] (PAVA, incremental). */
function prefixErrors(y: ArrayLike<number>, wt: ArrayLike<number>): Float64Array {
  const n = y.length;
  const bw: number[] = [], bs: number[] = [], bq: number[] = [];
  const err = new Float64Array(n);
  let done = 0; // error of all blocks but the last
  for (let i = 0; i < n; i++) {
    bw.push(wt[i]); bs.push(wt[i] * y[i]); bq.push(wt[i] * y[i] * y[i]);
    while (bw.length > 1) {
      const a = bw.length - 2, b = bw.length - 1;
      if (bs[a] / bw[a] <= bs[b] / bw[b]) break;
      done -= bq[a] - (bs[a] * bs[a]) / bw[a];
      bw[a] += bw[b]; bs[a] += bs[b]; bq[a] += bq[b];
      bw.pop(); bs.pop(); bq.pop();
    }
    const l = bw.length - 1;
    err[i] = Math.max(0, done + bq[l] - (bs[l] * bs[l]) / bw[l]);
    // The last block's error joins done now; a later merge subtracts it again (loop above).
    done += bq[l] - (bs[l] * bs[l]) / bw[l];
  }
  return err;
}

/** Best unimodal (non-decreasing then non-increasing) weighted least-squares fit of y. */
export function unimodalFit(y: ArrayLike<number>, wt: ArrayLike<number>): Float64Array {
  const n = y.length;
  if (n === 0) return new Float64Array(0);
  const up = prefixErrors(y, wt);
  const ry = Float64Array.from({ length: n }, (_, i) => y[n - 1 - i]);
  const rw = Float64Array.from({ length: n }, (_, i) => wt[n - 1 - i]);
  const down = prefixErrors(ry, rw); // down[j] = error of the non-increasing fit of y[n-1-j..n-1]
  let best = n - 1, bestE = up[n - 1];
  for (let m = 0; m < n - 1; m++) {
    const e = up[m] + down[n - 2 - m];
    if (e < bestE) { bestE = e; best = m; }
  }
  const left = isotonicUp(Array.from({ length: best + 1 }, (_, i) => y[i]), Array.from({ length: best + 1 }, (_, i) => wt[i]));
  const out = new Float64Array(n);
  out.set(left, 0);
  if (best < n - 1) {
    const m = n - 1 - best;
    const right = isotonicUp(ry.subarray(0, m), rw.subarray(0, m));
    for (let j = 0; j < m; j++) out[n - 1 - j] = right[j];
  }
  return out;
}

/** KS distance between two count vectors over one segment, times sqrt(segment count). */
function ks(emp: Float64Array, fit: Float64Array, lo: number, hi: number): number {
  let se = 0, sf = 0;
  for (let i = lo; i < hi; i++) { se += emp[i]; sf += fit[i]; }
  if (se <= 0 || sf <= 0) return 0;
  let ce = 0, cf = 0, best = 0;
  for (let i = lo; i < hi; i++) {
    ce += emp[i] / se; cf += fit[i] / sf;
    best = Math.max(best, Math.abs(ce - cf));
  }
  return best * Math.sqrt(se);
}

/**
 * Dip score of a 1-D sample (any order; not modified): >= the threshold (ISO-SPLIT's isocut
 * threshold) means not unimodal. Samples are binned into equal-count bins of binSize samples
 * (ClusterParams.isocutBinSize; at least 4 bins), so ties and heavy tails do not produce infinite
 * densities.
 */
export function dipScore(values: ArrayLike<number>, binSize: number): number {
  const n = values.length;
  if (n < 8) return 0;
  const x = Float64Array.from(values).sort();
  const nb = Math.max(4, Math.floor(n / binSize));
  // Equal-count bins: edges at sample quantiles; density = count / width.
  const edges: number[] = [x[0]];
  for (let b = 1; b < nb; b++) edges.push(x[Math.floor((b * n) / nb)]);
  edges.push(x[n - 1]);
  const emp = new Float64Array(nb), width = new Float64Array(nb), logd = new Float64Array(nb);
  const span = x[n - 1] - x[0] || 1;
  for (let b = 0; b < nb; b++) {
    emp[b] = Math.floor(((b + 1) * n) / nb) - Math.floor((b * n) / nb);
    width[b] = Math.max(edges[b + 1] - edges[b], 1e-9 * span);
    logd[b] = Math.log(emp[b] / width[b]);
  }
  const fitLog = unimodalFit(logd, width);
  const fit = Float64Array.from(fitLog, (v, b) => Math.exp(v) * width[b]);
  let score = ks(emp, fit, 0, nb);
  // Tails on their own: the leftmost and rightmost 2, 4, 8, ... bins.
  for (let len = 4; len < nb; len *= 2) {
    score = Math.max(score, ks(emp, fit, 0, len), ks(emp, fit, nb - len, nb));
  }
  return score;
}
