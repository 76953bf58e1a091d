// Cross-channel low band of the all-epoch template: generalized least squares (GLS) across channels.
// Why: when the slice rate lies inside an EEG rhythm (10.3 Hz slices in the alpha band), the rhythm
// stays coherent over several epochs, and a template averaged over all epochs takes up the EEG near the
// slice harmonics ("leak"), which is then subtracted from the output as if it were artifact.
// The artifact is low rank across channels: every channel's artifact is its own mix of the three
// gradient axes' waveforms, with mixing weights that do not depend on frequency (the induced voltage is
// linear in the slew rates; the amplifier filters are the same on every channel). The leak is the
// channels' EEG: a few shared sources with their own spatial patterns plus per-channel activity. So:
//   1. the mixing weights come from the templates above the kept band, where the artifact dwarfs the EEG
//      (leading R singular vectors of the shape channels' template spectra there);
//   2. in the kept band, every template frequency's R waveforms are estimated by GLS across channels,
//      weighted by the inverse cross-channel covariance of the leak at that frequency: shared EEG sources
//      outside the artifact's channel span drop out, only the EEG inside that span stays;
//   3. each channel's template in the kept band becomes its weights times those waveforms; above the band
//      it is unchanged.
// The leak's covariance: the template's leak is the mean over all epochs of the EEG in the epochs, so its
// cross-channel covariance is the long-run covariance of the epochs' EEG at that frequency divided by the
// number of blocks, estimated from means over blocks of consecutive epochs of the all-epoch correction's
// residual (Newey-West weights over neighbouring blocks, because coherent EEG outlasts a block). Artifact
// left in the residual lies in the artifact's channel span, which leaves the GLS estimate unchanged
// (adding W M W' to C does not change (W'C^-1 W)^-1 W'C^-1).
// Used only when the model fits: the GLS residual in the kept band, in units of the leak's covariance, is
// about its degrees of freedom when the rank-R model holds; a gradient axis it misses, or mixing that
// depends on frequency, leaves artifact (hundreds of times the EEG) in the residual (lowBandDecision).
// Template frequencies: the spline coefficients' DFT over one template (P coefficients, bin j = j fs / P
// Hz); the B-spline's response is the same on every channel, so coefficients and samples give the same
// estimate. Cost: the plan reads the shape channels once more; each channel transforms its template once.

import { MAX_CROSS_RANK } from './cross-channel';
import { GUARD, SELECT_BAND_HZ } from './held-out';
import { shapeColumns } from './cross-drift';
import { leadingShapes } from './low-rank';
import type { CorrectionPlan, ShapeSource } from './plan';
import { solveSpd } from './spd-solve';
import { fitChannelTemplate, splineGeometryOf } from './spline-aas';
import { evalTemplate } from './spline-core';

/** Shrinkage of the leak's covariance toward its mean diagonal (a ridge of this fraction). Source: the
 * covariance comes from a few dozen blocks in 2 x channels real dimensions, so its inverse is noisy in
 * the weak directions (the goodness of fit was inflated 5-14x on the unit test's recording with 1e-3);
 * a shared EEG source, whose leak GLS must remove, has an eigenvalue far above the mean diagonal and stays
 * suppressed with 0.1 (same error on that recording with 1e-3, 0.03 and 0.1). */
const COV_RIDGE = 0.1;
/** Epochs per block of the leak's covariance. Source: the held-out choice's block (2 GUARD + 1 epochs,
 * over which slow EEG decorrelates); longer coherence is covered by the Newey-West lags. */
const BLOCK_EPOCHS = 2 * GUARD + 1;
/** Largest GLS residual, in units of its expectation under the model, for which the model is used.
 * Source: with the true covariance the statistic is chi-square over its degrees of freedom divided by
 * them (99.9 % point below 3.3 for >= 8 degrees of freedom); the estimated covariance inflates it (about
 * 3 on the unit test's recording, 0.7-4.0 on the tuning seeds of evaluation.test.ts); artifact outside
 * the rank-R model is orders of magnitude above the EEG (scanner artifact is 100-1000x the EEG; a
 * missed gradient axis gave 5e4-1e5 on tuning seeds 6066/6067, a slow artifact part on half the
 * channels 3e3 in the unit test), so the bound only needs to lie between the two. */
