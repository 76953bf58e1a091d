// Choosing the artifact template model from the data: each candidate predicts held-out epochs from
// the others and the candidate with the smallest prediction error wins.
//   sliding windows N = 10, 20, 40, ... and all epochs: leave-out (the N epochs around epoch k, without
//     k and its GUARD neighbours on each side);
//   drift models (Q temporal B-splines over the recording): 5 folds of interleaved blocks of
//     2*GUARD+1 epochs, each block's centre predicted from the other four folds.
// The guard matters: slow EEG is shared by neighbouring epochs, so a template fitted to the immediate
// neighbours "predicts" part of the epoch's own EEG and plain leave-one-out rewards exactly the EEG
// leak that correction must avoid (it picked the shortest window on stationary data).
// The error is measured on a subset of epochs (about MAX_EVAL spread over the recording), after the
// epoch's own amplitude and offset are fitted to the prediction, in the band the user keeps: the
// residual is projected on the epoch's first cosine (DCT-II) functions up to SELECT_BAND_HZ. Channels
// are summed after dividing each by its best candidate's error, so every channel weighs the same.

import type { CorrectionPlan } from './plan';
import { templateWindow } from './plan';
import { evalTemplate, scaleOffset, type SplineGeometry } from './spline-core';
import {
  addDriftEpoch, addEpoch, driftCoefficients, driftSums, solveDrift, solveWindow, splineGeometryOf, windowSums,
  type DriftSums, type TemplateModel, type WindowSums,
} from './spline-aas';

/** Upper edge of the band the held-out error is measured in. Source: the default 70 Hz low-pass after
 * correction (what lies above it is filtered out anyway). */
export const SELECT_BAND_HZ = 70;
/** Held-out epochs evaluated per channel (cost bound; spread evenly over the recording). */
export const MAX_EVAL = 160;
const FOLDS = 5;
/** Epochs left out on each side of a held-out epoch. Source: slow EEG (< 2 Hz) decorrelates over about
 * half a second; 5 slices at the usual 10-20 slices/s. */
export const GUARD = 5;
/** Shortest window tried (the lower bound) and the fewest epochs per drift knot interval. */
const MIN_WINDOW = 10;
const MIN_EPOCHS_PER_KNOT = 20;

export interface TemplateChoice {
  model: TemplateModel;
  /** Every candidate with its error relative to the best (1 = best), summed over channels / channels. */
  candidates: Array<{ model: TemplateModel; relError: number }>;
  channels: number;
  evaluatedEpochs: number;
}

export function describeModel(m: TemplateModel, K: number): string {
  if (m.kind === 'drift') return `drift (${m.functions} temporal functions)`;
  return m.window >= K ? `all ${K} epochs` : `sliding window of ${m.window} epochs`;
}

export function candidateModels(K: number): TemplateModel[] {
  const out: TemplateModel[] = [];
  for (let N = MIN_WINDOW; N < K; N *= 2) out.push({ kind: 'window', window: N });
  out.push({ kind: 'window', window: K });
  for (const Q of [4, 5, 7, 11]) if ((Q - 3) * MIN_EPOCHS_PER_KNOT <= K) out.push({ kind: 'drift', functions: Q });
  return out;
}

/** Band-limited residual energy of one epoch against a predicted template. */
function bandError(x: Float32Array, at: number, f: Float64Array, Lf: number, cos: Float64Array, M: number, r: Float64Array): number {
  const { a, b } = scaleOffset(x, at, f, Lf);
  for (let m = 0; m < Lf; m++) r[m] = x[at + m] - a * f[m] - b;
  // q = 0 (the mean) is the offset nuisance; q = 1 (about a linear trend) is skipped too: slow EEG and
  // drift put a trend on every epoch that neighbours share over seconds, which long windows would be
  // rewarded for absorbing.
  let e = 0;
  for (let q = 2; q < M; q++) {
    let s = 0;
    const row = q * Lf;
    for (let m = 0; m < Lf; m++) s += r[m] * cos[row + m];
    e += s * s;
  }
  return e;
}

function meanOf(x: Float32Array, at: number, n: number): number {
  let s = 0;
  for (let m = 0; m < n; m++) s += x[at + m];
  return s / n;
}

