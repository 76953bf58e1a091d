// Low-rank template models: the eigen solver and shape projection (low-rank.ts) and the reduced-rank
// drift fit (drift-rank.ts) on epochs whose template drifts through two shapes.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { solveDriftRank } from './drift-rank';
import { leadingShapes, symmetricEigen } from './low-rank';
import { addDriftEpoch, driftCoefficients, driftSums, solveDrift } from './spline-aas';
import { evalTemplate, splineGeometry } from './spline-core';

describe('low-rank linear algebra', () => {
  it('decomposes a symmetric matrix (A v = lambda v, orthonormal, descending)', () => {
    const r = new Rng(3), n = 7;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) { const v = r.normal(); A[i * n + j] = v; A[j * n + i] = v; }
    const { values, vectors } = symmetricEigen(A, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    for (let c = 0; c < n; c++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A[i * n + j] * vectors[j * n + c];
        expect(s).toBeCloseTo(values[c] * vectors[i * n + c], 9);
      }
      for (let d = 0; d < n; d++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += vectors[i * n + c] * vectors[i * n + d];
        expect(s).toBeCloseTo(c === d ? 1 : 0, 9);
      }
    }
  });

  it('finds the shapes that columns are made of', () => {
    const r = new Rng(5), P = 50;
    const s = [0, 1].map(() => Float64Array.from({ length: P }, () => r.normal()));
    const cols = Array.from({ length: 5 }, () => { const a = r.normal(), b = r.normal(); return s[0].map((v, j) => a * v + b * s[1][j]); });
    const { basis, singular } = leadingShapes(cols, 2);
    expect(singular[2] / singular[0]).toBeLessThan(1e-7);
    // Orthonormal, and every column is a combination of the two shapes.
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
      let d = 0;
      for (let j = 0; j < P; j++) d += basis[j * 2 + a] * basis[j * 2 + b];
      expect(d).toBeCloseTo(a === b ? 1 : 0, 9);
    }
    const c = cols[3], t = [0, 1].map((q) => { let d = 0; for (let j = 0; j < P; j++) d += basis[j * 2 + q] * c[j]; return d; });
    for (let j = 0; j < P; j++) expect(t[0] * basis[j * 2] + t[1] * basis[j * 2 + 1]).toBeCloseTo(c[j], 9);
  });
});

describe('reduced-rank drift', () => {
  // Epochs at fractional onsets whose template is a(k) f1 + b(k) f2 with slow a, b: the coefficient
  // matrix has rank 2. Noise stands in for the EEG.
  const L = 80, K = 400, Q = 11;
  const onsets = Float64Array.from({ length: K }, (_, k) => 10 + k * (L + 3.37));
  const g = splineGeometry(onsets, 2, L);
  // Gradient-like (high-frequency) shapes: the drift's courses are read from the first differences.
  const f1 = (t: number): number => Math.sin(0.8 * t) * Math.exp(-t / 60);
  const f2 = (t: number): number => Math.cos(0.55 * t + 0.3) * (t / L);
  const a = (k: number): number => 1 + 0.3 * Math.sin(k / 70);
  const b = (k: number): number => 0.5 + 0.4 * Math.cos(k / 50 + 1);
  const truth = (k: number, m: number): number => { const t = g.start[k] + m - (onsets[k] - 2); return 100 * (a(k) * f1(t) + b(k) * f2(t)); };
  const fit = (noise: number, rank: number): number => {
    const r = new Rng(11);
    const S = driftSums(g, Q);
    const n = g.start[K - 1] + g.Lf + 10;
    const x = new Float64Array(n);
    for (let k = 0; k < K; k++) for (let m = 0; m < g.Lf; m++) x[g.start[k] + m] = truth(k, m) + noise * r.normal();
    for (let k = 0; k < K; k++) addDriftEpoch(S, g, k, K, x, g.start[k], 0, 1);
    const coef = rank ? solveDriftRank(S, g, rank) : solveDrift(S, g);
    const c = new Float64Array(g.P), f = new Float64Array(g.Lf);
    let e = 0, t2 = 0;
    for (let k = 0; k < K; k++) {
      driftCoefficients(coef, Q, g.P, k, K, c);
      evalTemplate(c, g.w, 4 * k, g.Lf, f);
      for (let m = 0; m < g.Lf; m++) { e += (f[m] - truth(k, m)) ** 2; t2 += truth(k, m) ** 2; }
    }
    return Math.sqrt(e / t2);
  };

  it('reproduces a rank-2 drift without noise', () => {
    expect(fit(0, 2)).toBeLessThan(0.01);
    // Rank 1 cannot follow two independent courses.
    expect(fit(0, 1)).toBeGreaterThan(5 * fit(0, 2));
  });

  it('takes up less noise than the full-rank drift model while following the drift', () => {
    const full = fit(5, 0), r3 = fit(5, 3);
    expect(r3).toBeLessThan(full);
    // And far less than a template that does not drift at all would miss.
    expect(r3).toBeLessThan(0.1 * fit(5, 1));
  });
});