export const FIT_RATIO_MAX = 10;

/** The plan's part of the model: what every channel applies to its own all-epoch template. */
export interface LowBandModel {
  rank: number;
  /** Template length in coefficients (P). */
  P: number;
  /** Bins replaced: 1 .. nLow; bins the weights are measured in: highFrom .. P/2. */
  nLow: number;
  highFrom: number;
  /** High band: orthonormal directions V (row-major (2 nHigh) x R, re/im interleaved per bin) and the
   * singular values; a channel's weights are w_r = (h . V_r) / sigma_r. */
  V: number[];
  sigma: number[];
  /** Low-band waveforms: row-major nLow x R complex (re, im interleaved). */
  S: number[];
}

/** What the plan keeps: the model when used, and the figures that decided it. */
export interface LowBandPlan { model: LowBandModel | null; fitRatio: number; channels: number; report: string }

/** cos/sin of 2 pi t / P, t = 0 .. P - 1. */
const trigCache = new Map<number, { c: Float64Array; s: Float64Array }>();
function trig(P: number): { c: Float64Array; s: Float64Array } {
  let t = trigCache.get(P);
  if (!t) {
    t = { c: new Float64Array(P), s: new Float64Array(P) };
    for (let i = 0; i < P; i++) { t.c[i] = Math.cos((2 * Math.PI * i) / P); t.s[i] = Math.sin((2 * Math.PI * i) / P); }
    if (trigCache.size > 8) trigCache.clear();
    trigCache.set(P, t);
  }
  return t;
}

/** Real vector of the spectrum of x[0 .. n) (n <= P) at bins [a, b) of length P (re, im per bin). */
function bandVector(x: ArrayLike<number>, n: number, P: number, a: number, b: number, out = new Float64Array(2 * (b - a))): Float64Array {
  const { c, s } = trig(P);
  for (let j = a; j < b; j++) {
    let re = 0, im = 0, idx = 0;
    for (let m = 0; m < n; m++) { re += x[m] * c[idx]; im -= x[m] * s[idx]; idx += j; if (idx >= P) idx -= P; }
    out[2 * (j - a)] = re; out[2 * (j - a) + 1] = im;
  }
  return out;
}

/** Bins of a template of P coefficients: replaced (1..nLow, below bandHz) and measured (highFrom..P/2). */
export function lowBandBins(P: number, fs: number, bandHz: number): { nLow: number; highFrom: number } {
  const nLow = Math.min(Math.ceil((bandHz * P) / fs) - 1, Math.floor(P / 2) - 1);
  return { nLow, highFrom: nLow + 1 };
}

/** Each block's epochs' phase weights summed (B x 4): a template evaluated with them is the sum of the
 * block's epoch templates (a template is linear in its epoch's 4 phase weights). */
function blockWeights(plan: CorrectionPlan, blockEpochs: number): Float64Array {
  const g = splineGeometryOf(plan);
  const B = Math.floor(plan.positions.length / blockEpochs);
  const out = new Float64Array(4 * B);
  for (let b = 0; b < B; b++) for (let k = b * blockEpochs; k < (b + 1) * blockEpochs; k++) for (let p = 0; p < 4; p++) out[4 * b + p] += g.w[4 * k + p];
  return out;
}

/** The R shapes (spline coefficients) summed over each block's epochs at their own phases: B x R x Lf.
 * The same for every channel (the epochs' phases are), so computed once. */
export function shapeBlockSums(plan: CorrectionPlan, shapes: Float64Array[], blockEpochs = BLOCK_EPOCHS): Float64Array {
  const Lf = splineGeometryOf(plan).Lf, R = shapes.length;
  const w = blockWeights(plan, blockEpochs), B = w.length / 4;
  const out = new Float64Array(B * R * Lf);
  for (let b = 0; b < B; b++) for (let r = 0; r < R; r++) evalTemplate(shapes[r], w, 4 * b, Lf, out.subarray((b * R + r) * Lf, (b * R + r + 1) * Lf));
  return out;
}

