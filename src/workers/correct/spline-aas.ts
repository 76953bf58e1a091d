// The default AAS engine: the artifact template is a continuous function of time since the slice onset
// (cubic B-spline, one-sample knots) fitted by least squares to the samples of many epochs at their
// fractional onsets, so sample-locked detail is followed at every sub-sample phase without
// upsampling. Each epoch's own offset (EEG mean) is a nuisance term of the fit, and its amplitude is
// fitted against the template before subtraction. Three template models (chosen per recording from
// held-out error, see select.ts):
//   window N  the template of epoch k is fitted to the N epochs around it (sliding, frozen at the edges);
//   all       one template from every epoch (window N >= number of epochs);
//   drift Q   the coefficients vary slowly over the recording: Q cubic B-splines over epoch index.
// Entry points: fitChannelTemplate (per-channel pass over all epochs, needed by 'all' and 'drift') and
// splineArtifact (the artifact over any sample range, so sectioned runs equal whole-channel runs).

import { SpikeDeskError } from '../../shared/errors';
import { epochsTouching, geometry, regionEnd, type ReadFn } from './aas';
import { templateWindow, type CorrectionPlan } from './plan';
import { solveDriftRank } from './drift-rank';
import { CrossShapes, CrossSums, crossCoefficients, shapeColumns } from './cross-drift';
import { applyLowBand } from './low-band';
import {
  addOuter, addPenalty, bandCholesky, bandFrom, bandSolve, evalTemplate, phaseWeights, scaleOffset, splineGeometry,
  type SplineGeometry,
} from './spline-core';

/** rank (drift only): the coefficients' courses over the recording are restricted to `rank` temporal
 * functions taken from the artifact's high-frequency content (drift-rank.ts); absent = full rank.
 * cross: the all-epoch template plus a slow drift in `rank` cross-channel shapes (cross-drift.ts). */
export type TemplateModel =
  | { kind: 'window'; window: number }
  | { kind: 'drift'; functions: number; rank?: number }
  | { kind: 'cross'; functions: number; rank: number };

/**
 * Third-difference penalty per epoch in the fit (conditioning only). Source: chosen so that a
 * Nyquist-rate component is damped by about 1 % while equal phases stay solvable; not tuned on data.
 */
export const SPLINE_PENALTY = 1e-5;

const geoCache = new WeakMap<CorrectionPlan, SplineGeometry>();
export function splineGeometryOf(plan: CorrectionPlan): SplineGeometry {
  let g = geoCache.get(plan);
  if (!g) { g = splineGeometry(plan.positions, plan.pre, plan.epochLength); geoCache.set(plan, g); }
  return g;
}

/** Weighted sums of the normal equations of a set of epochs (window model): W the 10 phase products,
 * Y the right-hand side (P: sum over epochs of each coefficient's weighted samples). */
export interface WindowSums { W: Float64Array; Y: Float64Array; count: number }

export function windowSums(Lf: number): WindowSums {
  return { W: new Float64Array(10), Y: new Float64Array(Lf + 3), count: 0 };
}

/**
 * One epoch's right-hand side (P = Lf + 3): u[j] = sum_p w_p (x[at + j - p] - b) over the epoch's samples.
 * Every model's normal equations use an epoch's samples only through u (scaled by temporal weights in
 * the drift models), so it is computed once per epoch and shared by all of them. A zero phase weight's
 * term is left out (so a non-finite sample cannot reach coefficients it does not touch).
 */
export function epochRhs(g: SplineGeometry, k: number, x: ArrayLike<number>, at: number, b: number, out: Float64Array): void {
  const Lf = g.Lf, w = g.w, o = 4 * k;
  const c0 = w[o], c1 = w[o + 1], c2 = w[o + 2], c3 = w[o + 3];
  out.fill(0, 0, Lf + 3);
  if (c0 !== 0 && c1 !== 0 && c2 !== 0 && c3 !== 0) {
    for (let m = 0; m < Lf; m++) {
      const v = x[at + m] - b;
      out[m] += c0 * v; out[m + 1] += c1 * v; out[m + 2] += c2 * v; out[m + 3] += c3 * v;
    }
    return;
  }
  for (let p = 0; p < 4; p++) {
    const c = w[o + p];
    if (c === 0) continue;
    for (let m = 0; m < Lf; m++) out[m + p] += c * (x[at + m] - b);
  }
}

let rhsTmp = new Float64Array(0);
function rhsScratch(P: number): Float64Array {
  if (rhsTmp.length < P) rhsTmp = new Float64Array(P);
  return rhsTmp;
}

