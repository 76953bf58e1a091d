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
import { driftCourses, solveDriftRank } from './drift-rank';
import { CrossShapes, CrossSums, crossCoefficients } from './cross-drift';
import { selectionShapes } from './cross-channel';

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
/** Reduced-rank drift models (drift-rank.ts): temporal functions and the ranks tried. Source: a drift
 * from motion changes the coupling of three gradient axes (rank 3) plus second-order terms; rank 2 never
 * came close on the tuning seeds (held-out error 10-14x the best), so it is not tried (cost). */
const RANK_FUNCTIONS = [11];
const MIN_DRIFT_RANK = 3;
const MAX_DRIFT_RANK = 4;
/** Temporal functions of the cross-channel drift's gains. */
const CROSS_FUNCTIONS = [11];
const MIN_EPOCHS_PER_KNOT = 20;

export interface TemplateChoice {
  model: TemplateModel;
  /** Every candidate with its error relative to the best (1 = best), summed over channels / channels. */
  candidates: Array<{ model: TemplateModel; relError: number }>;
  channels: number;
  evaluatedEpochs: number;
  /** Cross-channel model chosen: its shapes from all selection channels (row-major P x rank). */
  crossBasis: number[] | null;
}

export function describeModel(m: TemplateModel, K: number): string {
  if (m.kind === 'cross') return `cross-channel drift (${m.rank} shapes, ${m.functions} temporal functions)`;
  if (m.kind === 'drift') return m.rank ? `drift (${m.functions} temporal functions, rank ${m.rank})` : `drift (${m.functions} temporal functions)`;
  return m.window >= K ? `all ${K} epochs` : `sliding window of ${m.window} epochs`;
}

export function candidateModels(K: number, crossRanks = 0): TemplateModel[] {
  const out: TemplateModel[] = [];
  for (let N = MIN_WINDOW; N < K; N *= 2) out.push({ kind: 'window', window: N });
  out.push({ kind: 'window', window: K });
  for (const Q of [4, 5, 7, 11]) if ((Q - 3) * MIN_EPOCHS_PER_KNOT <= K) out.push({ kind: 'drift', functions: Q });
  for (const Q of RANK_FUNCTIONS) if ((Q - 3) * MIN_EPOCHS_PER_KNOT <= K) for (let R = MIN_DRIFT_RANK; R <= MAX_DRIFT_RANK; R++) out.push({ kind: 'drift', functions: Q, rank: R });
  for (const Q of CROSS_FUNCTIONS) if ((Q - 3) * MIN_EPOCHS_PER_KNOT <= K) for (let R = 1; R <= crossRanks; R++) out.push({ kind: 'cross', functions: Q, rank: R });
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
export function heldOutErrors(
  x: Float32Array, plan: CorrectionPlan, models: TemplateModel[], crossCols?: Float64Array[],
): { errors: number[]; perEpoch: Float64Array[]; evaluated: number } {
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

  const foldOf = (k: number): number => Math.floor(k / B) % FOLDS;
  // Cross-channel drift models: the same folds; per fold the all-epoch template of the training epochs
  // (total minus fold) and the shape gains from their high-frequency evidence.
  const crossIdx = models.flatMap((m, mi) => (m.kind === 'cross' ? [mi] : []));
  if (crossIdx.length) {
    if (!crossCols) throw new Error('cross-channel template models need the other channels\' shapes');
    const Rmax = Math.max(...crossIdx.map((mi) => (models[mi] as { rank: number }).rank));
    const shapes = new CrossShapes(g, crossCols.slice(0, Rmax));
    const R2 = Rmax * Rmax, Gk = new Float64Array(K * R2), ak = new Float64Array(K * Rmax), z = new Float64Array(Rmax);
    for (let k = 0; k < K; k++) { shapes.gram(k, Gk.subarray(k * R2, (k + 1) * R2)); shapes.data(k, x, at[k], ak.subarray(k * Rmax, (k + 1) * Rmax)); }
    const foldW = Array.from({ length: FOLDS }, () => windowSums(Lf));
    const totalW = windowSums(Lf);
    for (let k = 0; k < K; k++) addEpoch(foldW[foldOf(k)], g, k, x, at[k], means[k], 1);
    for (const fw of foldW) {
      for (let i = 0; i < fw.W.length; i++) totalW.W[i] += fw.W[i];
      for (let i = 0; i < fw.Y.length; i++) totalW.Y[i] += fw.Y[i];
      totalW.count += fw.count;
    }
    const c0 = new Float64Array(g.P);
    for (let fo = 0; fo < FOLDS; fo++) {
      const Sf = windowSums(Lf);
      for (let i = 0; i < Sf.W.length; i++) Sf.W[i] = totalW.W[i] - foldW[fo].W[i];
      for (let i = 0; i < Sf.Y.length; i++) Sf.Y[i] = totalW.Y[i] - foldW[fo].Y[i];
      Sf.count = totalW.count - foldW[fo].count;
      solveWindow(Sf, g, A, c0);
      const sums = crossIdx.map((mi) => { const m = models[mi] as { functions: number; rank: number }; return new CrossSums(m.functions, m.rank); });
      const X = shapes.against(c0);
      for (let k = 0; k < K; k++) {
        if (foldOf(k) === fo) continue;
        shapes.residual(k, ak.subarray(k * Rmax, (k + 1) * Rmax), X, z);
        const G = Gk.subarray(k * R2, (k + 1) * R2);
        for (const cs of sums) cs.add(k, K, G, z, Rmax);
      }
      crossIdx.forEach((mi, ci) => {
        const m = models[mi] as { functions: number; rank: number };
        const coef = crossCoefficients(c0, crossCols.slice(0, m.rank), sums[ci].solve(), m.functions);
        for (let k = 0; k < K; k++) {
          if (!evalSet[k] || foldOf(k) !== fo) continue;
          driftCoefficients(coef, m.functions, g.P, k, K, c);
          evalTemplate(c, g.w, 4 * k, Lf, f);
          perEpoch[mi][k] = bandError(x, at[k], f, Lf, cos, M, r);
          errors[mi] += perEpoch[mi][k];
        }
      });
    }
  }

  // Drift models: interleaved folds (models with the same Q share the fold sums and the full-rank fit).
  const byQ = new Map<number, number[]>();
  models.forEach((model, mi) => { if (model.kind === 'drift') byQ.set(model.functions, [...(byQ.get(model.functions) ?? []), mi]); });
  for (const [Q, mis] of byQ) {
    const folds: DriftSums[] = Array.from({ length: FOLDS }, () => driftSums(g, Q));
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
      const full = solveDrift(S, g);
      const Rmax = Math.max(0, ...mis.map((mi) => (models[mi] as { rank?: number }).rank ?? 0));
      const courses = Rmax > 0 && Rmax < Q ? { V: driftCourses(full, g.P, Q, Rmax), R: Rmax } : undefined;
      for (const mi of mis) {
        const rank = (models[mi] as { rank?: number }).rank;
        const coef = rank ? solveDriftRank(S, g, rank, full, courses) : full;
        for (let k = 0; k < K; k++) {
          if (!evalSet[k] || foldOf(k) !== fo) continue;
          driftCoefficients(coef, Q, g.P, k, K, c);
          evalTemplate(c, g.w, 4 * k, Lf, f);
          perEpoch[mi][k] = bandError(x, at[k], f, Lf, cos, M, r);
          errors[mi] += perEpoch[mi][k];
        }
      }
    }
  }
  return { errors, perEpoch, evaluated };
}