/**
 * Block means of one channel's all-epoch correction residual (each epoch's samples less their mean and
 * the template), as spectra at bins 1..nLow: B x nLow complex (re, im interleaved). Each block's sum is
 * first cleared of its least-squares fit on the R shapes' block sums (shapeSums, B x R x Lf): the
 * artifact's amplitude changes and drift leave a residual in the shapes' span that differs per channel
 * (not in the artifact's channel span, so it would distort the covariance); EEG has little in those
 * shapes (they are dominated by gradient detail far above the EEG band).
 */
export function residualBlockSpectra(x: Float32Array, plan: CorrectionPlan, coef: Float64Array, nLow: number, shapeSums: Float64Array, R: number, blockEpochs = BLOCK_EPOCHS): Float64Array {
  const g = splineGeometryOf(plan);
  const Lf = g.Lf, P = g.P;
  const w = blockWeights(plan, blockEpochs), B = w.length / 4;
  const f = new Float64Array(Lf), acc = new Float64Array(Lf), v = new Float64Array(2 * nLow);
  const G = new Float64Array(R * R), rhs = new Float64Array(R), h = new Float64Array(R);
  const out = new Float64Array(B * nLow * 2);
  for (let b = 0; b < B; b++) {
    acc.fill(0);
    // The epochs' own means (their offsets, as in the template fit) are subtracted as one block total.
    let total = 0;
    for (let k = b * blockEpochs; k < (b + 1) * blockEpochs; k++) {
      const s = g.start[k];
      for (let m = 0; m < Lf; m++) { const xv = x[s + m]; acc[m] += xv; total += xv; }
    }
    evalTemplate(coef, w, 4 * b, Lf, f);
    total /= Lf;
    for (let m = 0; m < Lf; m++) acc[m] -= f[m] + total;
    const o = b * R * Lf;
    for (let r = 0; r < R; r++) {
      let q = 0;
      for (let m = 0; m < Lf; m++) q += shapeSums[o + r * Lf + m] * acc[m];
      rhs[r] = q;
      for (let e = 0; e <= r; e++) {
        let t = 0;
        for (let m = 0; m < Lf; m++) t += shapeSums[o + r * Lf + m] * shapeSums[o + e * Lf + m];
        G[r * R + e] = t; G[e * R + r] = t;
      }
    }
    if (R > 0 && solveSpd(G, R, rhs, h, 1e-9)) for (let r = 0; r < R; r++) for (let m = 0; m < Lf; m++) acc[m] -= h[r] * shapeSums[o + r * Lf + m];
    bandVector(acc, Lf, P, 1, nLow + 1, v);
    for (let i = 0; i < 2 * nLow; i++) out[b * nLow * 2 + i] = v[i] / blockEpochs;
  }
  return out;
}

/** Channel weights (R) of a template from its high-band vector h. */
function weightsOf(h: Float64Array, V: ArrayLike<number>, sigma: ArrayLike<number>, R: number): Float64Array {
  const w = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < h.length; i++) s += h[i] * V[i * R + r];
    w[r] = sigma[r] > 0 ? s / sigma[r] : 0;
  }
  return w;
}

/** Newey-West lags for B blocks (the usual automatic rule, 4 (B/100)^(2/9)). */
function hacLags(B: number): number {
  return Math.max(1, Math.floor(4 * (B / 100) ** (2 / 9)));
}

/**
 * Real form [[A, -Bi], [Bi, A]] (2n x 2n) of the Hermitian long-run covariance of the mean of B block
 * values at bin j (blocks[c]: B x nLow complex), i.e. the covariance of the template's leak.
 */
