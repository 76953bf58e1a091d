// The held-out prediction error of template-model candidates on one channel (select.ts chooses from
// it). Every candidate predicts held-out epochs from the others:
//   sliding windows N = 10, 20, 40, ... and all epochs: leave-out (the N epochs around epoch k, without
//     k and its GUARD neighbours on each side);
//   drift and cross-channel models: 5 folds of interleaved blocks of 2*GUARD+1 epochs, each block's
//     centre predicted from the other four folds.
// The error is measured on a subset of epochs (about MAX_EVAL spread over the recording), after the
// epoch's own amplitude and offset are fitted to the prediction, in the band the user keeps: the
// residual is projected on the epoch's first cosine (DCT-II) functions up to SELECT_BAND_HZ.
// The energy above that band is recorded too (errorsHigh): there the artifact dwarfs the EEG, so it
// measures how well a model follows the artifact without rewarding EEG taken into the template (the
// cross-channel decision in select.ts uses it).
// Cost: every epoch's right-hand side (epochRhs) is computed once and shared by all candidates; each
// family of candidates runs in its own small function (one long function was recompiled by the JIT
// several times per run, at a cost comparable to the arithmetic).

import type { CorrectionPlan } from './plan';
import { templateWindow } from './plan';
import { addOuter, evalTemplate, scaleOffset, type SplineGeometry } from './spline-core';
import {
  addDriftEpochRhs, addEpochRhs, driftCoefficients, driftFactor, driftSums, epochRhs, solveDrift, solveWindow, splineGeometryOf, windowSums,
  type DriftSums, type TemplateModel, type WindowSums,
} from './spline-aas';
import { driftCourses, solveDriftRank } from './drift-rank';
import { CrossShapes, CrossSums, crossCoefficients } from './cross-drift';

/** Upper edge of the band the held-out error is measured in. Source: the default 70 Hz low-pass after
 * correction (what lies above it is filtered out anyway). */
export const SELECT_BAND_HZ = 70;
/** Held-out epochs evaluated per channel (cost bound; spread evenly over the recording). */
export const MAX_EVAL = 160;
export const FOLDS = 5;
/** Epochs left out on each side of a held-out epoch. Source: slow EEG (< 2 Hz) decorrelates over about
 * half a second; 5 slices at the usual 10-20 slices/s. */
export const GUARD = 5;

/** What every candidate family needs: the channel, its epochs and the evaluation set. */
interface Ctx {
  x: Float32Array; g: SplineGeometry; K: number; Lf: number; P: number; B: number;
  evalSet: Uint8Array; cos: Float64Array; M: number; means: Float64Array;
  /** Right-hand side of every epoch (K x P). */
  U: Float64Array;
  errors: number[]; perEpoch: Float64Array[];
  /** The same above SELECT_BAND_HZ. */
  errorsHigh: number[];
  shared: HeldOutShared;
  /** Scratch: coefficients, band, template, residual. */
  c: Float64Array; A: Float64Array; f: Float64Array; r: Float64Array;
}

/**
 * What the channels of one choice share: the drift models' factorizations per (Q, fold). The normal
 * matrices depend on the epochs' phases only, so every channel's fold has the same factor.
 */
export interface HeldOutShared { driftFactors: Map<string, Float64Array> }

export function heldOutShared(): HeldOutShared {
  return { driftFactors: new Map() };
}

/** Residual energy of one epoch against a predicted template: in the band (returned) and above it
 * (written to high[0]). */
function bandError(x: Float32Array, at: number, f: Float64Array, Lf: number, cos: Float64Array, M: number, r: Float64Array, high: Float64Array): number {
  const { a, b } = scaleOffset(x, at, f, Lf);
  let tot = 0;
  for (let m = 0; m < Lf; m++) { const v = x[at + m] - a * f[m] - b; r[m] = v; tot += v * v; }
  // q = 0 (the mean) is the offset nuisance; q = 1 (about a linear trend) is skipped too: slow EEG and
  // drift put a trend on every epoch that neighbours share over seconds, which long windows would be
  // rewarded for absorbing.
  const band = bandEnergy(r, Lf, cos, 2, M);
  high[0] = tot - bandEnergy(r, Lf, cos, 0, 2) - band;
  return band;
}

/** Energy of r on the cosine functions q0 .. M-1. */
function bandEnergy(r: Float64Array, Lf: number, cos: Float64Array, q0: number, M: number): number {
  let e = 0;
  for (let q = q0; q < M; q++) {
    let s = 0;
    const row = q * Lf;
    for (let m = 0; m < Lf; m++) s += r[m] * cos[row + m];
    e += s * s;
  }
  return e;
}

