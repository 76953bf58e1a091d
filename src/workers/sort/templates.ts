// Template refinement after clustering. A GMM on 3 principal components sees only part of what
// tells two units apart; the whole noise-whitened waveform sees all of it. Here every spike is
// compared with every unit template in whitened space, with the template allowed to slide by a
// fraction of a sample (first-order: the template's time derivative is projected out), because
// sub-sample alignment jitter otherwise stretches a cluster along the derivative direction and
// splits it. In whitened space noise has unit variance in every direction, so template distances
// are in noise standard deviations and the nearest template is the best linear discriminant.

import { kmeans } from './kmeans';
import { Rng } from '../rng';
import { pca } from './pca';
import { dipScore } from './isocut';
import { discriminantRefine, ldaDip } from './lda-refine';

export interface Templates {
  k: number;
  w: number;
  /** k x w whitened mean waveforms. */
  t: Float64Array;
  /** k x w whitened time derivatives of the mean waveforms (per sample). */
  d: Float64Array;
  /** <d_c, d_c> per template. */
  dd: Float64Array;
  count: Float64Array;
  /** Largest sub-sample shift (samples) the first-order model is trusted with (ClusterParams.templateMaxShift). */
  maxShift: number;
}

/** Rows of a row-major n x w matrix multiplied by W (w x w, symmetric); W empty = copy. */
export function whitenRows(x: Float32Array, n: number, w: number, W: Float64Array): Float32Array {
  if (W.length !== w * w) return Float32Array.from(x.subarray(0, n * w));
  const out = new Float32Array(n * w);
  for (let r = 0; r < n; r++) {
    const o = r * w;
    for (let i = 0; i < w; i++) {
      let s = 0;
      for (let j = 0; j < w; j++) s += W[i * w + j] * x[o + j];
      out[o + i] = s;
    }
  }
  return out;
}

/** W (w x w) times v (length w) into out at offset o; W empty = copy. */
function applyW(W: Float64Array, w: number, v: ArrayLike<number>, out: Float64Array, o: number): void {
  for (let i = 0; i < w; i++) {
    let s = 0;
    if (W.length === w * w) for (let j = 0; j < w; j++) s += W[i * w + j] * v[j];
    else s = v[i];
    out[o + i] = s;
  }
}

// The hot loop lives in its own function: inside buildTemplates it was optimized on-stack before
// the code after it had run, and that cached OSR code then bailed out on every later call
// (--trace-deopt: 25 deopts per 8-channel sort).
function sumByLabel(x: Float32Array, w: number, labels: Int32Array, raw: Float64Array, count: Float64Array): void {
  for (let r = 0; r < labels.length; r++) {
    const c = labels[r];
    if (c < 0) continue;
    count[c]++;
    for (let j = 0; j < w; j++) raw[c * w + j] += x[r * w + j];
  }
}

/** Templates of clusters 0..k-1: whitened means and derivatives of the raw waveforms x (n x w). */
export function buildTemplates(x: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, maxShift: number): Templates {
  const raw = new Float64Array(k * w), count = new Float64Array(k);
  sumByLabel(x, w, labels, raw, count);
  const t = new Float64Array(k * w), d = new Float64Array(k * w), dd = new Float64Array(k);
  const der = new Float64Array(w);
  for (let c = 0; c < k; c++) {
    if (!count[c]) continue;
    const m = raw.subarray(c * w, (c + 1) * w);
    for (let j = 0; j < w; j++) m[j] /= count[c];
    // Central differences: the waveform's change per sample of shift.
    for (let j = 0; j < w; j++) der[j] = j === 0 ? m[1] - m[0] : j === w - 1 ? m[w - 1] - m[w - 2] : 0.5 * (m[j + 1] - m[j - 1]);
    applyW(W, w, m, t, c * w);
    applyW(W, w, der, d, c * w);
    for (let j = 0; j < w; j++) dd[c] += d[c * w + j] ** 2;
  }
  return { k, w, t, d, dd, count, maxShift };
}

/**
 * Squared whitened distance from row y (offset o) to template c, minimised over a shift of at most
 * T.maxShift samples along the template derivative.
 */
export function shiftDistance2(y: ArrayLike<number>, o: number, T: Templates, c: number): number {
  const { w, t, d } = T;
  let rr = 0, rd = 0;
  for (let j = 0; j < w; j++) {
    const r = y[o + j] - t[c * w + j];
    rr += r * r;
    rd += r * d[c * w + j];
  }
  const dd = T.dd[c];
  if (!(dd > 0)) return rr;
  const s = Math.max(-T.maxShift, Math.min(T.maxShift, rd / dd));
  return rr - 2 * s * rd + s * s * dd;
}

/**
 * Reassign every labelled spike to its nearest template (shift-tolerant, whitened) and rebuild the
 * templates, `iterations` times. Unlabelled spikes (-1) stay unlabelled. In place; returns templates.
 */