function leakCovariance(blocks: Float64Array[], j: number, nLow: number): Float64Array {
  const n = blocks.length, n2 = 2 * n, B = blocks[0].length / (2 * nLow);
  const d = new Float64Array(B * n2);
  for (let c = 0; c < n; c++) {
    let mr = 0, mi = 0;
    for (let b = 0; b < B; b++) { mr += blocks[c][(b * nLow + j) * 2]; mi += blocks[c][(b * nLow + j) * 2 + 1]; }
    mr /= B; mi /= B;
    for (let b = 0; b < B; b++) { d[b * n2 + c] = blocks[c][(b * nLow + j) * 2] - mr; d[b * n2 + n + c] = blocks[c][(b * nLow + j) * 2 + 1] - mi; }
  }
  const L = hacLags(B);
  const M = new Float64Array(n2 * n2);
  for (let l = 0; l <= Math.min(L, B - 1); l++) {
    const wt = (l === 0 ? 1 : 1 - l / (L + 1)) / (B * B);
    for (let b = l; b < B; b++) {
      const x = b * n2, y = (b - l) * n2;
      for (let c = 0; c < n; c++) for (let e = 0; e < n; e++) {
        // z_b z_{b-l}^H (+ its Hermitian transpose for l > 0): re = xr yr + xi yi, im = xi yr - xr yi.
        let re = d[x + c] * d[y + e] + d[x + n + c] * d[y + n + e];
        let im = d[x + n + c] * d[y + e] - d[x + c] * d[y + n + e];
        if (l > 0) {
          re += d[y + c] * d[x + e] + d[y + n + c] * d[x + n + e];
          im += d[y + n + c] * d[x + e] - d[y + c] * d[x + n + e];
        }
        M[c * n2 + e] += wt * re; M[(n + c) * n2 + n + e] += wt * re;
        M[(n + c) * n2 + e] += wt * im; M[c * n2 + n + e] -= wt * im;
      }
    }
  }
  return M;
}

/**
 * The model from the shape channels' all-epoch templates (coefs) and their residual block spectra, and
 * the goodness of fit (GLS residual over its expectation). Null when there are too few channels (at
 * least rank + 2, so that EEG directions outside the artifact's span exist) or a solve fails.
 */
export function fitLowBand(coefs: Float64Array[], blocks: Float64Array[], P: number, nLow: number, highFrom: number, rank: number): { model: LowBandModel; fitRatio: number } | null {
  const n = coefs.length, R = rank;
  if (n < R + 2 || nLow < 1) return null;
  const top = Math.floor(P / 2);
  const H = coefs.map((c) => bandVector(c, P, P, highFrom, top + 1));
  const { basis: V, singular } = leadingShapes(H, R);
  const sigma = singular.slice(0, R);
  const W = H.map((h) => weightsOf(h, V, sigma, R));
  const T = coefs.map((c) => bandVector(c, P, P, 1, nLow + 1));
  const S = new Float64Array(nLow * R * 2);
  const n2 = 2 * n, R2 = 2 * R, t = new Float64Array(n2), col = new Float64Array(n2), z = new Float64Array(n2);
  const Z = new Float64Array(n2 * R2);
  let stat = 0;
  for (let j = 0; j < nLow; j++) {
    const M = leakCovariance(blocks, j, nLow);
    // Z = M^-1 X with X = [[W, 0], [0, W]] (2n x 2R): real and imaginary parts share the weights.
    for (let q = 0; q < R2; q++) {
      col.fill(0);
      for (let c = 0; c < n; c++) col[q < R ? c : n + c] = W[c][q % R];
      if (!solveSpd(M, n2, col, z, COV_RIDGE)) return null;
      for (let i = 0; i < n2; i++) Z[i * R2 + q] = z[i];
    }
    for (let c = 0; c < n; c++) { t[c] = T[c][2 * j]; t[n + c] = T[c][2 * j + 1]; }
    const G = new Float64Array(R2 * R2), rhs = new Float64Array(R2), sol = new Float64Array(R2);
    for (let q = 0; q < R2; q++) {
      for (let i = 0; i < n2; i++) rhs[q] += Z[i * R2 + q] * t[i];
      for (let p = 0; p < R2; p++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += W[c][p % R] * Z[((p < R ? 0 : n) + c) * R2 + q];
        G[p * R2 + q] = s;
      }
    }
    if (!solveSpd(G, R2, rhs, sol, 1e-12)) return null;
    for (let r = 0; r < R; r++) { S[(j * R + r) * 2] = sol[r]; S[(j * R + r) * 2 + 1] = sol[R + r]; }
    // Goodness of fit: residual' Cov^-1 residual, Cov the real covariance (half the real form M).
    for (let c = 0; c < n; c++) {
      let re = t[c], im = t[n + c];
      for (let r = 0; r < R; r++) { re -= W[c][r] * sol[r]; im -= W[c][r] * sol[R + r]; }
      col[c] = re; col[n + c] = im;
    }
    if (!solveSpd(M, n2, col, z, COV_RIDGE)) return null;
    for (let i = 0; i < n2; i++) stat += 2 * col[i] * z[i];
  }
  return { model: { rank: R, P, nLow, highFrom, V: Array.from(V), sigma, S: Array.from(S) }, fitRatio: stat / (2 * nLow * (n - R)) };
}