const highTmp = new Float64Array(1);

/** Record model mi's error on held-out epoch k for template coefficients ctx.c. */
function score(ctx: Ctx, mi: number, k: number): void {
  evalTemplate(ctx.c, ctx.g.w, 4 * k, ctx.Lf, ctx.f);
  const e = bandError(ctx.x, ctx.g.start[k], ctx.f, ctx.Lf, ctx.cos, ctx.M, ctx.r, highTmp);
  ctx.perEpoch[mi][k] = e;
  ctx.errors[mi] += e;
  ctx.errorsHigh[mi] += highTmp[0];
}

function foldOf(k: number, B: number): number {
  return Math.floor(k / B) % FOLDS;
}

function meanOf(x: Float32Array, at: number, n: number): number {
  let s = 0;
  for (let m = 0; m < n; m++) s += x[at + m];
  return s / n;
}

export interface HeldOut {
  /** Per candidate: held-out error in the band (sum over the evaluated epochs), per epoch, and above the band. */
  errors: number[]; perEpoch: Float64Array[]; errorsHigh: number[];
  /** The all-epoch template's energy in the band over its energy above it: how an error of the artifact's
   * shape seen above the band carries into the band. */
  bandRatio: number;
  evaluated: number;
}

/** Held-out error of every candidate on one channel (whole channel in memory). */
export function heldOutErrors(
  x: Float32Array, plan: CorrectionPlan, models: TemplateModel[], crossCols?: Float64Array[], shared: HeldOutShared = heldOutShared(),
): HeldOut {
  const g: SplineGeometry = splineGeometryOf(plan);
  const K = plan.positions.length, Lf = g.Lf, P = g.P;
  // Held-out epochs: centres of blocks of B = 2*GUARD+1 epochs, every `stride`-th block.
  const B = 2 * GUARD + 1;
  const nBlocks = Math.floor(K / B);
  let stride = Math.max(1, Math.floor(nBlocks / MAX_EVAL));
  if (stride % FOLDS === 0) stride++;
  const evalSet = new Uint8Array(K);
  let evaluated = 0;
  for (let bl = 0; bl < nBlocks; bl += stride) { evalSet[bl * B + GUARD] = 1; evaluated++; }
  const M = Math.max(1, Math.min(Lf, Math.ceil((2 * Lf * SELECT_BAND_HZ) / plan.fs)));
  const cos = new Float64Array(M * Lf);
  for (let q = 0; q < M; q++) {
    const norm = Math.sqrt((q === 0 ? 1 : 2) / Lf);
    for (let m = 0; m < Lf; m++) cos[q * Lf + m] = norm * Math.cos((Math.PI * (m + 0.5) * q) / Lf);
  }
  const means = new Float64Array(K);
  for (let k = 0; k < K; k++) means[k] = meanOf(x, g.start[k], Lf);
  // Every epoch's right-hand side once: all candidates' normal equations are sums of them.
  const U = new Float64Array(K * P);
  for (let k = 0; k < K; k++) epochRhs(g, k, x, g.start[k], means[k], U.subarray(k * P, (k + 1) * P));
  const ctx: Ctx = {
    x, g, K, Lf, P, B, evalSet, cos, M, means, U,
    errors: models.map(() => 0), perEpoch: models.map(() => new Float64Array(K)), errorsHigh: models.map(() => 0), shared,
    c: new Float64Array(P), A: new Float64Array(4 * P), f: new Float64Array(Lf), r: new Float64Array(Lf),
  };
  const windows: number[] = [], cross: number[] = [], drift: number[] = [];
  for (let mi = 0; mi < models.length; mi++) {
    const kind = models[mi].kind;
    (kind === 'window' ? windows : kind === 'cross' ? cross : drift).push(mi);
  }
  if (windows.length) windowErrors(ctx, models, windows);
  if (cross.length) {
    if (!crossCols) throw new Error('cross-channel template models need the other channels\' shapes');
    crossErrors(ctx, models, cross, crossCols);
  }
  if (drift.length) driftErrors(ctx, models, drift);
  return { errors: ctx.errors, perEpoch: ctx.perEpoch, errorsHigh: ctx.errorsHigh, bandRatio: bandRatio(ctx), evaluated };
}

