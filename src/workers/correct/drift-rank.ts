// Reduced-rank drift of the artifact template. The drift model (spline-aas.ts) lets each of the P
// spline coefficients follow its own slow course over the recording (Q temporal B-splines), so EEG
// near the slice harmonics, which beats slowly from epoch to epoch, enters all P x Q coefficients.
// A drifting artifact changes shape in few ways (head motion changes the coupling of each gradient
// axis: a few shapes, each with its own slow course), so the coefficient matrix C (P x Q) is close to
// rank R: C = U V' with R temporal courses V (Q x R) and R shapes U (P x R).
// V is taken from the artifact's high-frequency content, where the artifact dwarfs the EEG: the
// leading right singular vectors of the first differences of C along the template's time axis. With V
// fixed, U is the least-squares fit to every epoch (full band): the template then varies over epochs
// through R functions instead of Q, which bounds the EEG it takes up while Q sets how fast it can follow.

import { SpikeDeskError } from '../../shared/errors';
import { symmetricEigen } from './low-rank';
import { addPenalty, bandCholesky, bandSolve, type SplineGeometry } from './spline-core';
import { SPLINE_PENALTY, solveDrift, temporalWeights, type DriftSums } from './spline-aas';

/**
 * The R temporal courses (Q x R, row-major V[q*R + r]) of the drift coefficients c (P x Q interleaved
 * j*Q + q): the leading right singular vectors of their first differences along j (a high-pass that keeps
 * the gradient detail and drops the EEG-dominated low frequencies), taken over time (the template at T
 * epochs spread evenly over the recording, so that the edge functions, which few epochs determine and
 * which are therefore noisy, weigh only as much as the time they cover), then mapped back to the Q
 * temporal functions by least squares.
 */
export function driftCourses(c: Float64Array, P: number, Q: number, R: number): Float64Array {
  const T = 4 * Q;
  const E = new Float64Array(T * Q);
  const v = new Float64Array(4);
  for (let t = 0; t < T; t++) { const q0 = temporalWeights(t, T, Q, v); for (let a = 0; a < 4; a++) E[t * Q + q0 + a] = v[a]; }
  // Gram over time of the differenced templates: G = E (dC' dC) E'.
  const H = new Float64Array(Q * Q);
  const d = new Float64Array(Q);
  for (let j = 0; j + 1 < P; j++) {
    for (let q = 0; q < Q; q++) d[q] = c[(j + 1) * Q + q] - c[j * Q + q];
    for (let q = 0; q < Q; q++) for (let r = q; r < Q; r++) H[q * Q + r] += d[q] * d[r];
  }
  for (let q = 0; q < Q; q++) for (let r = 0; r < q; r++) H[q * Q + r] = H[r * Q + q];
  const EH = new Float64Array(T * Q);
  for (let t = 0; t < T; t++) for (let r = 0; r < Q; r++) { let s = 0; for (let q = 0; q < Q; q++) s += E[t * Q + q] * H[q * Q + r]; EH[t * Q + r] = s; }
  const G = new Float64Array(T * T);
  for (let t = 0; t < T; t++) for (let u = t; u < T; u++) { let s = 0; for (let q = 0; q < Q; q++) s += EH[t * Q + q] * E[u * Q + q]; G[t * T + u] = s; G[u * T + t] = s; }
  const { vectors } = symmetricEigen(G, T);
  // V = (E'E)^-1 E' U for the leading R columns U.
  const W = new Float64Array(Q * Q);
  for (let q = 0; q < Q; q++) for (let r = 0; r < Q; r++) { let s = 0; for (let t = 0; t < T; t++) s += E[t * Q + q] * E[t * Q + r]; W[q * Q + r] = s; }
  const V = new Float64Array(Q * R);
  for (let r = 0; r < R; r++) {
    const rhs = new Float64Array(Q);
    for (let q = 0; q < Q; q++) { let s = 0; for (let t = 0; t < T; t++) s += E[t * Q + q] * vectors[t * T + r]; rhs[q] = s; }
    const x = solveDense(W, rhs, Q);
    for (let q = 0; q < Q; q++) V[q * R + r] = x[q];
  }
  return V;
}