export function reassignToTemplates(x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, iterations: number, maxShift: number): Templates {
  let T = buildTemplates(x, w, labels, k, W, maxShift);
  for (let it = 0; it < iterations; it++) {
    let changed = 0;
    for (let r = 0; r < labels.length; r++) {
      if (labels[r] < 0) continue;
      let best = labels[r], bestD = Infinity;
      for (let c = 0; c < k; c++) {
        if (!T.count[c]) continue;
        const dist = shiftDistance2(y, r * w, T, c);
        if (dist < bestD) { bestD = dist; best = c; }
      }
      if (best !== labels[r]) { labels[r] = best; changed++; }
    }
    T = buildTemplates(x, w, labels, k, W, maxShift);
    if (!changed) break;
  }
  return T;
}

export interface SplitOptions {
  /** Halves whose union is unimodal along their discriminant (dip score below this) are not split. */
  dipThreshold: number;
  /** Each part of a split keeps at least this many spikes. */
  minSpikes: number;
  /** Principal components of the cluster's own de-jittered waveforms used for the 2-means cut. */
  nPcs: number;
  seed: number;
  /** 2-means restarts (the lowest inertia wins). */
  restarts: number;
  /** Nearest-template refinement passes of the two halves on the whole waveform. */
  refine: number;
  /** ClusterParams.templateMaxShift. */
  maxShift: number;
  /** ClusterParams.isocutBinSize. */
  binSize: number;
  /** Shrinkage of the cut's pooled covariance (ClusterParams.ldaShrinkage). */
  shrinkage: number;
  /** With refractory evidence, also try cuts along each of the cluster's own PCs. */
  altCuts?: boolean;
  /**
   * Re-test only these clusters (the ones a merge step grew): each is cut at most once (its halves
   * are not queued again) and only when the halves' refractory test (twoNeurons) says two neurons,
   * since the merge step already found their union unimodal (along the pair's mean difference;
   * resplitDip also accepts the first pass's test along the cut's own discriminant).
   */
  resplit?: number[];
  /**
   * With resplit: also keep a cut whose halves are not unimodal along their cross-validated
   * discriminant (dipThreshold), as the first pass does, and try the joint cut on standardised PCs
   * too (ClusterParams.resplitFinalDip).
   */
  resplitDip?: boolean;
}

/**
 * Split clusters that hold two units. The GMM's global principal components are spent on the
 * differences between the large units of a channel, so two small units can share a cluster. Within
 * each cluster the waveforms are de-jittered (the fitted shift along the template derivative is
 * removed, so alignment jitter does not look like a second unit), projected on the cluster's own
 * principal components and cut in two by 2-means (a GMM there prefers to peel off overlap outliers);
 * the halves are refined by nearest template on the whole whitened waveform, then by their linear
 * discriminant (lda-refine.ts), and the split is kept only if the cluster is not unimodal along that
 * discriminant, cross-validated (ldaDip, isocut.ts): a distance between halves says nothing by
 * itself, since 2-means always finds two halves, and at high SNR the halves of one unit are many
 * noise SDs apart. The discriminant rather than the whitened mean difference: on the tuning seeds
 * (difficult Quiroga sets 103-110, noise 0.15 / 0.20) it separated more of the similar units the
 * GMM had merged (ours / bound 0.823 -> 0.831, 0.656 -> 0.690). Halves are split again in turn.
 * Not a model test in more dimensions: two full-covariance Gaussians against one on a cluster's 4
 * own PCs, by two-fold held-out log-likelihood, gained 0.3-1.2 nats per row on single TRUE units of
 * the difficult 0.15 tuning sets (their clouds are far from Gaussian), as much as on true pairs; as a
 * split rule it cost difficult 0.10 0.898 -> 0.881 for 0.20 0.424 -> 0.444, and with refractory
 * evidence required changed nothing (branch sort-experiments, mixture-split.ts).
 * New clusters get ids k, k+1, ...; returns the new cluster count.
 */