/** Held-out error of every candidate on one channel (whole channel in memory). */
export function heldOutErrors(x: Float32Array, plan: CorrectionPlan, models: TemplateModel[]): { errors: number[]; perEpoch: Float64Array[]; evaluated: number } {
  const g: SplineGeometry = splineGeometryOf(plan);
  const K = plan.positions.length, Lf = g.Lf;
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
  const at = g.start;
  const means = Float64Array.from({ length: K }, (_, k) => meanOf(x, at[k], Lf));
  const errors = models.map(() => 0);
  const perEpoch = models.map(() => new Float64Array(K));
  const c = new Float64Array(g.P), A = new Float64Array(4 * g.P), f = new Float64Array(Lf), r = new Float64Array(Lf);

  // Sliding windows (the full window too): the sums of every window minus the held-out block come from
  // prefix sums over whole blocks (one pass over the epochs shared by all window sizes) plus the few
  // epochs at the window's ends, so the cost per held-out epoch does not grow with the window.
  const LY = 4 * Lf;
  const preY = new Float64Array((nBlocks + 1) * LY), preW = new Float64Array((nBlocks + 1) * 10);
  for (let bl = 0; bl < nBlocks; bl++) {
    preY.copyWithin((bl + 1) * LY, bl * LY, (bl + 1) * LY);
    preW.copyWithin((bl + 1) * 10, bl * 10, (bl + 1) * 10);
    const row: WindowSums = { W: preW.subarray((bl + 1) * 10, (bl + 2) * 10), Y: preY.subarray((bl + 1) * LY, (bl + 2) * LY), count: 0 };
    for (let j = bl * B; j < (bl + 1) * B; j++) addEpoch(row, g, j, x, at[j], means[j], 1);
  }
  const S: WindowSums = windowSums(Lf);
  const addRange = (a: number, b: number): void => {
    const ba = Math.ceil(a / B), bb = Math.floor(b / B);
    if (ba >= bb) { for (let j = a; j < b; j++) addEpoch(S, g, j, x, at[j], means[j], 1); return; }
    const Y = S.Y, W = S.W, hi = bb * LY, lo = ba * LY;
    for (let i = 0; i < LY; i++) Y[i] += preY[hi + i] - preY[lo + i];
    for (let i = 0; i < 10; i++) W[i] += preW[bb * 10 + i] - preW[ba * 10 + i];
    S.count += (bb - ba) * B;
    for (let j = a; j < ba * B; j++) addEpoch(S, g, j, x, at[j], means[j], 1);
    for (let j = bb * B; j < b; j++) addEpoch(S, g, j, x, at[j], means[j], 1);
  };
  models.forEach((model, mi) => {
    if (model.kind !== 'window') return;
    const N = Math.min(model.window + B, K);
    for (let k = 0; k < K; k++) {
      if (!evalSet[k]) continue;
      const [w0, w1] = templateWindow(k, K, N);
      const g0 = k - GUARD, g1 = k + GUARD + 1;
      S.Y.fill(0); S.W.fill(0); S.count = 0;
      addRange(w0, g0);
      addRange(g1, w1);
      solveWindow(S, g, A, c);
      evalTemplate(c, g.w, 4 * k, Lf, f);
      perEpoch[mi][k] = bandError(x, at[k], f, Lf, cos, M, r);
      errors[mi] += perEpoch[mi][k];
    }
  });

  // Drift models: interleaved folds.
  models.forEach((model, mi) => {
    if (model.kind !== 'drift') return;
    const Q = model.functions;
    const folds: DriftSums[] = Array.from({ length: FOLDS }, () => driftSums(g, Q));
    const foldOf = (k: number): number => Math.floor(k / B) % FOLDS;
    for (let k = 0; k < K; k++) addDriftEpoch(folds[foldOf(k)], g, k, K, x, at[k], means[k], 1);
    // Training sums of fold fo = all folds minus fold fo.
    const total = driftSums(g, Q);
    for (const fd of folds) {
      for (let i = 0; i < total.W.length; i++) total.W[i] += fd.W[i];
      for (let i = 0; i < total.Y.length; i++) total.Y[i] += fd.Y[i];
      total.count += fd.count;
    }
    const S = driftSums(g, Q);
    for (let fo = 0; fo < FOLDS; fo++) {
      const out = folds[fo];
      for (let i = 0; i < S.W.length; i++) S.W[i] = total.W[i] - out.W[i];
      for (let i = 0; i < S.Y.length; i++) S.Y[i] = total.Y[i] - out.Y[i];
      S.count = total.count - out.count;
      const coef = solveDrift(S, g);
      for (let k = 0; k < K; k++) {
        if (!evalSet[k] || foldOf(k) !== fo) continue;
        driftCoefficients(coef, Q, g.P, k, K, c);
        evalTemplate(c, g.w, 4 * k, Lf, f);
        perEpoch[mi][k] = bandError(x, at[k], f, Lf, cos, M, r);
        errors[mi] += perEpoch[mi][k];
      }
    }
  });
  return { errors, perEpoch, evaluated };
}

/** Epochs a model effectively averages (its stability): the simplest model has the most. */
export function effectiveEpochs(m: TemplateModel, K: number): number {
  return m.kind === 'window' ? Math.min(m.window, K) : K / (m.functions - 2);
}

/**
 * Choose the template model over one or more channels (each read whole, one at a time): the most stable
 * model whose held-out error is within one standard error (paired over held-out epochs) of the best.
 * The own EEG of each held-out epoch dominates every candidate's error, so differences in EEG leak
 * (below 1 % of the EEG power) are within the noise of the comparison; the one-standard-error rule
 * keeps the longest averaging that the data do not contradict.
 */
export function chooseTemplateModel(readChannel: (i: number) => Float32Array, nChannels: number, plan: CorrectionPlan): TemplateChoice {
  const K = plan.positions.length;
  const models = candidateModels(K);
  const total = models.map(() => 0);
  const pooled = models.map(() => new Float64Array(K));
  let evaluatedEpochs = 0;
  for (let i = 0; i < nChannels; i++) {
    const { errors, perEpoch, evaluated } = heldOutErrors(readChannel(i), plan, models);
    const best = Math.min(...errors);
    const scale = best > 0 ? 1 / best : 1;
    errors.forEach((e, j) => { total[j] += e * scale; for (let k = 0; k < K; k++) pooled[j][k] += perEpoch[j][k] * scale; });
    evaluatedEpochs = evaluated;
  }
  const best = Math.min(...total);
  const bi = total.indexOf(best);
  const ks = [...pooled[bi].keys()].filter((k) => pooled[bi][k] !== 0);
  const within = models.map((_, j) => {
    if (j === bi) return true;
    const d = ks.map((k) => pooled[j][k] - pooled[bi][k]);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, d.length - 1));
    return mean <= sd / Math.sqrt(d.length);
  });
  let chosen = bi;
  models.forEach((m, j) => { if (within[j] && effectiveEpochs(m, K) > effectiveEpochs(models[chosen], K)) chosen = j; });
  return {
    model: models[chosen], channels: nChannels, evaluatedEpochs,
    candidates: models.map((model, j) => ({ model, relError: total[j] / best })),
  };
}