/** Solve the symmetric positive definite n x n system A x = b (Cholesky). */
function solveDense(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = Float64Array.from(A);
  for (let j = 0; j < n; j++) {
    let dd = L[j * n + j];
    for (let k = 0; k < j; k++) dd -= L[j * n + k] ** 2;
    dd = Math.sqrt(Math.max(dd, 1e-300));
    L[j * n + j] = dd;
    for (let i = j + 1; i < n; i++) { let s = L[i * n + j]; for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k]; L[i * n + j] = s / dd; }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) { let s = x[i]; for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k]; x[i] = s / L[i * n + i]; }
  for (let i = n - 1; i >= 0; i--) { let s = x[i]; for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k]; x[i] = s / L[i * n + i]; }
  return x;
}

/**
 * Coefficients (P x Q interleaved, as solveDrift returns) of the rank-R drift model fitted to the epochs
 * in S: V from the full fit's high-frequency content, then U by least squares with V fixed.
 */
export function solveDriftRank(S: DriftSums, g: SplineGeometry, R: number, full: Float64Array = solveDrift(S, g)): Float64Array {
  const Q = S.Q, P = g.P, Lf = g.Lf;
  if (R >= Q) return full;
  const V = driftCourses(full, P, Q, R);
  // Per phase pair (p, l): M[r][r'] = sum_{q, d} V[q, r] V[q + d, r'] W[(p, l), q, d].
  const M = new Float64Array(10 * R * R);
  for (let pl = 0; pl < 10; pl++) {
    for (let q = 0; q < Q; q++) for (let dd = -3; dd <= 3; dd++) {
      const q2 = q + dd;
      if (q2 < 0 || q2 >= Q) continue;
      const w = S.W[(pl * Q + q) * 7 + dd + 3];
      if (w === 0) continue;
      for (let r = 0; r < R; r++) {
        const vr = V[q * R + r] * w;
        for (let r2 = 0; r2 < R; r2++) M[(pl * R + r) * R + r2] += vr * V[q2 * R + r2];
      }
    }
  }
  const n = P * R, b = 4 * R - 1, st = b + 1;
  const band = new Float64Array(n * st);
  for (let j = 0; j < P; j++) {
    let pl = 0;
    for (let p = 0; p < 4; p++) for (let l = 0; l + p < 4; l++, pl++) {
      const m = j - p;
      if (m < 0 || m >= Lf) continue;
      for (let r = 0; r < R; r++) for (let r2 = 0; r2 < R; r2++) {
        const off = l * R + r2 - r;
        if (off < 0) continue;
        band[(j * R + r) * st + off] += M[(pl * R + r) * R + r2];
      }
    }
  }
  const rhs0 = new Float64Array(n);
  for (let j = 0; j < P; j++) for (let q = 0; q < Q; q++) {
    let y = 0;
    for (let p = 0; p < 4; p++) { const m = j - p; if (m >= 0 && m < Lf) y += S.Y[(q * 4 + p) * Lf + m]; }
    if (y === 0) continue;
    for (let r = 0; r < R; r++) rhs0[j * R + r] += V[q * R + r] * y;
  }
  let lambda = (SPLINE_PENALTY * Math.max(1, S.count)) / Q;
  for (let attempt = 0; attempt < 3; attempt++, lambda *= 1000) {
    const A = Float64Array.from(band);
    addPenalty(A, P, st, R, lambda);
    const u = Float64Array.from(rhs0);
    if (!bandCholesky(A, n, b)) continue;
    bandSolve(A, n, b, u);
    const out = new Float64Array(P * Q);
    for (let j = 0; j < P; j++) for (let q = 0; q < Q; q++) {
      let v = 0;
      for (let r = 0; r < R; r++) v += u[j * R + r] * V[q * R + r];
      out[j * Q + q] = v;
    }
    return out;
  }
  throw new SpikeDeskError({ code: 'INTERNAL', message: 'the reduced-rank drift fit is singular', fix: 'use a sliding window instead (template: window)' });
}
