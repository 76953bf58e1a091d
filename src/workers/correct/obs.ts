// Optimal basis set (OBS) residual removal (Niazy 2005): after AAS, the epochs' high-passed residuals
// are stacked, their principal components form a basis, and each epoch's residual is fitted by least
// squares on the first components and subtracted. The fit is done per channel over all epochs; the
// high-pass (70 Hz by default) keeps the basis from learning EEG. Covariance accumulation is separate
// from the fit so the low-memory path can accumulate section by section.

import { Rng } from '../rng';
import { symmetricEigen } from './low-rank';

export interface ObsAccumulator {
  E: number;
  /** Upper triangle used; sum over epochs of e e^T (uncentred, so a mean residual is a component). */
  cov: Float64Array;
  count: number;
}

export interface ObsModel {
  E: number;
  k: number;
  /** k orthonormal rows of length E. */
  basis: Float64Array;
  eigenvalues: Float64Array;
  /** Fraction of the residual variance the k components explain. */
  explained: number;
}

export function obsAccumulator(E: number): ObsAccumulator {
  return { E, cov: new Float64Array(E * E), count: 0 };
}

/** Add one epoch (E values of `hp` from index `from`). */
export function obsAdd(acc: ObsAccumulator, hp: Float64Array | Float32Array, from: number): void {
  const E = acc.E, c = acc.cov;
  for (let i = 0; i < E; i++) {
    const xi = hp[from + i];
    if (xi === 0) continue;
    const row = i * E;
    for (let j = i; j < E; j++) c[row + j] += xi * hp[from + j];
  }
  acc.count++;
}

/**
 * Leading principal components by subspace iteration with Rayleigh-Ritz (a full decomposition of the
 * E x E matrix would cost far more than the few components OBS needs).
 */
export function fitObs(acc: ObsAccumulator, components: number, varianceFraction = 0): ObsModel {
  const E = acc.E;
  const C = new Float64Array(E * E);
  let trace = 0;
  for (let i = 0; i < E; i++) {
    for (let j = i; j < E; j++) { const x = acc.cov[i * E + j]; C[i * E + j] = x; C[j * E + i] = x; }
    trace += C[i * E + i];
  }
  const want = varianceFraction > 0 ? 20 : components;
  const b = Math.min(E, want + 8);
  const rng = new Rng(12345);
  let Q = Float64Array.from({ length: b * E }, () => rng.normal());
  const orth = (M: Float64Array): void => {
    for (let r = 0; r < b; r++) {
      for (let s = 0; s < r; s++) {
        let d = 0;
        for (let i = 0; i < E; i++) d += M[r * E + i] * M[s * E + i];
        for (let i = 0; i < E; i++) M[r * E + i] -= d * M[s * E + i];
      }
      let nrm = 0;
      for (let i = 0; i < E; i++) nrm += M[r * E + i] ** 2;
      nrm = Math.sqrt(nrm) || 1;
      for (let i = 0; i < E; i++) M[r * E + i] /= nrm;
    }
  };
  const mulC = (M: Float64Array): Float64Array => {
    const Z = new Float64Array(b * E);
    for (let r = 0; r < b; r++) {
      for (let i = 0; i < E; i++) {
        let s = 0;
        const row = i * E;
        for (let j = 0; j < E; j++) s += C[row + j] * M[r * E + j];
        Z[r * E + i] = s;
      }
    }
    return Z;
  };
  orth(Q);
  let values: Float64Array = new Float64Array(b);
  let prev = Infinity;
  for (let it = 0; it < 300; it++) {
    const Z = mulC(Q);
    // Rayleigh-Ritz: H = Q C Q^T, rotate Q onto H's eigenvectors.
    const H = new Float64Array(b * b);
    for (let r = 0; r < b; r++) for (let s = 0; s < b; s++) {
      let d = 0;
      for (let i = 0; i < E; i++) d += Q[r * E + i] * Z[s * E + i];
      H[r * b + s] = d;
    }
    for (let r = 0; r < b; r++) for (let s = r + 1; s < b; s++) { const m = 0.5 * (H[r * b + s] + H[s * b + r]); H[r * b + s] = m; H[s * b + r] = m; }
    const eig = symmetricEigen(H, b); // vectors column-wise: entry s of eigenvector r at [s * b + r]
    values = eig.values;
    const R = new Float64Array(b * E);
    for (let r = 0; r < b; r++) for (let s = 0; s < b; s++) {
      const w = eig.vectors[s * b + r];
      if (w !== 0) for (let i = 0; i < E; i++) R[r * E + i] += w * Z[s * E + i];
    }
    orth(R);
    // Convergence of the wanted eigenvalues (tracked through their sum).
    let sum = 0;
    for (let r = 0; r < want; r++) sum += values[r];
    const done = Math.abs(sum - prev) <= 1e-12 * Math.abs(sum) && it > 3;
    prev = sum;
    Q = R;
    if (done) break;
  }
  let k = Math.min(components, E);
  if (varianceFraction > 0) {
    let cum = 0;
    k = 0;
    while (k < want && cum < varianceFraction * trace) cum += values[k++];
  }
  // Deterministic signs: the largest-magnitude entry of each component is positive.
  const basis = Q.slice(0, k * E);
  for (let r = 0; r < k; r++) {
    let mi = 0;
    for (let i = 1; i < E; i++) if (Math.abs(basis[r * E + i]) > Math.abs(basis[r * E + mi])) mi = i;
    if (basis[r * E + mi] < 0) for (let i = 0; i < E; i++) basis[r * E + i] *= -1;
  }
  let ex = 0;
  for (let r = 0; r < k; r++) ex += values[r];
  return { E, k, basis, eigenvalues: values.slice(0, k), explained: trace > 0 ? ex / trace : 0 };
}

/** Subtract the fit of the basis to epoch `hp[from..from+E)` from `target[tFrom..tFrom+len)`. */
export function obsSubtract(model: ObsModel, hp: Float64Array, from: number, target: Float64Array, tFrom: number, len: number): void {
  const E = model.E, B = model.basis;
  for (let r = 0; r < model.k; r++) {
    let c = 0;
    for (let i = 0; i < E; i++) c += B[r * E + i] * hp[from + i];
    for (let i = 0; i < len; i++) target[tFrom + i] -= c * B[r * E + i];
  }
}