/** Add (sign 1) or remove (sign -1) epoch k whose right-hand side u (epochRhs) is given. */
export function addEpochRhs(S: WindowSums, g: SplineGeometry, k: number, u: ArrayLike<number>, sign: number): void {
  addOuter(S.W, g.w, 4 * k, sign);
  const Y = S.Y, P = g.P;
  if (sign === 1) for (let j = 0; j < P; j++) Y[j] += u[j];
  else for (let j = 0; j < P; j++) Y[j] -= u[j];
  S.count += sign;
}

/** Add (sign 1) or remove (sign -1) epoch k, whose samples are x[at .. at + Lf), with offset b. */
export function addEpoch(S: WindowSums, g: SplineGeometry, k: number, x: ArrayLike<number>, at: number, b: number, sign: number): void {
  const u = rhsScratch(g.P);
  epochRhs(g, k, x, at, b, u);
  addEpochRhs(S, g, k, u, sign);
}

/** Spline coefficients (P) of the template fitted to the epochs in S. */
export function solveWindow(S: WindowSums, g: SplineGeometry, A: Float64Array, c: Float64Array): void {
  let lambda = SPLINE_PENALTY * Math.max(1, S.count);
  for (let attempt = 0; attempt < 3; attempt++, lambda *= 1000) {
    bandFrom(S.W, g.Lf, lambda, A);
    c.set(S.Y.subarray(0, g.P));
    if (bandCholesky(A, g.P, 3)) { bandSolve(A, g.P, 3, c); return; }
  }
  throw new SpikeDeskError({ code: 'INTERNAL', message: 'the artifact template fit is singular', fix: 'check the triggers; the epochs may hold no artifact' });
}

function mean(x: ArrayLike<number>, at: number, n: number): number {
  let s = 0;
  for (let m = 0; m < n; m++) s += x[at + m];
  return s / n;
}

/** Temporal weights of epoch k of K over Q cubic B-splines: first function index and 4 weights. */
export function temporalWeights(k: number, K: number, Q: number, v: Float64Array): number {
  const t = K > 1 ? (k / (K - 1)) * (Q - 3) : 0;
  let q0 = Math.floor(t);
  if (q0 > Q - 4) q0 = Q - 4;
  phaseWeights(t - q0, v);
  return q0;
}

/**
 * Normal equations of the drift model (unknowns interleaved j*Q + q): per (p, l) phase-weight pair and
 * temporal pair (q, r = q-3..q+3) one scalar in W, expanded into the band (bandwidth 3Q+3) at solve time;
 * Y holds Q right-hand sides of P (function q's at q*P).
 */
export interface DriftSums { Q: number; W: Float64Array; Y: Float64Array; count: number }

export function driftSums(g: SplineGeometry, Q: number): DriftSums {
  return { Q, W: new Float64Array(10 * Q * 7), Y: new Float64Array(Q * g.P), count: 0 };
}

const vTmp = new Float64Array(4);
/** Add epoch k (of K) of the drift model, its right-hand side u (epochRhs) given. */
export function addDriftEpochRhs(S: DriftSums, g: SplineGeometry, k: number, K: number, u: ArrayLike<number>, sign: number): void {
  const Q = S.Q, P = g.P, w = g.w, o = 4 * k;
  const q0 = temporalWeights(k, K, Q, vTmp);
  let pl = 0;
  for (let p = 0; p < 4; p++) for (let l = 0; l + p < 4; l++, pl++) {
    const ww = sign * w[o + p] * w[o + p + l];
    for (let qi = 0; qi < 4; qi++) for (let ri = 0; ri < 4; ri++) {
      S.W[(pl * Q + q0 + qi) * 7 + ri - qi + 3] += ww * vTmp[qi] * vTmp[ri];
    }
  }
  // A zero temporal weight's row is skipped (so non-finite samples cannot reach it).
  const Y = S.Y;
  for (let qi = 0; qi < 4; qi++) {
    const c = sign * vTmp[qi], row = (q0 + qi) * P;
    if (c === 0) continue;
    for (let j = 0; j < P; j++) Y[row + j] += c * u[j];
  }
  S.count += sign;
}

/** Add epoch k (of K) of the drift model. */
export function addDriftEpoch(S: DriftSums, g: SplineGeometry, k: number, K: number, x: ArrayLike<number>, at: number, b: number, sign: number): void {
  const u = rhsScratch(g.P);
  epochRhs(g, k, x, at, b, u);
  addDriftEpochRhs(S, g, k, K, u, sign);
}

const scratchBufs: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
/** Scratch buffer i of exactly n elements (a view of a reused buffer; contents undefined). */
function scratch(i: number, n: number): Float64Array {
  if (scratchBufs[i].length < n) scratchBufs[i] = new Float64Array(n);
  return scratchBufs[i].subarray(0, n);
}

