// Small dense linear algebra for the low-rank template models: a symmetric eigen solver for the
// (at most a few dozen) temporal functions or channels, the leading shapes of a set of templates and
// the orthogonal projection onto them.

/** Eigen decomposition of a symmetric n x n matrix (cyclic Jacobi); eigenvalues descending. */
export function symmetricEigen(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < n; i++) { diag += a[i * n + i] ** 2; for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2; }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      const apq = a[p * n + q];
      if (apq === 0) continue;
      const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < n; k++) {
        const akp = a[k * n + p], akq = a[k * n + q];
        a[k * n + p] = c * akp - s * akq; a[k * n + q] = s * akp + c * akq;
      }
      for (let k = 0; k < n; k++) {
        const apk = a[p * n + k], aqk = a[q * n + k];
        a[p * n + k] = c * apk - s * aqk; a[q * n + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < n; k++) {
        const vkp = v[k * n + p], vkq = v[k * n + q];
        v[k * n + p] = c * vkp - s * vkq; v[k * n + q] = s * vkp + c * vkq;
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((i, r) => { for (let k = 0; k < n; k++) vectors[k * n + r] = v[k * n + i]; });
  return { values, vectors };
}

/** Leading R orthonormal left singular vectors (row-major B[j*R + r]) of the columns `cols` (each P long). */
export function leadingShapes(cols: Float64Array[], R: number): { basis: Float64Array; singular: number[] } {
  const m = cols.length, P = cols[0].length;
  const G = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = a; b < m; b++) {
    let s = 0;
    for (let j = 0; j < P; j++) s += cols[a][j] * cols[b][j];
    G[a * m + b] = s; G[b * m + a] = s;
  }
  const { values, vectors } = symmetricEigen(G, m);
  const basis = new Float64Array(P * R);
  for (let r = 0; r < R; r++) {
    const sv = Math.sqrt(Math.max(values[r], 0));
    if (!(sv > 0)) continue;
    for (let a = 0; a < m; a++) {
      const w = vectors[a * m + r] / sv;
      for (let j = 0; j < P; j++) basis[j * R + r] += w * cols[a][j];
    }
  }
  return { basis, singular: Array.from(values, (v) => Math.sqrt(Math.max(v, 0))) };
}


