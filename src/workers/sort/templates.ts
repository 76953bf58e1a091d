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
import { countFollowers } from './merge';

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

/** Templates of clusters 0..k-1: whitened means and derivatives of the raw waveforms x (n x w). */
export function buildTemplates(x: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array): Templates {
  const raw = new Float64Array(k * w), count = new Float64Array(k);
  for (let r = 0; r < labels.length; r++) {
    const c = labels[r];
    if (c < 0) continue;
    count[c]++;
    for (let j = 0; j < w; j++) raw[c * w + j] += x[r * w + j];
  }
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
  return { k, w, t, d, dd, count };
}

/** Largest sub-sample shift the first-order model is trusted with. */
const MAX_SHIFT = 1;

/**
 * Squared whitened distance from row y (offset o) to template c, minimised over a shift of at most
 * MAX_SHIFT samples along the template derivative.
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
  const s = Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, rd / dd));
  return rr - 2 * s * rd + s * s * dd;
}

/** Shift-tolerant whitened distance between two templates (in noise SDs). */
export function templateDistance(T: Templates, a: number, b: number): number {
  return Math.sqrt(Math.min(shiftDistance2(T.t, a * T.w, T, b), shiftDistance2(T.t, b * T.w, T, a)));
}

/**
 * Reassign every labelled spike to its nearest template (shift-tolerant, whitened) and rebuild the
 * templates, `iterations` times. Unlabelled spikes (-1) stay unlabelled. In place; returns templates.
 */
export function reassignToTemplates(x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, iterations: number): Templates {
  let T = buildTemplates(x, w, labels, k, W);
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
    T = buildTemplates(x, w, labels, k, W);
    if (!changed) break;
  }
  return T;
}

export interface SplitOptions {
  /** Halves whose templates are closer than this (noise SDs, shift-tolerant) are not split. */
  minDistance: number;
  /** Each part of a split keeps at least this many spikes. */
  minSpikes: number;
  /** Principal components of the cluster's own de-jittered waveforms used for the 2-means cut. */
  nPcs: number;
  seed: number;
  /** 2-means restarts (the lowest inertia wins). */
  restarts: number;
  /** Nearest-template refinement passes of the two halves on the whole waveform. */
  refine: number;
}

/**
 * Split clusters that hold two units. The GMM's global principal components are spent on the
 * differences between the large units of a channel, so two small units can share a cluster. Within
 * each cluster the waveforms are de-jittered (the fitted shift along the template derivative is
 * removed, so alignment jitter does not look like a second unit), projected on the cluster's own
 * principal components and cut in two by 2-means (a GMM there prefers to peel off overlap outliers);
 * the halves are refined by nearest template on the whole whitened waveform, and the split is kept
 * only if their templates are at least minDistance noise SDs apart (2-means halves of one unit sit
 * 2.0-3.1 apart on the ground truth, two units sharing a cluster >= 3.2). Halves are split again in
 * turn. New clusters get ids k, k+1, ...; returns the new cluster count.
 */
