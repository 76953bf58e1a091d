// Numerical core of the continuous-time artifact template: uniform cubic B-splines with one-sample
// knots in time since the slice onset, banded least squares (normal equations with bandwidth 3, or
// 3Q+3 for Q temporal drift functions) and a banded Cholesky solver. An epoch with fractional onset
// tau starts at integer sample s = floor(tau - pre); its samples sit at the same phase relative to the
// knots, so sample m of the epoch depends on coefficients m..m+3 with the
// same four weights: the whole epoch contributes to the normal equations through 10 scalars.

/** Uniform cubic B-spline (support [-2, 2]). */
export function bspline3(x: number): number {
  const a = Math.abs(x);
  if (a < 1) return 2 / 3 - a * a + 0.5 * a * a * a;
  if (a < 2) { const b = 2 - a; return (b * b * b) / 6; }
  return 0;
}

/** The four weights of sample m on coefficients m..m+3 at phase delta in [0, 1). */
export function phaseWeights(delta: number, w: Float64Array | number[], at = 0): void {
  w[at] = bspline3(1 + delta); w[at + 1] = bspline3(delta); w[at + 2] = bspline3(1 - delta); w[at + 3] = bspline3(2 - delta);
}

/** Epoch geometry of the spline template: integer start, phase and weights of every epoch. */
export interface SplineGeometry {
  /** Samples fitted per epoch (the epoch length + 1, so the rounded correction region is covered). */
  Lf: number;
  /** Coefficients: Lf + 3. */
  P: number;
  start: Int32Array;
  /** 4 weights per epoch. */
  w: Float64Array;
}

export function splineGeometry(positions: Float64Array, pre: number, epochLength: number): SplineGeometry {
  const K = positions.length;
  const start = new Int32Array(K);
  const w = new Float64Array(4 * K);
  for (let k = 0; k < K; k++) {
    const e = positions[k] - pre;
    const s = Math.floor(e);
    start[k] = s;
    // Knots at -pre - 2 + j: sample m sits at phase s - e + 1 in (0, 1] on coefficients m..m+3.
    phaseWeights(s - e + 1, w, 4 * k);
  }
  return { Lf: epochLength + 1, P: epochLength + 4, start, w };
}

/** Products w_p w_{p+l} (p = 0..3, l = 0..3-p), the band of one epoch's normal matrix. */
export function addOuter(W: Float64Array, w: Float64Array, at: number, scale: number): void {
  let i = 0;
  for (let p = 0; p < 4; p++) for (let l = 0; l + p < 4; l++) W[i++] += scale * w[at + p] * w[at + p + l];
}

/** Index of (p, l) in the 10 scalars of addOuter. */
const PL = ((): number[][] => {
  const t: number[][] = [];
  let i = 0;
  for (let p = 0; p < 4; p++) { t.push([]); for (let l = 0; l + p < 4; l++) t[p][l] = i++; }
  return t;
})();

/**
 * Band (bandwidth 3, row-major A[j*4 + l] = A(j, j+l)) of the normal matrix of Lf-sample epochs whose
 * summed outer products are W, plus lambda times the third-difference penalty (conditioning only:
 * when all phases were equal the spline would have 3 more coefficients than the data determine).
 */
export function bandFrom(W: Float64Array, Lf: number, lambda: number, out: Float64Array): void {
  const P = Lf + 3;
  out.fill(0);
  // Rows j = 3 .. Lf-1 see all four phase products and are equal: computed once.
  const inner = [0, 0, 0, 0];
  for (let l = 0; l < 4; l++) for (let p = 0; p + l < 4; p++) inner[l] += W[PL[p][l]];
  for (let j = 0; j < P; j++) {
    if (j >= 3 && j < Lf) { out[j * 4] = inner[0]; out[j * 4 + 1] = inner[1]; out[j * 4 + 2] = inner[2]; out[j * 4 + 3] = inner[3]; continue; }
    for (let l = 0; l < 4; l++) {
      let v = 0;
      for (let p = 0; p + l < 4; p++) { const m = j - p; if (m >= 0 && m < Lf) v += W[PL[p][l]]; }
      out[j * 4 + l] = v;
    }
  }
  if (lambda > 0) addPenalty(out, P, 4, 1, lambda);
}

const D3 = [-1, 3, -3, 1];

/** Adds lambda * D3'D3 to a band matrix whose unknowns are interleaved as (coefficient j, function q). */
export function addPenalty(A: Float64Array, P: number, stride: number, Q: number, lambda: number): void {
  for (let r = 0; r + 3 < P; r++) {
    for (let a = 0; a < 4; a++) for (let b = a; b < 4; b++) {
      const v = lambda * D3[a] * D3[b];
      for (let q = 0; q < Q; q++) A[((r + a) * Q + q) * stride + (b - a) * Q] += v;
    }
  }
}

/**
 * In-place Cholesky of a symmetric positive definite band matrix (n unknowns, bandwidth b, storage
 * A[j*(b+1) + l] = A(j, j+l)); afterwards A holds U with A = U'U in the same layout. Returns false when
 * a pivot is not positive.
 */