/** A channel's all-epoch template with its low band replaced by its weights times the model's waveforms
 * (a new array; bins above the band unchanged). */
export function applyLowBand(coef: Float64Array, m: LowBandModel): Float64Array {
  const P = m.P, R = m.rank;
  if (coef.length !== P) return coef;
  const w = weightsOf(bandVector(coef, P, P, m.highFrom, Math.floor(P / 2) + 1), m.V, m.sigma, R);
  const T = bandVector(coef, P, P, 1, m.nLow + 1);
  const out = Float64Array.from(coef);
  const { c, s } = trig(P);
  for (let j = 1; j <= m.nLow; j++) {
    let re = 0, im = 0;
    for (let r = 0; r < R; r++) { re += w[r] * m.S[((j - 1) * R + r) * 2]; im += w[r] * m.S[((j - 1) * R + r) * 2 + 1]; }
    // Bin j and its conjugate P - j change by d: (2/P) Re[d e^{2 pi i j t / P}] (j < P/2).
    const dre = (2 / P) * (re - T[2 * (j - 1)]), dim = (2 / P) * (im - T[2 * (j - 1) + 1]);
    let idx = 0;
    for (let q = 0; q < P; q++) { out[q] += dre * c[idx] - dim * s[idx]; idx += j; if (idx >= P) idx -= P; }
  }
  return out;
}

/**
 * The global stage's step: from the shape channels (each read whole once more; their all-epoch template
 * coefficients given when the selection already fitted them), the model and whether it is used.
 */
export function planLowBand(source: ShapeSource, plan: CorrectionPlan, coefs: Float64Array[] | null, bandHz = SELECT_BAND_HZ): LowBandPlan {
  const g = splineGeometryOf(plan);
  const K = plan.positions.length;
  const R = MAX_CROSS_RANK;
  const { nLow, highFrom } = lowBandBins(g.P, plan.fs, bandHz);
  const none = (why: string): LowBandPlan => ({ model: null, fitRatio: NaN, channels: source.count, report: `not used: ${why}` });
  if (source.count < R + 2) return none(`${source.count} shape channels (needs ${R + 2})`);
  if (Math.floor(K / BLOCK_EPOCHS) < 2 * (hacLags(K / BLOCK_EPOCHS) + 1)) return none(`${K} epochs`);
  if (nLow < 1) return none('no template frequency below the band');
  const all = { kind: 'window' as const, window: K };
  const cs: Float64Array[] = [];
  for (let i = 0; i < source.count; i++) {
    if (coefs?.[i]) { cs.push(coefs[i]); continue; }
    const x = source.read(i);
    cs.push(fitChannelTemplate((a, b) => x.subarray(a, b), plan, all).coef!);
  }
  const shapes = shapeColumns(leadingShapes(cs, R).basis, g.P, R);
  const sums = shapeBlockSums(plan, shapes);
  const blocks = cs.map((c, i) => residualBlockSpectra(source.read(i), plan, c, nLow, sums, R));
  const fit = fitLowBand(cs, blocks, g.P, nLow, highFrom, R);
  if (!fit) return none('the covariance or the fit is singular');
  const used = fit.fitRatio <= FIT_RATIO_MAX;
  return {
    model: used ? fit.model : null, fitRatio: fit.fitRatio, channels: source.count,
    report: `${used ? 'used' : 'not used'}: rank ${R} across ${source.count} channels below ${bandHz} Hz (${nLow} template frequencies); residual ${fit.fitRatio.toFixed(2)} x what the EEG explains (limit ${FIT_RATIO_MAX})`,
  };
}
