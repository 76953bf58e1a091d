// k-means with greedy k-means++ seeding (several candidates per step, as sklearn does), used to
// initialise the GMM. All randomness comes from the caller's seeded Rng.

import type { Rng } from '../rng';

export interface KmeansResult {
  centers: Float64Array; // k x d
  labels: Int32Array;
  inertia: number;
  nIter: number;
}

function sqDist(X: Float32Array, r: number, c: Float64Array, ci: number, d: number): number {
  let s = 0;
  const o = r * d, co = ci * d;
  for (let j = 0; j < d; j++) { const t = X[o + j] - c[co + j]; s += t * t; }
  return s;
}

/** Greedy k-means++: each new centre is the best (lowest potential) of 2 + ln(k) D^2-weighted draws. */
export function kmeansPlusPlus(X: Float32Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const centers = new Float64Array(k * d);
  const first = rng.int(n);
  for (let j = 0; j < d; j++) centers[j] = X[first * d + j];
  const closest = new Float64Array(n);
  let pot = 0;
  for (let r = 0; r < n; r++) { closest[r] = sqDist(X, r, centers, 0, d); pot += closest[r]; }
  const trials = 2 + Math.floor(Math.log(k));
  const cand = new Float64Array(d);
  const candDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestPot = Infinity, bestIdx = -1;
    for (let t = 0; t < trials; t++) {
      // Draw an index with probability proportional to its squared distance to the nearest centre.
      let target = rng.uniform() * pot, idx = 0;
      for (; idx < n - 1; idx++) { target -= closest[idx]; if (target < 0) break; }
      if (pot <= 0) idx = rng.int(n);
      for (let j = 0; j < d; j++) cand[j] = X[idx * d + j];
      let p = 0;
      for (let r = 0; r < n; r++) {
        const o = r * d;
        let s = 0;
        for (let j = 0; j < d; j++) { const u = X[o + j] - cand[j]; s += u * u; }
        candDist[r] = Math.min(s, closest[r]);
        p += candDist[r];
      }
      if (p < bestPot) { bestPot = p; bestIdx = idx; bestDist.set(candDist); }
    }
    for (let j = 0; j < d; j++) centers[c * d + j] = X[bestIdx * d + j];
    closest.set(bestDist);
    pot = bestPot;
  }
  return centers;
}

/** Lloyd iterations from k-means++ seeds; stops when no label changes or after maxIter. */
export function kmeans(X: Float32Array, n: number, d: number, k: number, rng: Rng, maxIter = 100): KmeansResult {
  const centers = kmeansPlusPlus(X, n, d, k, rng);
  const labels = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const changed = new Int32Array(1);
  let inertia = 0;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    changed[0] = 0;
    sums.fill(0); counts.fill(0);
    inertia = assignNearest(X, n, d, k, centers, labels, sums, counts, changed);
    updateCenters(centers, sums, counts, k, d);
    if (changed[0] === 0) break;
  }
  return { centers, labels, inertia, nIter: iter + 1 };
}

// The two steps of an iteration are functions of their own, each ending right after its loop: as
// loops inside kmeans, V8 optimized kmeans on-stack before the code after them had run, and that
// cached OSR code bailed out on every later call (--trace-deopt: 39 deopts per 16-channel sort).

/** Label every row with its nearest centre, accumulating the sums and counts; returns the inertia. */
function assignNearest(
  X: Float32Array, n: number, d: number, k: number, centers: Float64Array, labels: Int32Array,
  sums: Float64Array, counts: Float64Array, changed: Int32Array,
): number {
  let inertia = 0;
  for (let r = 0; r < n; r++) {
    let best = 0, bd = Infinity;
    for (let c = 0; c < k; c++) { const s = sqDist(X, r, centers, c, d); if (s < bd) { bd = s; best = c; } }
    if (labels[r] !== best) { labels[r] = best; changed[0]++; }
    inertia += bd;
    counts[best]++;
    for (let j = 0; j < d; j++) sums[best * d + j] += X[r * d + j];
  }
  return inertia;
}

function updateCenters(centers: Float64Array, sums: Float64Array, counts: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    // An emptied centre keeps its position; k-means++ seeding makes this rare.
    if (counts[c] > 0) for (let j = 0; j < d; j++) centers[c * d + j] = sums[c * d + j] / counts[c];
  }
}
