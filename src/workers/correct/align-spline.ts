// Sub-sample onset refinement against the continuous-time template: for every epoch, the shift delta
// that best fits sum_r g_r B_r(t - tau - delta) + b to its samples (Gauss-Newton on the spline and its
// exact derivative), with the evidence (numerator and denominator of the step) summed over several
// channels and over a correlation window that leaves out the onset transient and the epoch's end. The
// shapes B_r are refitted after each pass. The timing model (timing.ts) is fitted to the result afterwards.
// Why shapes with per-epoch gains instead of one template with a per-epoch amplitude: when the artifact's
// shape drifts (head motion changes each gradient axis's coupling), part of that change looks like a
// shift of a fixed template, so the shifts took up the drift and the timing model turned it into a wrong
// TR: on tuning seed 2026 (drifting) the onsets ran from +0.13 to -0.36 samples off over the recording
// (stationary: constant to 0.0002). Such a drift stays within the few shapes the montage's artifacts are
// made of (cross-channel.ts), while a timing error adds the shapes' derivatives, which lie outside them;
// fitting each epoch's gains on the shapes leaves the shift only the part the shapes cannot explain. With
// one channel the single shape is its own template (a per-epoch amplitude, as FASTR's alignment).

import { SpikeDeskError } from '../../shared/errors';
import type { CorrectionPlan } from './plan';
import { MAX_CROSS_RANK } from './cross-channel';
import { leadingShapes } from './low-rank';
import { fitChannelTemplate } from './spline-aas';
import { bspline3, splineGeometry } from './spline-core';
import { solveSpd } from './spd-solve';

function dbspline3(x: number): number {
  const a = Math.abs(x), s = x < 0 ? -1 : 1;
  if (a < 1) return s * (-2 * a + 1.5 * a * a);
  if (a < 2) return -s * 0.5 * (2 - a) * (2 - a);
  return 0;
}

export interface RefineReport { passes: number; channels: number; shapes: number; lastStepRms: number }

/** Passes stop once a pass's steps have an RMS below this (samples). Source: the passes converge about
 * quadratically (fresh seed 6064, drifting: onset error SD 0.33, 0.045, 0.0004 samples after passes 1-3,
 * where 2 fixed passes left the timing model a wrong TR: onsets -0.05 to +0.05 samples off over the
 * recording, worst channel 0.095 instead of 0.086 with 3 passes), so after a step of RMS s the error left
 * is of the order of s^2 / 2: 5e-5 samples at this tolerance, far below the timing model's residual SD. */
export const REFINE_STEP_TOL = 0.01;

/** A warning for the trigger summary when the passes stopped at their bound without converging (the onsets
 * and the timing model fitted to them may then be off by about the last step), else null. */
export function refineWarning(r: RefineReport | null | undefined): string | null {
  if (!r || r.lastStepRms < REFINE_STEP_TOL) return null;
  return `onset refinement did not converge in ${r.passes} passes (last step ${r.lastStepRms.toFixed(3)} samples RMS); the slice onsets may be off by about that much (raise refinePasses or check the triggers)`;
}

/**
 * Refine plan.positions in place: Gauss-Newton passes until a pass's step RMS is below REFINE_STEP_TOL, at
 * most maxPasses. `readChannel(i)` returns whole channels (read one at a time, twice per pass: the shapes
 * first, then the evidence); `window` = [from, to) samples of the epoch used as evidence.
 */
export function refineOnsets(plan: CorrectionPlan, readChannel: (i: number) => Float32Array, nChannels: number, window: [number, number], maxPasses = 2): RefineReport {
  const K = plan.positions.length, L = plan.epochLength;
  const c0 = Math.max(0, window[0]), c1 = Math.min(L, window[1]);
  if (!(c1 > c0 + 4)) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'the alignment window is empty', fix: 'lower alignSkip' });
  const R = Math.min(MAX_CROSS_RANK, nChannels);
  let lastStepRms = 0, passes = 0;
  while (passes < maxPasses) {
    passes++;
    const num = new Float64Array(K), den = new Float64Array(K);
    const cur: CorrectionPlan = { ...plan, positions: Float64Array.from(plan.positions) };
    const g = splineGeometry(cur.positions, cur.pre, L);
    const templates: Float64Array[] = [];
    for (let ch = 0; ch < nChannels; ch++) {
      const x = readChannel(ch);
      templates.push(fitChannelTemplate((a, b) => x.subarray(a, b), cur, { kind: 'window', window: K }).coef!);
    }
    const shapes = new ShapeBasis(leadingShapes(templates, R).basis, templates[0].length, R, c0, c1);
    for (let ch = 0; ch < nChannels; ch++) shapes.evidence(readChannel(ch), g.start, cur, num, den);
    let ss = 0;
    for (let k = 0; k < K; k++) {
      if (!(den[k] > 0)) continue;
      const step = Math.max(-0.5, Math.min(0.5, num[k] / den[k]));
      plan.positions[k] += step;
      plan.lags[k] += step;
      ss += step * step;
    }
    lastStepRms = Math.sqrt(ss / K);
    if (lastStepRms < REFINE_STEP_TOL) break;
  }
  return { passes, channels: nChannels, shapes: R, lastStepRms };
}

/**
 * The shapes B_r (spline coefficients) over the correlation window [c0, c1). Every sum the step needs is
 * a quadratic or linear form in the epoch's 4 spline weights w and their derivatives dw: over the window,
 * B_r . B_s = w' L_rs w, B_r' . B_s = dw' L_rs w with L_rs the 16 lagged products of the two shapes'
 * coefficients (the same for every epoch), B_r . 1 = w . S_r, and x . B_r = w . Cx_r with Cx_r the
 * epoch's 4 lagged products with shape r. Only Cx and sum x read the samples (4R + 1 operations per
 * sample instead of evaluating the shapes and their derivatives there).
 */