export function splitClusters(x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, o: SplitOptions, twoNeurons?: (a: number[], b: number[]) => boolean): number {
  let next = k;
  const queue = o.resplit ? [...o.resplit] : Array.from({ length: k }, (_, c) => c);
  let guard = 0;
  while (queue.length && guard++ < 4 * k + 8) {
    const c = queue.shift()!;
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) idx.push(i);
    if (idx.length < 2 * o.minSpikes) continue;
    const one = new Int32Array(labels.length).fill(-1);
    for (const i of idx) one[i] = 0;
    const T = buildTemplates(x, w, one, 1, W, o.maxShift);
    const z = new Float32Array(idx.length * w);
    idx.forEach((i, r) => {
      let rd = 0;
      for (let j = 0; j < w; j++) rd += (y[i * w + j] - T.t[j]) * T.d[j];
      const s = T.dd[0] > 0 ? Math.max(-T.maxShift, Math.min(T.maxShift, rd / T.dd[0])) : 0;
      for (let j = 0; j < w; j++) z[r * w + j] = y[i * w + j] - s * T.d[j];
    });
    const model = pca(z, idx.length, w, Math.min(o.nPcs, w));
    const f = model.project(z, idx.length);
    const rng = new Rng(o.seed * 7919 + c);
    // A trial cut: 2-means on the given columns of the cluster's PC scores (each divided by its SD
    // with std), refined on the whole whitened waveform (nearest shift-tolerant template, then the
    // halves' discriminant, which discounts what varies within a unit besides the noise: jitter,
    // background spikes riding on it).
    const trialCut = (cols: number[], std = false): Int32Array | null => {
      const g = new Float32Array(idx.length * cols.length);
      for (let r = 0; r < idx.length; r++) cols.forEach((col, q) => { g[r * cols.length + q] = f[r * model.k + col] / (std ? Math.sqrt(Math.max(1e-12, model.explainedVariance[col])) : 1); });
      let km = kmeans(g, idx.length, cols.length, 2, rng);
      for (let rep = 1; rep < o.restarts; rep++) { const alt = kmeans(g, idx.length, cols.length, 2, rng); if (alt.inertia < km.inertia) km = alt; }
      const part = new Int32Array(labels.length).fill(-1);
      idx.forEach((i, r) => { part[i] = km.labels[r]; });
      reassignToTemplates(x, y, w, part, 2, W, o.refine, o.maxShift);
      const sub = Int32Array.from(idx, (i) => part[i]);
      discriminantRefine(zz, idx.length, w, sub, 2, o.refine, o.shrinkage);
      const cnt = new Float64Array(2);
      for (let r = 0; r < idx.length; r++) cnt[sub[r]]++;
      return cnt[0] < o.minSpikes || cnt[1] < o.minSpikes ? null : sub;
    };
    const zz = new Float32Array(idx.length * w);
    idx.forEach((i, r) => zz.set(y.subarray(i * w, (i + 1) * w), r * w));
    const halves = (sub: Int32Array) => [idx.filter((_, r) => sub[r] === 0), idx.filter((_, r) => sub[r] === 1)];
    // Keep the split only if the parts are big enough and their union is not unimodal along the
    // discriminant between them (evidence of two units, whatever their distance), or, with
    // refractory evidence on, their cross pairs say two neurons.
    const keep = (cut: Int32Array, dipCounts: boolean): boolean => {
      const [ia, ib] = halves(cut);
      return (dipCounts && ldaDip(y, w, ia, ib, o.shrinkage, o.binSize, true) >= o.dipThreshold) || !!twoNeurons?.(ia, ib);
    };
    const allCols = Array.from({ length: model.k }, (_, q) => q);
    let sub = trialCut(allCols);
    if (sub && !keep(sub, !o.resplit || !!o.resplitDip)) sub = null;
    // In the final pass (resplitDip) the joint cut is also tried on standardised PCs: on raw scores
    // 2-means follows the largest spread, which a small outlying group (overlaps, background) can
    // own, while two similar units differ along a PC of ordinary variance.
    if (!sub && o.resplit && o.resplitDip) {
      const alt = trialCut(allCols, true);
      if (alt && keep(alt, true)) sub = alt;
    }
    // Two units whose union is unimodal need not differ along the joint 2-means cut (which follows
    // the largest spread, e.g. jitter): with refractory evidence on, cuts along each of the
    // cluster's own PCs are tried too, and the first whose halves the refractory test calls two
    // neurons is kept (a single unit's halves have no cross pairs inside its refractory period).
    for (let q = 0; !sub && twoNeurons && o.altCuts && q < model.k; q++) {
      const alt = trialCut([q]);
      if (alt && keep(alt, false)) sub = alt;
    }
    if (!sub) continue;
    const ids = [c];
    ids.push(next++);
    idx.forEach((i, r) => { labels[i] = ids[sub[r]]; });
    if (!o.resplit) queue.push(...ids);
  }
  return next;
}

/**
 * Dip score (isocut.ts) of clusters A and B (row indices ia, ib) projected on the discriminant
 * between them. In whitened space noise is isotropic, so the Fisher discriminant of two clusters
 * with the noise as within-class spread is the difference of their means. With crossValidate the
 * direction is estimated on every other row and the dip measured on the remaining rows: a direction
 * fitted to the rows it projects (a 2-means cut in 60 dimensions) makes even one Gaussian cloud look
 * bimodal. Merges use it without (the bias only makes a merge more cautious, and halving the rows
 * would merge similar units the full sample separates); splits test along ldaDip instead.
 * Rows are de-jittered against the union's template (the same for every row: de-jittering each row
 * against its own cluster's template would itself separate the clusters).
 */
