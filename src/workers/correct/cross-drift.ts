// Template model 'cross' (cross-channel low rank): the channel's own template from all epochs, plus a
// slow drift restricted to R shapes shared by the montage, with gains fitted to the epochs'
// high-frequency content.
// Why: every local model (sliding window, drift over time) takes the EEG near the slice harmonics into
// the template, because that EEG beats slowly from epoch to epoch just like a drift; that leak, not
// tracking, is what limits them (tuning seed 2026, drifting: leak 0.14-0.22 of the EEG vs tracking
// error < 0.005). A drift from head motion changes the coupling of each gradient axis, so it lies in the
// space of the few shapes every channel's artifact is made of. Here
//   template_k = c0 + sum_r h_r(k) B_r,   h_r(k) = sum_q H[q, r] v_q(k)   (Q temporal cubic B-splines)
//   c0   the channel's all-epoch template (leaks only EEG within ~1/K of the harmonics);
//   B_r  the leading shapes of other channels' all-epoch templates (cross-channel.ts), so the channel's
//        own EEG cannot enter the drift's low-frequency content;
//   H    fitted by least squares to the first differences of the epochs' residuals (x - c0), which
//        weights the gradient detail (hundreds of times the EEG) over the EEG-dominated low band.
// The result is written as a drift coefficient matrix (P x Q): the temporal B-splines sum to one, so
// c0 + B H' v(k) = sum_q (c0 + B H[q, :]') v_q(k), and the drift machinery evaluates it unchanged.

import { SpikeDeskError } from '../../shared/errors';
import type { SplineGeometry } from './spline-core';
import { temporalWeights } from './spline-aas';
import { solveSpd } from './spd-solve';

/**
 * The shapes' high-frequency evidence per epoch. With the template samples f[m] = sum_p w_p c[m + p]
 * (phase weights w of the epoch), first differences are df[m] = sum_p w_p Dc[m + p] with Dc the first
 * differences of the coefficients, so every inner product of differenced templates is a quadratic form
 * in the epoch's 4 phase weights over 16 lagged products computed once per shape pair (or per template):
 *   G_k = dF' dF (R x R),   z_k = dF' d(x_k - f0_k) = a_k - (dF' df0)   with a_k = dF' dx_k.
 * Only a_k reads the epoch's samples (once); the all-epoch template f0 enters through 16 R numbers.
 */
export class CrossShapes {
  readonly R: number;
  private readonly D: Float64Array[];
  private readonly Y: Float64Array;
  private dx = new Float64Array(0);
  constructor(readonly g: SplineGeometry, readonly cols: Float64Array[]) {
    this.R = cols.length;
    this.D = cols.map((c) => diff(c));
    const R = this.R;
    this.Y = new Float64Array(R * R * 16);
    for (let r = 0; r < R; r++) for (let s = 0; s < R; s++) lagged(this.D[r], this.D[s], g.Lf - 1, this.Y, (r * R + s) * 16);
  }

  /** G (R x R) of epoch k. */
  gram(k: number, G: Float64Array): void {
    const { R, Y } = this, w = this.g.w, o = 4 * k;
    for (let r = 0; r < R; r++) for (let s = 0; s < R; s++) G[r * R + s] = quad(w, o, Y, (r * R + s) * 16);
  }

  /** a (R) of epoch k: its differenced samples x[at ..] against the differenced shapes. */
  data(k: number, x: ArrayLike<number>, at: number, a: Float64Array): void {
    const { R, D } = this, w = this.g.w, o = 4 * k, n = this.g.Lf - 1;
    const w0 = w[o], w1 = w[o + 1], w2 = w[o + 2], w3 = w[o + 3];
    // The differenced samples once per epoch (the same values for every shape: cost only).
    const dx = this.dx.length >= n ? this.dx : (this.dx = new Float64Array(n));
    for (let m = 0; m < n; m++) dx[m] = x[at + m + 1] - x[at + m];
    for (let r = 0; r < R; r++) {
      const d = D[r];
      let v = 0;
      for (let m = 0; m < n; m++) v += dx[m] * (w0 * d[m] + w1 * d[m + 1] + w2 * d[m + 2] + w3 * d[m + 3]);
      a[r] = v;
    }
  }