export function splitClusters(x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, o: SplitOptions): number {
  let next = k;
  const queue = Array.from({ length: k }, (_, c) => c);
  let guard = 0;
  while (queue.length && guard++ < 4 * k + 8) {
    const c = queue.shift()!;
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) idx.push(i);
    if (idx.length < 2 * o.minSpikes) continue;
    const one = new Int32Array(labels.length).fill(-1);
    for (const i of idx) one[i] = 0;
    const T = buildTemplates(x, w, one, 1, W);
    const z = new Float32Array(idx.length * w);
    idx.forEach((i, r) => {
      let rd = 0;
      for (let j = 0; j < w; j++) rd += (y[i * w + j] - T.t[j]) * T.d[j];
      const s = T.dd[0] > 0 ? Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, rd / T.dd[0])) : 0;
      for (let j = 0; j < w; j++) z[r * w + j] = y[i * w + j] - s * T.d[j];
    });
    const model = pca(z, idx.length, w, Math.min(o.nPcs, w));
    const f = model.project(z, idx.length);
    const rng = new Rng(o.seed * 7919 + c);
    let km = kmeans(f, idx.length, model.k, 2, rng);
    for (let rep = 1; rep < o.restarts; rep++) { const alt = kmeans(f, idx.length, model.k, 2, rng); if (alt.inertia < km.inertia) km = alt; }
    const sel = { model: { k: 2 }, labels: km.labels };
    // Refine the partition on the whole whitened waveform (nearest shift-tolerant template).
    const part = new Int32Array(labels.length).fill(-1);
    idx.forEach((i, r) => { part[i] = km.labels[r]; });
    const P = reassignToTemplates(x, y, w, part, 2, W, o.refine);
    const sub = Int32Array.from(idx, (i) => part[i]);
    const cnt = new Float64Array(sel.model.k);
    for (let r = 0; r < idx.length; r++) cnt[sub[r]]++;
    // Keep the split only if the parts are big enough and their templates far enough apart.
    let ok = true;
    for (let a = 0; a < sel.model.k && ok; a++) {
      if (cnt[a] < o.minSpikes) ok = false;
      for (let b = a + 1; b < sel.model.k && ok; b++) if (templateDistance(P, a, b) < o.minDistance) ok = false;
    }
    if (!ok) continue;
    const ids = [c];
    for (let a = 1; a < sel.model.k; a++) ids.push(next++);
    idx.forEach((i, r) => { labels[i] = ids[sub[r]]; });
    queue.push(...ids);
  }
  return next;
}

/** Merge clusters whose templates are closer than maxDistance (shift-tolerant, noise SDs); closest pair first. */
export function mergeByTemplate(x: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, maxDistance: number): Array<[number, number]> {
  const merges: Array<[number, number]> = [];
  for (;;) {
    const T = buildTemplates(x, w, labels, k, W);
    let best: [number, number] | null = null, bestD = maxDistance;
    for (let a = 0; a < k; a++) {
      if (!T.count[a]) continue;
      for (let b = a + 1; b < k; b++) {
        if (!T.count[b]) continue;
        const dist = templateDistance(T, a, b);
        if (dist < bestD) { bestD = dist; best = T.count[a] >= T.count[b] ? [a, b] : [b, a]; }
      }
    }
    if (!best) break;
    for (let i = 0; i < labels.length; i++) if (labels[i] === best[1]) labels[i] = best[0];
    merges.push(best);
  }
  return merges;
}

export interface FollowerOptions {
  /** Lag window (samples) after a parent spike in which a burst follower sits. */
  lo: number;
  hi: number;
  /** A follower may not sit closer than this (samples) to a parent spike. */
  refractory: number;
  /** Smallest and largest amplitude of a follower relative to the parent template. */
  minScale: number;
  maxScale: number;
  /** Minimum cosine similarity of the raw templates for a parent/partner pair. */
  minShape: number;
  /** Squared-distance advantage the scaled parent template must have (it has one more free parameter). */
  margin: number;
  /** Recording length (samples) and the excess of follower pairs over chance (in Poisson SDs) that marks a bursting parent. */
  nSamples: number;
  minExcess: number;
}

/**
 * Burst followers in a similar partner's cluster. Later spikes of a burst are smaller copies of the
 * parent's waveform; when a unit of similar shape exists they can fit that unit's cluster better than
 * the parent's full-size template, and the time-coupling test of merge.ts does not fire because the
 * partner's own spikes dilute the coupling. Here every spike of a partner X that follows a spike of
 * a larger, similar-shaped unit A by lo..hi samples (or follows a spike already reclaimed: burst
 * chains) is fitted by a scaled, shifted A template and by X's template; it moves to A when the
 * scaled A fits better by margin. Chance coincidences of X's own spikes fit X's shape better and stay.
 */
