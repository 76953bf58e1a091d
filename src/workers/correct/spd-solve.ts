// Small dense symmetric positive definite solves (a few dozen unknowns) for the correction's fits.

/**
 * Solves G z = b (G: n x n row-major, symmetric positive definite) by Cholesky, with a ridge of
 * `relRidge` times G's mean diagonal (or times `floor` when that is 0) added for conditioning only:
 * an unknown the data do not excite gets 0 instead of an arbitrary value. Writes z into `out`
 * (which may be `b`); false when G is not positive definite even so.
 */
export function solveSpd(G: Float64Array, n: number, b: Float64Array, out: Float64Array, relRidge: number, floor = 0): boolean {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += G[i * n + i];
  const A = Float64Array.from(G);
  const ridge = relRidge * (tr / n || floor);
  for (let i = 0; i < n; i++) A[i * n + i] += ridge;
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] ** 2;
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    A[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / d;
    }
  }
  for (let i = 0; i < n; i++) { let s = b[i]; for (let k = 0; k < i; k++) s -= A[i * n + k] * out[k]; out[i] = s / A[i * n + i]; }
  for (let i = n - 1; i >= 0; i--) { let s = out[i]; for (let k = i + 1; k < n; k++) s -= A[k * n + i] * out[k]; out[i] = s / A[i * n + i]; }
  return true;
}