/** The all-epoch template's band energy (as bandError measures it) over its energy above the band, at
 * the phase of the middle epoch. */
function bandRatio(ctx: Ctx): number {
  const { K, P, U, g, Lf, f, r } = ctx;
  const S = windowSums(Lf);
  for (let k = 0; k < K; k++) addEpochRhs(S, g, k, U.subarray(k * P, (k + 1) * P), 1);
  solveWindow(S, g, ctx.A, ctx.c);
  evalTemplate(ctx.c, g.w, 4 * (K >> 1), Lf, f);
  let mean = 0;
  for (let m = 0; m < Lf; m++) mean += f[m] / Lf;
  let tot = 0;
  for (let m = 0; m < Lf; m++) { r[m] = f[m] - mean; tot += r[m] * r[m]; }
  const high = tot - bandEnergy(r, Lf, ctx.cos, 0, ctx.M);
  return high > 0 ? bandEnergy(r, Lf, ctx.cos, 2, ctx.M) / high : 0;
}

/**
 * Sliding windows (the full window too): the sums of every window minus the held-out block are
 * differences of prefix sums over the epochs (shared by all window sizes), so the cost per held-out
 * epoch does not grow with the window.
 */
function windowErrors(ctx: Ctx, models: TemplateModel[], idx: number[]): void {
  const { K, P, U, g, evalSet } = ctx;
  const preY = new Float64Array((K + 1) * P), preW = new Float64Array((K + 1) * 10);
  for (let k = 0; k < K; k++) {
    const y0 = k * P, y1 = y0 + P;
    for (let j = 0; j < P; j++) preY[y1 + j] = preY[y0 + j] + U[y0 + j];
    preW.copyWithin((k + 1) * 10, k * 10, (k + 1) * 10);
    addOuter(preW.subarray((k + 1) * 10, (k + 2) * 10), g.w, 4 * k, 1);
  }
  const S: WindowSums = windowSums(ctx.Lf);
  for (const mi of idx) {
    const N = Math.min((models[mi] as { window: number }).window + ctx.B, K);
    for (let k = 0; k < K; k++) {
      if (!evalSet[k]) continue;
      const [w0, w1] = templateWindow(k, K, N);
      rangeSums(S, preY, preW, P, w0, Math.max(w0, k - GUARD), Math.min(w1, k + GUARD + 1), w1);
      solveWindow(S, g, ctx.A, ctx.c);
      score(ctx, mi, k);
    }
  }
}

/** S = sums over epochs [w0, g0) and [g1, w1) from the prefix sums. */
function rangeSums(S: WindowSums, preY: Float64Array, preW: Float64Array, P: number, w0: number, g0: number, g1: number, w1: number): void {
  const Y = S.Y, W = S.W;
  const a0 = w0 * P, b0 = g0 * P, a1 = g1 * P, b1 = w1 * P;
  for (let j = 0; j < P; j++) Y[j] = (preY[b0 + j] - preY[a0 + j]) + (preY[b1 + j] - preY[a1 + j]);
  for (let i = 0; i < 10; i++) W[i] = (preW[g0 * 10 + i] - preW[w0 * 10 + i]) + (preW[w1 * 10 + i] - preW[g1 * 10 + i]);
  S.count = g0 - w0 + w1 - g1;
}

/**
 * Cross-channel drift models: per fold the all-epoch template of the training epochs (total minus
 * fold) and the shape gains from their high-frequency evidence.
 */