export function bandCholesky(A: Float64Array, n: number, b: number): boolean {
  if (b === 3) return bandCholesky3(A, n);
  // Right-looking (outer-product) order: row j is finished, then its products are subtracted from the
  // rows below it. Every entry still gets the products of rows k = max(0, i-b) .. j-1 subtracted one at
  // a time in ascending k, as in the textbook left-looking loop, so the factor is the same to the bit;
  // the inner loop runs over contiguous memory instead of a stride of b (the drift fits' cost).
  const s = b + 1;
  for (let j = 0; j < n; j++) {
    const rj = j * s;
    let d = A[rj];
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    A[rj] = d;
    const lim = Math.min(b, n - 1 - j);
    for (let l = 1; l <= lim; l++) A[rj + l] = A[rj + l] / d;
    for (let l1 = 1; l1 <= lim; l1++) {
      const u = A[rj + l1], ri = (j + l1) * s - l1;
      for (let l2 = l1; l2 <= lim; l2++) A[ri + l2] -= u * A[rj + l2];
    }
  }
  return true;
}

/** bandCholesky for bandwidth 3 (the single-template fit, thousands of times in the held-out choice):
 * the interior rows unrolled with the same operations in the same order as the general loop. */
function bandCholesky3(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    if (j < 3 || j + 3 >= n) {
      // Edges: the general loop.
      let d = A[j * 4];
      for (let k = Math.max(0, j - 3); k < j; k++) { const u = A[k * 4 + (j - k)]; d -= u * u; }
      if (!(d > 0)) return false;
      d = Math.sqrt(d);
      A[j * 4] = d;
      const lim = Math.min(3, n - 1 - j);
      for (let l = 1; l <= lim; l++) {
        const i = j + l;
        let v = A[j * 4 + l];
        for (let k = Math.max(0, i - 3); k < j; k++) v -= A[k * 4 + (j - k)] * A[k * 4 + (i - k)];
        A[j * 4 + l] = v / d;
      }
      continue;
    }
    const r3 = (j - 3) * 4, r2 = (j - 2) * 4, r1 = (j - 1) * 4, r0 = j * 4;
    const u3 = A[r3 + 3], u2 = A[r2 + 2], u1 = A[r1 + 1];
    let d = A[r0];
    d -= u3 * u3; d -= u2 * u2; d -= u1 * u1;
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    A[r0] = d;
    let v1 = A[r0 + 1];
    v1 -= u2 * A[r2 + 3]; v1 -= u1 * A[r1 + 2];
    let v2 = A[r0 + 2];
    v2 -= u1 * A[r1 + 3];
    A[r0 + 1] = v1 / d; A[r0 + 2] = v2 / d; A[r0 + 3] = A[r0 + 3] / d;
  }
  return true;
}

/** Solve U'U x = r in place (U from bandCholesky). */
export function bandSolve(U: Float64Array, n: number, b: number, x: Float64Array): void {
  if (b === 3 && n >= 3) { bandSolve3(U, n, x); return; }
  const s = b + 1;
  // Forward: x[j] final, then its products leave the later unknowns (same subtractions in the same
  // order as the row-wise loop, over contiguous memory).
  for (let j = 0; j < n; j++) {
    const v = x[j] / U[j * s];
    x[j] = v;
    const lim = Math.min(b, n - 1 - j);
    for (let l = 1; l <= lim; l++) x[j + l] -= U[j * s + l] * v;
  }
  for (let j = n - 1; j >= 0; j--) {
    let v = x[j];
    const lim = Math.min(b, n - 1 - j);
    for (let l = 1; l <= lim; l++) v -= U[j * s + l] * x[j + l];
    x[j] = v / U[j * s];
  }
}

/** bandSolve for bandwidth 3: interior steps unrolled, same operations in the same order. */
function bandSolve3(U: Float64Array, n: number, x: Float64Array): void {
  for (let j = 0; j < 3; j++) {
    let v = x[j];
    for (let k = 0; k < j; k++) v -= U[k * 4 + (j - k)] * x[k];
    x[j] = v / U[j * 4];
  }
  for (let j = 3; j < n; j++) {
    let v = x[j];
    v -= U[(j - 3) * 4 + 3] * x[j - 3]; v -= U[(j - 2) * 4 + 2] * x[j - 2]; v -= U[(j - 1) * 4 + 1] * x[j - 1];
    x[j] = v / U[j * 4];
  }
  for (let j = n - 1; j >= n - 3; j--) {
    let v = x[j];
    for (let l = 1; l <= n - 1 - j; l++) v -= U[j * 4 + l] * x[j + l];
    x[j] = v / U[j * 4];
  }
  for (let j = n - 4; j >= 0; j--) {
    let v = x[j];
    v -= U[j * 4 + 1] * x[j + 1]; v -= U[j * 4 + 2] * x[j + 2]; v -= U[j * 4 + 3] * x[j + 3];
    x[j] = v / U[j * 4];
  }
}

/** Template samples f[m] = sum_p w_p c[m + p], m = 0..Lf-1 (coefficients of function q of Q interleaved). */
export function evalTemplate(c: Float64Array, w: Float64Array, at: number, Lf: number, out: Float64Array): void {
  const w0 = w[at], w1 = w[at + 1], w2 = w[at + 2], w3 = w[at + 3];
  for (let m = 0; m < Lf; m++) out[m] = w0 * c[m] + w1 * c[m + 1] + w2 * c[m + 2] + w3 * c[m + 3];
}

/** Least-squares amplitude and offset of x against template f (x ~ a f + b). */
export function scaleOffset(x: ArrayLike<number>, xAt: number, f: Float64Array, n: number): { a: number; b: number } {
  let sx = 0, sf = 0;
  for (let m = 0; m < n; m++) { sx += x[xAt + m]; sf += f[m]; }
  const mx = sx / n, mf = sf / n;
  let sff = 0, sxf = 0;
  for (let m = 0; m < n; m++) { const g = f[m] - mf; sff += g * g; sxf += (x[xAt + m] - mx) * g; }
  const a = sff > 0 ? sxf / sff : 0;
  return { a, b: mx - a * mf };
}
