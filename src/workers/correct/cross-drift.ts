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
import { evalTemplate, type SplineGeometry } from './spline-core';
import { temporalWeights } from './spline-aas';

/** Per-epoch high-frequency evidence for the shape gains: G = dF' dF (R x R) and z = dF' de (R). */
export interface CrossEvidence { R: number; G: Float64Array; z: Float64Array }

/** Shape columns (each P long) from a row-major basis B[j*R + r] (leading `R` of its columns). */
export function shapeColumns(basis: ArrayLike<number>, P: number, Rb: number, R = Rb): Float64Array[] {
  return Array.from({ length: R }, (_, r) => Float64Array.from({ length: P }, (_, j) => basis[j * Rb + r]));
}

/** Sampled first differences of every shape at each epoch's phase, computed once per geometry. */
export class CrossShapes {
  readonly R: number;
  private readonly f: Float64Array;
  private readonly df: Float64Array[];
  constructor(readonly g: SplineGeometry, readonly cols: Float64Array[]) {
    this.R = cols.length;
    this.f = new Float64Array(g.Lf);
    this.df = cols.map(() => new Float64Array(g.Lf - 1));
  }

  /** Evidence of epoch k (samples x[at ..], residual against template c0) into G (R x R, if given) and z. */
  evidence(k: number, x: ArrayLike<number>, at: number, c0: Float64Array, G: Float64Array | null, z: Float64Array): void {
    const { g, R, f, df } = this;
    const Lf = g.Lf;
    for (let r = 0; r < R; r++) {
      evalTemplate(this.cols[r], g.w, 4 * k, Lf, f);
      const d = df[r];
      for (let m = 0; m + 1 < Lf; m++) d[m] = f[m + 1] - f[m];
    }
    if (G) for (let r = 0; r < R; r++) for (let s = r; s < R; s++) {
      let v = 0;
      const a = df[r], b = df[s];
      for (let m = 0; m + 1 < Lf; m++) v += a[m] * b[m];
      G[r * R + s] = v; G[s * R + r] = v;
    }
    evalTemplate(c0, g.w, 4 * k, Lf, f);
    z.fill(0);
    let prev = x[at] - f[0];
    for (let m = 0; m + 1 < Lf; m++) {
      const e = x[at + m + 1] - f[m + 1];
      const de = e - prev;
      prev = e;
      for (let r = 0; r < R; r++) z[r] += df[r][m] * de;
    }
  }
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
    let tr = 0;
    for (let i = 0; i < n; i++) tr += N[i * n + i];
    const A = Float64Array.from(N);
    const ridge = 1e-9 * (tr / n || 1);
    for (let i = 0; i < n; i++) A[i * n + i] += ridge;
    for (let j = 0; j < n; j++) {
      let d = A[j * n + j];
      for (let k = 0; k < j; k++) d -= A[j * n + k] ** 2;
      if (!(d > 0)) throw new SpikeDeskError({ code: 'INTERNAL', message: 'the cross-channel drift fit is singular', fix: "set crossChannel to 'off'" });
      d = Math.sqrt(d);
      A[j * n + j] = d;
      for (let i = j + 1; i < n; i++) {
        let s = A[i * n + j];
        for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
        A[i * n + j] = s / d;
      }
    }
    const h = Float64Array.from(y);
    for (let i = 0; i < n; i++) { let s = h[i]; for (let k = 0; k < i; k++) s -= A[i * n + k] * h[k]; h[i] = s / A[i * n + i]; }
    for (let i = n - 1; i >= 0; i--) { let s = h[i]; for (let k = i + 1; k < n; k++) s -= A[k * n + i] * h[k]; h[i] = s / A[i * n + i]; }
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