/**
 * Cholesky factor (band, bandwidth 3Q+3) of the drift model's normal matrix for the epochs in S, written
 * into A (n x (3Q+4), n = P*Q). It depends on the epochs' phases and count only, not on their samples,
 * so channels with the same epochs can share it.
 */
function driftFactorInto(S: DriftSums, g: SplineGeometry, A: Float64Array): void {
  const Q = S.Q, n = g.P * Q, b = 3 * Q + 3, Lf = g.Lf, st = b + 1;
  // Band in reused scratch (megabytes for Q = 11; the held-out choice factors 20+ times).
  const band = scratch(0, n * st);
  band.fill(0);
  // Rows j = 3 .. Lf-1 see all four phase products and are equal: built once, then copied.
  const rowOf = (j: number): void => {
    let pl = 0;
    for (let p = 0; p < 4; p++) for (let l = 0; l + p < 4; l++, pl++) {
      const m = j - p;
      if (m < 0 || m >= Lf) continue;
      for (let q = 0; q < Q; q++) for (let d = -3; d <= 3; d++) {
        const r = q + d, off = l * Q + d;
        if (r < 0 || r >= Q || off < 0) continue;
        band[(j * Q + q) * st + off] += S.W[(pl * Q + q) * 7 + d + 3];
      }
    }
  };
  const rowLen = Q * st;
  for (let j = 0; j < g.P; j++) {
    if (j > 3 && j < Lf) band.copyWithin(j * rowLen, 3 * rowLen, 4 * rowLen);
    else rowOf(j);
  }
  let lambda = SPLINE_PENALTY * Math.max(1, S.count) / Q;
  for (let attempt = 0; attempt < 3; attempt++, lambda *= 1000) {
    A.set(band);
    addPenalty(A, g.P, st, Q, lambda);
    if (bandCholesky(A, n, b)) return;
  }
  throw new SpikeDeskError({ code: 'INTERNAL', message: 'the drifting artifact template fit is singular', fix: 'use a sliding window instead (template: window)' });
}

/** driftFactorInto in a new array (to be kept and reused). */
export function driftFactor(S: DriftSums, g: SplineGeometry): Float64Array {
  const A = new Float64Array(g.P * S.Q * (3 * S.Q + 4));
  driftFactorInto(S, g, A);
  return A;
}

/** Coefficients (P*Q, interleaved) of the drift model fitted to the epochs in S (factor: driftFactor of
 * the same epochs, computed here when absent). */
export function solveDrift(S: DriftSums, g: SplineGeometry, factor?: Float64Array): Float64Array {
  const Q = S.Q, P = g.P, n = P * Q, b = 3 * Q + 3;
  let A = factor;
  if (!A) { A = scratch(1, n * (b + 1)); driftFactorInto(S, g, A); }
  const c = new Float64Array(n);
  for (let q = 0; q < Q; q++) for (let j = 0; j < P; j++) c[j * Q + q] = S.Y[q * P + j];
  bandSolve(A, n, b, c);
  return c;
}

/** Coefficients (P) of epoch k's template under the drift model. */
export function driftCoefficients(c: Float64Array, Q: number, P: number, k: number, K: number, out: Float64Array): void {
  const v = new Float64Array(4);
  const q0 = temporalWeights(k, K, Q, v);
  for (let j = 0; j < P; j++) {
    const r = j * Q + q0;
    out[j] = v[0] * c[r] + v[1] * c[r + 1] + v[2] * c[r + 2] + v[3] * c[r + 3];
  }
}

/** Per-channel template state: nothing for a sliding window; the fitted coefficients otherwise. */
export interface ChannelTemplate { model: TemplateModel; coef: Float64Array | null }

/** Epoch groups [k0, k1) whose samples span at most ~blockSamples, for blockwise reading. */
function* epochBlocks(g: SplineGeometry, K: number, blockSamples: number): Generator<[number, number]> {
  let k0 = 0;
  while (k0 < K) {
    let k1 = k0 + 1;
    while (k1 < K && g.start[k1] + g.Lf - g.start[k0] <= blockSamples) k1++;
    yield [k0, k1];
    k0 = k1;
  }
}