export function reclaimBurstFollowers(x: Float32Array, y: Float32Array, w: number, samples: Int32Array, amplitudes: Float32Array, labels: Int32Array, k: number, W: Float64Array, o: FollowerOptions): number {
  const T = buildTemplates(x, w, labels, k, W);
  const raw = new Float64Array(k * w);
  const amp = new Float64Array(k);
  for (let r = 0; r < labels.length; r++) {
    const c = labels[r];
    if (c < 0) continue;
    amp[c] += Math.abs(amplitudes[r]) / T.count[c];
    for (let j = 0; j < w; j++) raw[c * w + j] += x[r * w + j];
  }
  const cos = (a: number, b: number): number => {
    let ab = 0, aa = 0, bb = 0;
    for (let j = 0; j < w; j++) { ab += raw[a * w + j] * raw[b * w + j]; aa += raw[a * w + j] ** 2; bb += raw[b * w + j] ** 2; }
    return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  };
  const tt = new Float64Array(k), td = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let j = 0; j < w; j++) { tt[c] += T.t[c * w + j] ** 2; td[c] += T.t[c * w + j] * T.d[c * w + j]; }
  // Residual of row r fitted by alpha * (t_a + s * d_a), alpha in [minScale, maxScale], |s| <= 1.
  const scaledFit = (r: number, a: number): number => {
    let yt = 0, yd = 0, yy = 0;
    for (let j = 0; j < w; j++) { const v = y[r * w + j]; yy += v * v; yt += v * T.t[a * w + j]; yd += v * T.d[a * w + j]; }
    // Least squares over (alpha, beta = alpha * s): 2 x 2 normal equations.
    const A11 = tt[a], A12 = td[a], A22 = T.dd[a];
    const det = A11 * A22 - A12 * A12;
    let al = yt / A11, be = 0;
    if (det > 1e-12 * A11 * A22) { al = (A22 * yt - A12 * yd) / det; be = (A11 * yd - A12 * yt) / det; }
    al = Math.max(o.minScale, Math.min(o.maxScale, al));
    const s = al > 0 ? Math.max(-1, Math.min(1, be / al)) : 0;
    be = al * s;
    return yy - 2 * (al * yt + be * yd) + al * al * A11 + 2 * al * be * A12 + be * be * A22;
  };
  const times = Array.from({ length: k }, () => [] as number[]);
  for (let r = 0; r < labels.length; r++) if (labels[r] >= 0) times[labels[r]].push(samples[r]);
  for (const t of times) t.sort((p, q) => p - q);
  const order = Array.from(labels.keys()).filter((r) => labels[r] >= 0).sort((p, q) => samples[p] - samples[q] || p - q);
  let moved = 0;
  for (let a = 0; a < k; a++) {
    if (!T.count[a]) continue;
    for (let xc = 0; xc < k; xc++) {
      if (xc === a || !T.count[xc] || amp[a] <= amp[xc] || cos(a, xc) < o.minShape) continue;
      // Only a coupled pair: X spikes follow A spikes more often than chance (Poisson excess).
      const pairs = countFollowers(times[a], times[xc], o.lo, o.hi);
      const expected = (times[a].length * times[xc].length * (o.hi - o.lo + 1)) / o.nSamples;
      if (pairs < expected + o.minExcess * Math.sqrt(expected) + 1) continue;
      let lastParent = -Infinity, lastMoved = -Infinity;
      for (const r of order) {
        const t = samples[r];
        if (labels[r] === a) { lastParent = t; continue; }
        if (labels[r] !== xc) continue;
        const dp = t - lastParent, dm = t - lastMoved;
        if (!((dp >= o.lo && dp <= o.hi) || (dm >= o.lo && dm <= o.hi)) || dp < o.refractory) continue;
        if (scaledFit(r, a) + o.margin < shiftDistance2(y, r * w, T, xc)) { labels[r] = a; lastMoved = t; moved++; }
      }
    }
  }
  return moved;
}
