// Small dense linear algebra on Float64Array (row-major) used by PCA, GMM and metrics:
// symmetric eigendecomposition (cyclic Jacobi), Cholesky, and triangular helpers.
// Matrices here are tiny (d <= ~100), so clarity and accuracy beat blocking tricks.

/**
 * Eigen-decomposition of a symmetric d x d matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in descending order and eigenvectors as rows (k-th row = k-th vector).
 * Jacobi is slower than tridiagonal QL for large d but is accurate to full precision for the
 * small covariance matrices we meet, including tiny eigenvalues.
 */
export function symmetricEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < d; i++) {
      diag += m[i * d + i] * m[i * d + i];
      for (let j = i + 1; j < d; j++) off += m[i * d + j] * m[i * d + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (apq === 0) continue;
        const app = m[p * d + p];
        const aqq = m[q * d + q];
        // Rotation angle that zeroes m[p][q] (stable formulation: t = sign(theta)/(|theta|+sqrt(theta^2+1))).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const mkp = m[k * d + p];
          const mkq = m[k * d + q];
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          const mpk = m[p * d + k];
          const mqk = m[q * d + k];
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => m[y * d + y] - m[x * d + x]);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  order.forEach((col, r) => {
    values[r] = m[col * d + col];
    for (let k = 0; k < d; k++) vectors[r * d + k] = v[k * d + col];
  });
  return { values, vectors };
}

/** Lower Cholesky factor L (L L^T = a) of a symmetric positive-definite matrix, or null if not SPD. */
export function cholesky(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  return l;
}

/** Inverse of a lower-triangular matrix (result lower-triangular). */
export function invertLower(l: Float64Array, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    inv[i * d + i] = 1 / l[i * d + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * d + k] * inv[k * d + j];
      inv[i * d + j] = s / l[i * d + i];
    }
  }
  return inv;
}

/** Inverse of a symmetric positive-definite matrix via Cholesky; null if not SPD. */
export function invertSpd(a: Float64Array, d: number): Float64Array | null {
  const l = cholesky(a, d);
  if (!l) return null;
  const li = invertLower(l, d);
  const out = new Float64Array(d * d);
  // a^-1 = L^-T L^-1
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += li[k * d + i] * li[k * d + j];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  }
  return out;
}

/**
 * Linear discriminant of classes from their means (k x d) and the pooled within-class scatter
 * (d x d, upper triangle summed over m rows): the covariance is shrunk towards its mean variance as
 * scikit-learn's LinearDiscriminantAnalysis(solver='lsqr', shrinkage) does, then w_c = inv * mu_c
 * and b_c = -0.5 mu_c' inv mu_c + log(cnt_c / m) for each class in `classes` (the others get
 * b = -Infinity). Overwrites `scatter` with the covariance. Null when it does not invert.
 * Shared by the evaluation's supervised bound (evaluate.ts) and discriminant refinement (lda-refine.ts).
 */
export function ldaDiscriminants(scatter: Float64Array, mean: Float64Array, cnt: Float64Array, m: number, d: number,
  classes: Iterable<number>, shrinkage: number): { wgt: Float64Array; bias: Float64Array } | null {
  const cov = scatter;
  let tr = 0;
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) { cov[a * d + b] *= (1 - shrinkage) / Math.max(1, m); cov[b * d + a] = cov[a * d + b]; }
  for (let a = 0; a < d; a++) tr += cov[a * d + a];
  for (let a = 0; a < d; a++) cov[a * d + a] += (shrinkage * tr) / (d * (1 - shrinkage)) + 1e-12;
  const inv = invertSpd(cov, d);
  if (!inv) return null;
  const k = cnt.length;
  const wgt = new Float64Array(k * d), bias = new Float64Array(k).fill(-Infinity);
  for (const c of classes) {
    let q = 0;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += inv[a * d + b] * mean[c * d + b];
      wgt[c * d + a] = s;
      q += s * mean[c * d + a];
    }
    bias[c] = -0.5 * q + Math.log(cnt[c] / m);
  }
  return { wgt, bias };
}