/** The channel pass that models other than a short sliding window need: one fit over all epochs. */
export function fitChannelTemplate(read: ReadFn, plan: CorrectionPlan, model: TemplateModel): ChannelTemplate {
  const g = splineGeometryOf(plan);
  const K = plan.positions.length;
  if (model.kind === 'window' && model.window < K) return { model, coef: null };
  const blocks = [...epochBlocks(g, K, 1 << 18)];
  if (model.kind !== 'drift') {
    const S = windowSums(g.Lf);
    for (const [k0, k1] of blocks) {
      const x = read(g.start[k0], g.start[k1 - 1] + g.Lf);
      for (let k = k0; k < k1; k++) { const at = g.start[k] - g.start[k0]; addEpoch(S, g, k, x, at, mean(x, at, g.Lf), 1); }
    }
    let c: Float64Array = new Float64Array(g.P);
    solveWindow(S, g, new Float64Array(4 * g.P), c);
    // The low band from all shape channels (low-band.ts), when the plan has it.
    if (plan.lowBand?.model) c = applyLowBand(c, plan.lowBand.model);
    if (model.kind === 'window') return { model, coef: c };
    // Cross-channel drift: a second pass gathers the high-frequency evidence for the shape gains.
    const cc = plan.crossChannel;
    if (!cc?.basis || cc.rank !== model.rank) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'the correction plan has no cross-channel shapes for this template model', fix: 'prepare the plan with the same parameters' });
    const cols = shapeColumns(cc.basis, g.P, cc.rank);
    const shapes = new CrossShapes(g, cols);
    const sums = new CrossSums(model.functions, model.rank);
    const R = model.rank, G = new Float64Array(R * R), a = new Float64Array(R), z = new Float64Array(R), X = shapes.against(c);
    for (const [k0, k1] of blocks) {
      const x = read(g.start[k0], g.start[k1 - 1] + g.Lf);
      for (let k = k0; k < k1; k++) {
        shapes.gram(k, G); shapes.data(k, x, g.start[k] - g.start[k0], a); shapes.residual(k, a, X, z);
        sums.add(k, K, G, z, R);
      }
    }
    return { model, coef: crossCoefficients(c, cols, sums.solve(), model.functions) };
  }
  const S = driftSums(g, model.functions);
  for (const [k0, k1] of blocks) {
    const x = read(g.start[k0], g.start[k1 - 1] + g.Lf);
    for (let k = k0; k < k1; k++) { const at = g.start[k] - g.start[k0]; addDriftEpoch(S, g, k, K, x, at, mean(x, at, g.Lf), 1); }
  }
  return { model, coef: model.rank ? solveDriftRank(S, g, model.rank) : solveDrift(S, g) };
}

/** Artifact estimate (float64) over original samples [outStart, outEnd). */
export function splineArtifact(read: ReadFn, plan: CorrectionPlan, tmpl: ChannelTemplate, outStart: number, outEnd: number): Float64Array {
  const out = new Float64Array(outEnd - outStart);
  const g = splineGeometryOf(plan);
  const coarse = geometry(plan).coarse;
  const K = plan.positions.length, L = plan.epochLength, Lf = g.Lf;
  const [k0, k1] = epochsTouching(coarse, L, outStart, outEnd);
  if (k1 <= k0) return out;
  const sliding = tmpl.coef === null;
  const N = tmpl.model.kind === 'window' ? tmpl.model.window : K;
  const j0 = sliding ? templateWindow(k0, K, N)[0] : k0;
  const j1 = sliding ? templateWindow(k1 - 1, K, N)[1] : k1;
  const base = g.start[j0];
  const x = Float64Array.from(read(base, g.start[j1 - 1] + Lf));
  const at = (j: number): number => g.start[j] - base;
  const means = Float64Array.from({ length: j1 - j0 }, (_, i) => mean(x, at(j0 + i), Lf));
  const c = new Float64Array(g.P);
  const A = new Float64Array(4 * g.P);
  const f = new Float64Array(Lf);
  const S = windowSums(Lf);
  let [w0, w1] = sliding ? templateWindow(k0, K, N) : [0, 0];
  if (sliding) for (let j = w0; j < w1; j++) addEpoch(S, g, j, x, at(j), means[j - j0], 1);
  for (let k = k0; k < k1; k++) {
    if (sliding) {
      const [n0, n1] = templateWindow(k, K, N);
      while (w1 < n1) { addEpoch(S, g, w1, x, at(w1), means[w1 - j0], 1); w1++; }
      while (w0 < n0) { addEpoch(S, g, w0, x, at(w0), means[w0 - j0], -1); w0++; }
      solveWindow(S, g, A, c);
      evalTemplate(c, g.w, 4 * k, Lf, f);
    } else if (tmpl.model.kind !== 'window') {
      driftCoefficients(tmpl.coef!, tmpl.model.functions, g.P, k, K, c);
      evalTemplate(c, g.w, 4 * k, Lf, f);
    } else {
      evalTemplate(tmpl.coef!, g.w, 4 * k, Lf, f);
    }
    const { a } = scaleOffset(x, at(k), f, Lf);
    // Correct the region [coarse start, next epoch's start) of epoch k, inside [outStart, outEnd).
    const r0 = Math.max(coarse[k], outStart), r1 = Math.min(regionEnd(coarse, k, L), outEnd);
    for (let i = r0; i < r1; i++) out[i - outStart] += a * f[i - g.start[k]];
  }
  return out;
}