function crossErrors(ctx: Ctx, models: TemplateModel[], idx: number[], crossCols: Float64Array[]): void {
  const { K, P, g, x, U, B, evalSet } = ctx;
  const Rmax = Math.max(...idx.map((mi) => (models[mi] as { rank: number }).rank));
  const shapes = new CrossShapes(g, crossCols.slice(0, Rmax));
  const R2 = Rmax * Rmax, Gk = new Float64Array(K * R2), ak = new Float64Array(K * Rmax), z = new Float64Array(Rmax);
  for (let k = 0; k < K; k++) { shapes.gram(k, Gk.subarray(k * R2, (k + 1) * R2)); shapes.data(k, x, g.start[k], ak.subarray(k * Rmax, (k + 1) * Rmax)); }
  const foldW = Array.from({ length: FOLDS }, () => windowSums(ctx.Lf));
  const totalW = windowSums(ctx.Lf);
  for (let k = 0; k < K; k++) addEpochRhs(foldW[foldOf(k, B)], g, k, U.subarray(k * P, (k + 1) * P), 1);
  for (const fw of foldW) {
    for (let i = 0; i < fw.W.length; i++) totalW.W[i] += fw.W[i];
    for (let i = 0; i < fw.Y.length; i++) totalW.Y[i] += fw.Y[i];
    totalW.count += fw.count;
  }
  const c0 = new Float64Array(P), Sf = windowSums(ctx.Lf);
  for (let fo = 0; fo < FOLDS; fo++) {
    for (let i = 0; i < Sf.W.length; i++) Sf.W[i] = totalW.W[i] - foldW[fo].W[i];
    for (let i = 0; i < Sf.Y.length; i++) Sf.Y[i] = totalW.Y[i] - foldW[fo].Y[i];
    Sf.count = totalW.count - foldW[fo].count;
    solveWindow(Sf, g, ctx.A, c0);
    const sums = idx.map((mi) => { const m = models[mi] as { functions: number; rank: number }; return new CrossSums(m.functions, m.rank); });
    const X = shapes.against(c0);
    for (let k = 0; k < K; k++) {
      if (foldOf(k, B) === fo) continue;
      shapes.residual(k, ak.subarray(k * Rmax, (k + 1) * Rmax), X, z);
      const G = Gk.subarray(k * R2, (k + 1) * R2);
      for (const cs of sums) cs.add(k, K, G, z, Rmax);
    }
    for (let ci = 0; ci < idx.length; ci++) {
      const mi = idx[ci], m = models[mi] as { functions: number; rank: number };
      const coef = crossCoefficients(c0, crossCols.slice(0, m.rank), sums[ci].solve(), m.functions);
      for (let k = 0; k < K; k++) {
        if (!evalSet[k] || foldOf(k, B) !== fo) continue;
        driftCoefficients(coef, m.functions, P, k, K, ctx.c);
        score(ctx, mi, k);
      }
    }
  }
}

/** Drift models: interleaved folds (models with the same Q share the fold sums and the full-rank fit). */
function driftErrors(ctx: Ctx, models: TemplateModel[], idx: number[]): void {
  const byQ = new Map<number, number[]>();
  for (const mi of idx) { const Q = (models[mi] as { functions: number }).functions; byQ.set(Q, [...(byQ.get(Q) ?? []), mi]); }
  for (const [Q, mis] of byQ) driftFamily(ctx, models, Q, mis);
}

function driftFamily(ctx: Ctx, models: TemplateModel[], Q: number, mis: number[]): void {
  const { K, P, g, U, B, evalSet } = ctx;
  const folds: DriftSums[] = Array.from({ length: FOLDS }, () => driftSums(g, Q));
  for (let k = 0; k < K; k++) addDriftEpochRhs(folds[foldOf(k, B)], g, k, K, U.subarray(k * P, (k + 1) * P), 1);
  // Training sums of fold fo = all folds minus fold fo.
  const total = driftSums(g, Q);
  for (const fd of folds) {
    for (let i = 0; i < total.W.length; i++) total.W[i] += fd.W[i];
    for (let i = 0; i < total.Y.length; i++) total.Y[i] += fd.Y[i];
    total.count += fd.count;
  }
  const S = driftSums(g, Q);
  const Rmax = Math.max(0, ...mis.map((mi) => (models[mi] as { rank?: number }).rank ?? 0));
  for (let fo = 0; fo < FOLDS; fo++) {
    const out = folds[fo];
    for (let i = 0; i < S.W.length; i++) S.W[i] = total.W[i] - out.W[i];
    for (let i = 0; i < S.Y.length; i++) S.Y[i] = total.Y[i] - out.Y[i];
    S.count = total.count - out.count;
    const key = `${Q}:${fo}`;
    let factor = ctx.shared.driftFactors.get(key);
    if (!factor) { factor = driftFactor(S, g); ctx.shared.driftFactors.set(key, factor); }
    const full = solveDrift(S, g, factor);
    const courses = Rmax > 0 && Rmax < Q ? { V: driftCourses(full, P, Q, Rmax), R: Rmax } : undefined;
    for (const mi of mis) {
      const rank = (models[mi] as { rank?: number }).rank;
      const coef = rank ? solveDriftRank(S, g, rank, full, courses) : full;
      for (let k = 0; k < K; k++) {
        if (!evalSet[k] || foldOf(k, B) !== fo) continue;
        driftCoefficients(coef, Q, P, k, K, ctx.c);
        score(ctx, mi, k);
      }
    }
  }
}
