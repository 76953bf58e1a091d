// Principal component analysis of waveform matrices: mean and covariance accumulated in float64,
// then a symmetric eigendecomposition. Components match numpy's eigh / sklearn's PCA up to sign;
// we fix the sign (largest |loading| positive) so features are reproducible across runs.

import { SpikeDeskError } from '../../shared/errors';
import { symmetricEigen } from './linalg';

export interface PcaModel {
  /** k x d, row-major, unit-norm rows in order of decreasing variance. */
  components: Float64Array;
  mean: Float64Array;
  /** Variance along each component (denominator n - 1, as sklearn). */
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  k: number;
  d: number;
  /** Scores of rows of X (m x d) on the components: m x k, float32. */
  project(X: Float32Array, m?: number): Float32Array;
}

/** Column means (float64). */
function columnMeans(X: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    for (let j = 0; j < d; j++) mean[j] += X[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  return mean;
}

/**
 * Upper triangle of sum over rows of (x - mean)(x - mean)^T. Rows are centred into a small
 * scratch block of 4 rows so each accumulator load/store serves four products (the loop is
 * bound by accumulator traffic otherwise).
 */
export function scatterMatrix(X: Float32Array, n: number, d: number, mean: Float64Array): Float64Array {
  const acc = new Float64Array(d * d);
  const c0 = new Float64Array(d), c1 = new Float64Array(d), c2 = new Float64Array(d), c3 = new Float64Array(d);
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const o0 = r * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
    for (let j = 0; j < d; j++) {
      const mj = mean[j];
      c0[j] = X[o0 + j] - mj; c1[j] = X[o1 + j] - mj; c2[j] = X[o2 + j] - mj; c3[j] = X[o3 + j] - mj;
    }
    for (let i = 0; i < d; i++) {
      const a0 = c0[i], a1 = c1[i], a2 = c2[i], a3 = c3[i];
      const base = i * d;
      for (let j = i; j < d; j++) acc[base + j] += a0 * c0[j] + a1 * c1[j] + a2 * c2[j] + a3 * c3[j];
    }
  }
  for (; r < n; r++) {
    const o = r * d;
    for (let j = 0; j < d; j++) c0[j] = X[o + j] - mean[j];
    for (let i = 0; i < d; i++) {
      const a0 = c0[i];
      const base = i * d;
      for (let j = i; j < d; j++) acc[base + j] += a0 * c0[j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) acc[i * d + j] = acc[j * d + i];
  return acc;
}

export function pca(X: Float32Array, n: number, d: number, k: number): PcaModel {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 2 || d < 1 || X.length < n * d) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `PCA needs at least 2 rows of ${d} values (got ${n} rows, ${X.length} values)`, fix: 'detect more spikes or lower the threshold' });
  }
  if (!Number.isInteger(k) || k < 1 || k > d) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `${k} principal components requested from ${d}-sample waveforms`, fix: `use 1 to ${d} components (3 is usual)` });
  }
  const mean = columnMeans(X, n, d);
  const cov = scatterMatrix(X, n, d, mean);
  for (let i = 0; i < d * d; i++) cov[i] /= n - 1;
  let total = 0;
  for (let i = 0; i < d; i++) total += cov[i * d + i];
  const { values, vectors } = symmetricEigen(cov, d);
  const components = new Float64Array(k * d);
  const explainedVariance = new Float64Array(k);
  const explainedVarianceRatio = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(vectors[c * d + j]) > Math.abs(vectors[c * d + big])) big = j;
    const sign = vectors[c * d + big] < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = sign * vectors[c * d + j];
    explainedVariance[c] = Math.max(0, values[c]);
    explainedVarianceRatio[c] = total > 0 ? explainedVariance[c] / total : 0;
  }
  const project = (Y: Float32Array, m = Math.floor(Y.length / d)): Float32Array => {
    const out = new Float32Array(m * k);
    const row = new Float64Array(d);
    for (let r = 0; r < m; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) row[j] = Y[o + j] - mean[j];
      for (let c = 0; c < k; c++) {
        const co = c * d;
        let s = 0;
        for (let j = 0; j < d; j++) s += row[j] * components[co + j];
        out[r * k + c] = s;
      }
    }
    return out;
  };
  return { components, mean, explainedVariance, explainedVarianceRatio, k, d, project };
}