export function discriminantDip(y: Float32Array, w: number, ia: ArrayLike<number>, ib: ArrayLike<number>, T: Templates, a: number, b: number, binSize: number, crossValidate = true): number {
  const v = new Float64Array(w), t = new Float64Array(w), d = new Float64Array(w);
  const half = (idx: ArrayLike<number>, sign: number): void => {
    const step = crossValidate ? 2 : 1;
    const m = Math.ceil(idx.length / step);
    for (let r = 0; r < idx.length; r += step) for (let j = 0; j < w; j++) v[j] += (sign * y[idx[r] * w + j]) / m;
  };
  half(ia, 1); half(ib, -1);
  const fa = T.count[a] / Math.max(1, T.count[a] + T.count[b]), fb = 1 - fa;
  let dd = 0, dv = 0;
  for (let j = 0; j < w; j++) {
    t[j] = fa * T.t[a * w + j] + fb * T.t[b * w + j];
    d[j] = fa * T.d[a * w + j] + fb * T.d[b * w + j];
    dd += d[j] * d[j]; dv += d[j] * v[j];
  }
  const proj: number[] = [];
  for (const idx of [ia, ib]) projectDejittered(proj, y, w, idx, crossValidate, t, d, v, dd, dv, T.maxShift);
  return dipScore(proj, binSize);
}

/**
 * Append to proj the projection on v of rows idx (every other one from 1 with crossValidate) of y,
 * de-jittered along d against t. A function of its own that ends with its loop: inside
 * discriminantDip the loop was optimized on-stack before the dipScore call after it had run, and
 * that cached OSR code bailed out on every later call (--trace-deopt: 42 per 16-channel sort).
 */
function projectDejittered(
  proj: number[], y: Float32Array, w: number, idx: ArrayLike<number>, crossValidate: boolean,
  t: Float64Array, d: Float64Array, v: Float64Array, dd: number, dv: number, maxShift: number,
): void {
  for (let r = crossValidate ? 1 : 0; r < idx.length; r += crossValidate ? 2 : 1) {
    const o = idx[r] * w;
    let rd = 0, p = 0;
    for (let j = 0; j < w; j++) { rd += (y[o + j] - t[j]) * d[j]; p += y[o + j] * v[j]; }
    const s = dd > 0 ? Math.max(-maxShift, Math.min(maxShift, rd / dd)) : 0;
    proj.push(p - s * dv);
  }
}

/** Key of an unordered cluster pair in mergeUnimodal's `apart` set. */
export const pairKey = (a: number, b: number): string => `${Math.min(a, b)},${Math.max(a, b)}`;

/**
 * Merge pairs of clusters whose union is unimodal along their discriminant (dip score below the
 * threshold), most unimodal pair first, until no pair qualifies. Returns the merges [kept, absorbed].
 * apart (pairKey) holds pairs that must not merge (cannot-link: clusters separated on refractory
 * evidence); a merged cluster inherits the absorbed one's constraints (in place), so two clusters
 * kept apart are not joined through a third one either.
 */
export function mergeUnimodal(
  x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array,
  o: Pick<SplitOptions, 'dipThreshold' | 'maxShift' | 'binSize'>, veto?: (a: number[], b: number[]) => boolean, apart?: Set<string>,
): Array<[number, number]> {
  const vetoed = new Set<string>(apart);
  const merges: Array<[number, number]> = [];
  for (;;) {
    const T = buildTemplates(x, w, labels, k, W, o.maxShift);
    const members: number[][] = Array.from({ length: k }, () => []);
    for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) members[labels[i]].push(i);
    let best: [number, number] | null = null, bestDip = o.dipThreshold;
    for (let a = 0; a < k; a++) {
      if (!members[a].length) continue;
      for (let b = a + 1; b < k; b++) {
        if (!members[b].length || vetoed.has(`${a},${b}`)) continue;
        const dip = discriminantDip(y, w, members[a], members[b], T, a, b, o.binSize, false);
        if (dip < bestDip) { bestDip = dip; best = members[a].length >= members[b].length ? [a, b] : [b, a]; }
      }
    }
    if (!best) break;
    if (veto?.(members[best[0]], members[best[1]])) { vetoed.add(pairKey(best[0], best[1])); continue; }
    for (let i = 0; i < labels.length; i++) if (labels[i] === best[1]) labels[i] = best[0];
    merges.push(best);
    if (apart) {
      for (const key of [...apart]) {
        const [p, q] = key.split(',').map(Number);
        const other = p === best[1] ? q : q === best[1] ? p : -1;
        if (other < 0) continue;
        apart.add(pairKey(other, best[0]));
        vetoed.add(pairKey(other, best[0]));
      }
    }
  }
  return merges;
}
