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
 * j*Q + q): the courses over time u = E v (E: the temporal functions at epochs spread evenly over the
 * recording) that carry most of the coefficients' first differences along j (a high-pass that keeps the
 * gradient detail and drops the EEG-dominated low frequencies). Measured over time, the edge functions,
 * which few epochs determine and which are therefore noisy, weigh only as much as the time they cover:
 * max v'W H W v subject to v'W v = 1 (H = dC'dC, W = E'E), i.e. with W = L L' the eigenvectors b of L'HL
 * and v = L^-T b.
 */
export function driftCourses(c: Float64Array, P: number, Q: number, R: number): Float64Array {
  const T = 4 * Q;
  const W = new Float64Array(Q * Q);
  const v = new Float64Array(4);
  for (let t = 0; t < T; t++) {
    const q0 = temporalWeights(t, T, Q, v);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) W[(q0 + a) * Q + q0 + b] += v[a] * v[b];
  }
  const H = new Float64Array(Q * Q);
  const d = new Float64Array(Q);
  for (let j = 0; j + 1 < P; j++) {
    for (let q = 0; q < Q; q++) d[q] = c[(j + 1) * Q + q] - c[j * Q + q];
    for (let q = 0; q < Q; q++) for (let r = q; r < Q; r++) H[q * Q + r] += d[q] * d[r];
  }
  for (let q = 0; q < Q; q++) for (let r = 0; r < q; r++) H[q * Q + r] = H[r * Q + q];
  // Cholesky W = L L' (lower, row-major).
  const L = new Float64Array(Q * Q);
  for (let j = 0; j < Q; j++) {
    let dd = W[j * Q + j];
    for (let k = 0; k < j; k++) dd -= L[j * Q + k] ** 2;
    dd = Math.sqrt(Math.max(dd, 1e-300));
    L[j * Q + j] = dd;
    for (let i = j + 1; i < Q; i++) { let s = W[i * Q + j]; for (let k = 0; k < j; k++) s -= L[i * Q + k] * L[j * Q + k]; L[i * Q + j] = s / dd; }
  }
  // M = L' H L.
  const HL = new Float64Array(Q * Q), M = new Float64Array(Q * Q);
  for (let i = 0; i < Q; i++) for (let j = 0; j < Q; j++) { let s = 0; for (let k = j; k < Q; k++) s += H[i * Q + k] * L[k * Q + j]; HL[i * Q + j] = s; }
  for (let i = 0; i < Q; i++) for (let j = 0; j < Q; j++) { let s = 0; for (let k = i; k < Q; k++) s += L[k * Q + i] * HL[k * Q + j]; M[i * Q + j] = s; }
  for (let i = 0; i < Q; i++) for (let j = 0; j < i; j++) { const m = 0.5 * (M[i * Q + j] + M[j * Q + i]); M[i * Q + j] = m; M[j * Q + i] = m; }
  const { vectors } = symmetricEigen(M, Q);
  // v = L^-T b (back substitution with L').
  const V = new Float64Array(Q * R);
  for (let r = 0; r < R; r++) {
    for (let i = Q - 1; i >= 0; i--) {
      let s = vectors[i * Q + r];
      for (let k = i + 1; k < Q; k++) s -= L[k * Q + i] * V[k * R + r];
      V[i * R + r] = s / L[i * Q + i];
    }
  }
  return V;
}

/**
 * Coefficients (P x Q interleaved, as solveDrift returns) of the rank-R drift model fitted to the epochs
 * in S: V from the full fit's high-frequency content, then U by least squares with V fixed.
 */
export function solveDriftRank(S: DriftSums, g: SplineGeometry, R: number, full: Float64Array = solveDrift(S, g), courses?: { V: Float64Array; R: number }): Float64Array {
  const Q = S.Q, P = g.P, Lf = g.Lf;
  if (R >= Q) return full;
  // Courses computed once for a larger rank serve every smaller one (the leading columns).
  const V = courses ? Float64Array.from({ length: Q * R }, (_, i) => courses.V[Math.floor(i / R) * courses.R + (i % R)]) : driftCourses(full, P, Q, R);
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
    const y = S.Y[q * P + j];
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