  /** The 16 lagged products (per shape) of the shapes against template c0, for `residual`. */
  against(c0: Float64Array): Float64Array {
    const X = new Float64Array(this.R * 16), d0 = diff(c0);
    for (let r = 0; r < this.R; r++) lagged(this.D[r], d0, this.g.Lf - 1, X, r * 16);
    return X;
  }

  /** z = a - dF' df0 for epoch k (X from against(c0)). */
  residual(k: number, a: Float64Array, X: Float64Array, z: Float64Array): void {
    const w = this.g.w, o = 4 * k;
    for (let r = 0; r < this.R; r++) z[r] = a[r] - quad(w, o, X, r * 16);
  }
}

/** Shape columns (each P long) from a row-major basis B[j*Rb + r] (its leading R columns). */
export function shapeColumns(basis: ArrayLike<number>, P: number, Rb: number, R = Rb): Float64Array[] {
  return Array.from({ length: R }, (_, r) => Float64Array.from({ length: P }, (_, j) => basis[j * Rb + r]));
}

function diff(c: Float64Array): Float64Array {
  const d = new Float64Array(c.length - 1);
  for (let j = 0; j + 1 < c.length; j++) d[j] = c[j + 1] - c[j];
  return d;
}

/** out[at + 4p + q] = sum_{m < n} a[m + p] b[m + q]. */
function lagged(a: Float64Array, b: Float64Array, n: number, out: Float64Array, at: number): void {
  for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) {
    let v = 0;
    for (let m = 0; m < n; m++) v += a[m + p] * b[m + q];
    out[at + 4 * p + q] = v;
  }
}

/** sum_{p,q} w_p w_q L[at + 4p + q]. */
function quad(w: Float64Array, o: number, L: Float64Array, at: number): number {
  let v = 0;
  for (let p = 0; p < 4; p++) { const wp = w[o + p]; for (let q = 0; q < 4; q++) v += wp * w[o + q] * L[at + 4 * p + q]; }
  return v;
}

/** Normal equations of the gains H (Q x R, unknowns q*R + r) over the epochs added so far. */
export class CrossSums {
  readonly n: number;
  readonly N: Float64Array;
  readonly y: Float64Array;
  private readonly v = new Float64Array(4);
  constructor(readonly Q: number, readonly R: number) {
    this.n = Q * R;
    this.N = new Float64Array(this.n * this.n);
    this.y = new Float64Array(this.n);
  }

  /** Add epoch k of K with evidence G (Rg x Rg) and z (Rg >= R: the leading R x R block is used). */
  add(k: number, K: number, G: Float64Array, z: Float64Array, Rg: number): void {
    const { Q, R, N, y, n, v } = this;
    const q0 = temporalWeights(k, K, Q, v);
    for (let a = 0; a < 4; a++) {
      const va = v[a];
      if (va === 0) continue;
      for (let r = 0; r < R; r++) {
        const row = (q0 + a) * R + r;
        y[row] += va * z[r];
        for (let b = 0; b < 4; b++) {
          const vab = va * v[b];
          if (vab === 0) continue;
          for (let s = 0; s < R; s++) N[row * n + (q0 + b) * R + s] += vab * G[r * Rg + s];
        }
      }
    }
  }

  /** Gains H (Q x R) by Cholesky with a small ridge (conditioning only: a temporal function or shape the
   * epochs do not excite gets gain 0 instead of an arbitrary value). */
  solve(): Float64Array {
    const { n, N, y } = this;
    const h = new Float64Array(n);
    if (!solveSpd(N, n, y, h, 1e-9, 1)) throw new SpikeDeskError({ code: 'INTERNAL', message: 'the cross-channel drift fit is singular', fix: "set crossChannel to 'off'" });
    return h;
  }
}

/** Drift coefficient matrix (P x Q interleaved j*Q + q) of template c0 plus shapes `cols` with gains H. */
export function crossCoefficients(c0: Float64Array, cols: Float64Array[], H: Float64Array, Q: number): Float64Array {
  const P = c0.length, R = cols.length;
  const out = new Float64Array(P * Q);
  for (let j = 0; j < P; j++) for (let q = 0; q < Q; q++) {
    let v = c0[j];
    for (let r = 0; r < R; r++) v += H[q * R + r] * cols[r][j];
    out[j * Q + q] = v;
  }
  return out;
}
