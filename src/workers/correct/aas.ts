// Averaged artifact subtraction (AAS) on the upsampled grid. Each epoch's template is the mean of N
// neighbouring demeaned epochs (sliding, frozen at the recording edges) or, with FARM, of the N epochs
// that correlate best with it among a wider neighbourhood; it is scaled to the epoch by least squares.
// The result is the artifact estimate at the original rate (the scaled templates, low-passed and
// decimated), so the caller subtracts it and data outside the epochs stays bit-identical.
// Works on any range [outStart, outEnd): it reads exactly the epochs the range's templates need, which
// makes a sectioned (low-memory) run equal to a whole-channel run.

import type { CorrectParams } from '../../shared/params';
import { coarseStarts, fineStarts, templateWindow, type CorrectionPlan } from './plan';
import { downsampleAdd, sincKernel, upsample } from './resample';

export type ReadFn = (start: number, end: number) => Float32Array;

interface Geometry { fine: Float64Array; coarse: Float64Array }
const geometryCache = new WeakMap<CorrectionPlan, Geometry>();

export function geometry(plan: CorrectionPlan): Geometry {
  let g = geometryCache.get(plan);
  if (!g) { g = { fine: fineStarts(plan), coarse: coarseStarts(plan) }; geometryCache.set(plan, g); }
  return g;
}

/** First index i with a[i] >= v (a ascending). */
export function lowerBound(a: ArrayLike<number>, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}

/** End (exclusive) of the part of epoch k that k's template corrects: up to the next epoch's start. */
export function regionEnd(starts: Float64Array, k: number, len: number): number {
  return k + 1 < starts.length ? Math.min(starts[k] + len, starts[k + 1]) : starts[k] + len;
}

/** Epochs [k0, k1) whose correction regions intersect [a, b) (units of `starts`). */
export function epochsTouching(starts: Float64Array, len: number, a: number, b: number): [number, number] {
  const k1 = lowerBound(starts, b);
  let k0 = Math.max(0, lowerBound(starts, a - len) - 1);
  while (k0 < k1 && regionEnd(starts, k0, len) <= a) k0++;
  return [k0, Math.max(k0, k1)];
}

/** Artifact estimate (uV, float64) for original samples [outStart, outEnd). */
export function aasArtifact(read: ReadFn, plan: CorrectionPlan, params: CorrectParams, outStart: number, outEnd: number): Float64Array {
  const out = new Float64Array(outEnd - outStart);
  const U = plan.upsample;
  const ker = sincKernel(U, plan.options.halfWidth);
  const W = ker.halfWidth, L = W * U;
  const starts = geometry(plan).fine;
  const K = starts.length;
  const lenU = plan.epochLength * U;
  const N = params.window;
  const [k0, k1] = epochsTouching(starts, lenU, outStart * U - L + 1, (outEnd - 1) * U + L);
  if (k1 <= k0) return out;
  const reach = params.farm ? N * Math.max(1, plan.options.farmSearch) : N;
  const j0 = templateWindow(k0, K, reach)[0];
  const j1 = templateWindow(k1 - 1, K, reach)[1];
  const o0 = Math.floor(starts[j0] / U);
  const o1 = Math.ceil((starts[j1 - 1] + lenU) / U) + 1;
  const r0 = Math.max(0, o0 - W), r1 = Math.min(plan.nSamples, o1 + W);
  const fine = upsample(read(r0, r1), r0, o0, o1, ker);
  const off = (j: number): number => starts[j] - o0 * U;

  const means = new Float64Array(j1 - j0);
  for (let j = j0; j < j1; j++) {
    let s = 0;
    const f = off(j);
    for (let i = 0; i < lenU; i++) s += fine[f + i];
    means[j - j0] = s / lenU;
  }
  const addEpoch = (S: Float64Array, j: number, sign: number): void => {
    const f = off(j), mu = means[j - j0];
    for (let i = 0; i < lenU; i++) S[i] += sign * (fine[f + i] - mu);
  };
  const S = new Float64Array(lenU);
  const piece = new Float64Array(lenU);
  let [w0, w1] = templateWindow(k0, K, N);
  if (!params.farm) for (let j = w0; j < w1; j++) addEpoch(S, j, 1);
  const farmPick = params.farm ? farmSelector(fine, off, means, j0, lenU, U) : null;

  for (let k = k0; k < k1; k++) {
    let count: number;
    if (farmPick) {
      S.fill(0);
      const chosen = farmPick(k, templateWindow(k, K, reach), N);
      for (const j of chosen) addEpoch(S, j, 1);
      count = chosen.length;
    } else {
      const [n0, n1] = templateWindow(k, K, N);
      // The window moves by at most one epoch per step; update the running sum instead of re-summing.
      while (w1 < n1) { addEpoch(S, w1, 1); w1++; }
      while (w0 < n0) { addEpoch(S, w0, -1); w0++; }
      count = w1 - w0;
    }
    const f = off(k), mu = means[k - j0];
    let num = 0, den = 0;
    for (let i = 0; i < lenU; i++) {
      const tm = S[i] / count;
      piece[i] = tm;
      num += (fine[f + i] - mu) * tm;
      den += tm * tm;
    }
    const alpha = den > 0 ? num / den : 0;
    const rl = regionEnd(starts, k, lenU) - starts[k];
    for (let i = 0; i < rl; i++) piece[i] *= alpha;
    downsampleAdd(piece, starts[k], out, outStart, ker, 0, rl);
  }
  return out;
}

/**
 * FARM-like selection: the N-1 candidates whose demeaned epochs (seen at the original rate) correlate
 * best with epoch k, plus k itself. Candidates come from a window `farmSearch` times wider than N.
 */
function farmSelector(fine: Float32Array, off: (j: number) => number, means: Float64Array, j0: number, lenU: number, U: number) {
  const nC = Math.floor(lenU / U);
  const norm = new Map<number, number>();
  const normOf = (j: number): number => {
    let v = norm.get(j);
    if (v === undefined) {
      v = 0;
      const f = off(j), mu = means[j - j0];
      for (let i = 0; i < nC; i++) { const x = fine[f + i * U] - mu; v += x * x; }
      v = Math.sqrt(v);
      norm.set(j, v);
    }
    return v;
  };
  return (k: number, [c0, c1]: [number, number], N: number): number[] => {
    const fk = off(k), mk = means[k - j0];
    const scored: Array<[number, number]> = [];
    for (let j = c0; j < c1; j++) {
      if (j === k) continue;
      const fj = off(j), mj = means[j - j0];
      let acc = 0;
      for (let i = 0; i < nC; i++) acc += (fine[fk + i * U] - mk) * (fine[fj + i * U] - mj);
      scored.push([acc / (normOf(j) * normOf(k) || 1), j]);
    }
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    return [k, ...scored.slice(0, N - 1).map((s) => s[1])];
  };
}