class ShapeBasis {
  private readonly cols: Float64Array[];
  private readonly Lrs: Float64Array;
  private readonly S: Float64Array;
  constructor(basis: Float64Array, P: number, readonly R: number, readonly c0: number, readonly c1: number) {
    this.cols = Array.from({ length: R }, (_, r) => Float64Array.from({ length: P }, (_, j) => basis[j * R + r]));
    this.Lrs = new Float64Array(R * R * 16);
    this.S = new Float64Array(R * 4);
    for (let r = 0; r < R; r++) {
      const a = this.cols[r];
      for (let p = 0; p < 4; p++) for (let m = c0; m < c1; m++) this.S[r * 4 + p] += a[m + p];
      for (let s = 0; s < R; s++) {
        const b = this.cols[s];
        for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) {
          let v = 0;
          for (let m = c0; m < c1; m++) v += a[m + p] * b[m + q];
          this.Lrs[(r * R + s) * 16 + p * 4 + q] = v;
        }
      }
    }
  }

  /** Adds one channel's Gauss-Newton evidence (numerator and denominator of each epoch's step). */
  evidence(x: Float32Array, start: Int32Array, cur: CorrectionPlan, num: Float64Array, den: Float64Array): void {
    const { R, c0, c1, cols, Lrs, S } = this;
    const K = cur.positions.length, L = cur.epochLength, n = c1 - c0, N = R + 1;
    const w = new Float64Array(4), dw = new Float64Array(4), Cx = new Float64Array(4 * R);
    const G = new Float64Array(N * N), rhs = new Float64Array(N), v = new Float64Array(N), sol = new Float64Array(N);
    const form = (u: Float64Array, at: number, z: Float64Array): number => {
      let t = 0;
      for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) t += u[p] * Lrs[at + p * 4 + q] * z[q];
      return t;
    };
    const dot4 = (u: Float64Array, a: Float64Array, at: number): number => u[0] * a[at] + u[1] * a[at + 1] + u[2] * a[at + 2] + u[3] * a[at + 3];
    for (let k = 0; k < K; k++) {
      const s = start[k];
      if (s < 0 || s + L + 1 > x.length) continue;
      const phi = s - (cur.positions[k] - cur.pre) + 1;
      w[0] = bspline3(phi + 1); w[1] = bspline3(phi); w[2] = bspline3(phi - 1); w[3] = bspline3(phi - 2);
      dw[0] = dbspline3(phi + 1); dw[1] = dbspline3(phi); dw[2] = dbspline3(phi - 1); dw[3] = dbspline3(phi - 2);
      let sx = 0;
      Cx.fill(0);
      for (let r = 0; r < R; r++) {
        const b = cols[r];
        let x0 = 0, x1 = 0, x2 = 0, x3 = 0;
        for (let m = c0; m < c1; m++) { const xv = x[s + m]; x0 += xv * b[m]; x1 += xv * b[m + 1]; x2 += xv * b[m + 2]; x3 += xv * b[m + 3]; }
        Cx[4 * r] = x0; Cx[4 * r + 1] = x1; Cx[4 * r + 2] = x2; Cx[4 * r + 3] = x3;
      }
      for (let m = c0; m < c1; m++) sx += x[s + m];
      // Gains g (R) and offset b: least squares of x on [B_1 .. B_R, 1] at the epoch's phase.
      for (let r = 0; r < R; r++) {
        for (let q = 0; q < R; q++) G[r * N + q] = form(w, (r * R + q) * 16, w);
        G[r * N + R] = G[R * N + r] = dot4(w, S, 4 * r);
        rhs[r] = dot4(w, Cx, 4 * r);
      }
      G[R * N + R] = n; rhs[R] = sx;
      if (!solveSpd(G, N, rhs, sol, 1e-12)) continue;
      // f = sum g_r B_r; its derivative f' against x, the shapes, the constant and itself.
      let xf = 0, ff = 0, fOne = 0;
      for (let r = 0; r < R; r++) {
        const gr = sol[r];
        xf += gr * dot4(dw, Cx, 4 * r);
        fOne += gr * dot4(dw, S, 4 * r);
        for (let q = 0; q < R; q++) ff += gr * sol[q] * form(dw, (r * R + q) * 16, dw);
      }
      for (let q = 0; q < R; q++) { let t = 0; for (let r = 0; r < R; r++) t += sol[r] * form(dw, (r * R + q) * 16, w); v[q] = t; }
      v[R] = fOne;
      // r . f' with r = x - sum g_q B_q - b (the fit's residual).
      let rf = xf;
      for (let q = 0; q < R; q++) rf -= sol[q] * v[q];
      rf -= sol[R] * fOne;
      // The part of f' the shapes and the offset cannot take up: |f'|^2 - v' G^-1 v.
      const beta = new Float64Array(N);
      // A relative ridge for conditioning only: a shape that is zero over the window gets gain 0.
      if (!solveSpd(G, N, v, beta, 1e-12)) continue;
      let proj = 0;
      for (let i = 0; i < N; i++) proj += beta[i] * v[i];
      // x ~ f(u - delta) ~ f(u) - delta f'(u)  =>  delta = -(r . f'_perp) / |f'_perp|^2 (r is orthogonal to the shapes).
      num[k] -= rf;
      den[k] += Math.max(0, ff - proj);
    }
  }
}