/** Epochs a model effectively averages (its stability): the simplest model has the most. */
export function effectiveEpochs(m: TemplateModel, K: number): number {
  // Cross-channel drift: the all-epoch template plus R x Q gains fitted to the gradient detail (shapes
  // from other channels), so it takes up little more EEG than one template from all epochs: ranked just
  // below 'all' and above every per-channel model that varies over time.
  if (m.kind === 'cross') return K - 1;
  if (m.kind === 'drift' && m.rank) return K / m.rank;
  return m.kind === 'window' ? Math.min(m.window, K) : K / (m.functions - 2);
}

/**
 * Choose the template model over one or more channels (each read whole, one at a time): the most stable
 * model whose held-out error is within one standard error (paired over held-out epochs) of the best.
 * The own EEG of each held-out epoch dominates every candidate's error, so differences in EEG leak
 * (below 1 % of the EEG power) are within the noise of the comparison; the one-standard-error rule
 * keeps the longest averaging that the data do not contradict.
 */
export function chooseTemplateModel(readChannel: (i: number) => Float32Array, nChannels: number, plan: CorrectionPlan, crossChannel = false): TemplateChoice {
  const K = plan.positions.length;
  // Cross-channel candidates need the shapes of the other selection channels (one more read of each).
  const shapes = crossChannel ? selectionShapes(readChannel, nChannels, plan) : null;
  const models = candidateModels(K, shapes ? shapes.maxRank : 0);
  const total = models.map(() => 0);
  const pooled = models.map(() => new Float64Array(K));
  let evaluatedEpochs = 0;
  for (let i = 0; i < nChannels; i++) {
    const { errors, perEpoch, evaluated } = heldOutErrors(readChannel(i), plan, models, shapes?.others(i));
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
  const model = models[chosen];
  return {
    model, channels: nChannels, evaluatedEpochs,
    candidates: models.map((model, j) => ({ model, relError: total[j] / best })),
    crossBasis: model.kind === 'cross' && shapes ? shapes.all(model.rank) : null,
  };
}
