// The held-out choice's shared arithmetic (held-out.ts, spline-core.ts): the band Cholesky against
// its definition, each epoch's right-hand side against the normal equations it stands for, and the
// drift factorizations shared between channels (they depend on the epochs' phases only).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT } from '../../shared/params';
import { Rng } from '../rng';
import { generateEegFmri } from '../synth/eeg-fmri';
import { heldOutErrors, heldOutShared } from './held-out';
import { prepareCorrection } from './plan';
import { candidateModels } from './select';
import { epochRhs } from './spline-aas';
import { bandCholesky, bandSolve, splineGeometry } from './spline-core';

describe('band Cholesky (bandwidth > 3, the drift fits)', () => {
  it("factors A = U'U and solves A x = r", () => {
    const r = new Rng(5), n = 60, b = 9, s = b + 1;
    const A = new Float64Array(n * s);
    for (let j = 0; j < n; j++) { A[j * s] = 2 * b + 1 + r.uniform(); for (let l = 1; l <= b && j + l < n; l++) A[j * s + l] = r.uniform() - 0.5; }
    const U = Float64Array.from(A);
    expect(bandCholesky(U, n, b)).toBe(true);
    for (let i = 0; i < n; i++) for (let l = 0; l <= b && i + l < n; l++) {
      const j = i + l;
      let v = 0;
      for (let k = Math.max(0, j - b); k <= i; k++) v += U[k * s + (i - k)] * U[k * s + (j - k)];
      expect(v).toBeCloseTo(A[i * s + l], 10);
    }
    const x = Float64Array.from({ length: n }, () => r.normal()), rhs = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let l = 0; l <= b && i + l < n; l++) {
      rhs[i] += A[i * s + l] * x[i + l];
      if (l > 0) rhs[i + l] += A[i * s + l] * x[i];
    }
    bandSolve(U, n, b, rhs);
    for (let i = 0; i < n; i++) expect(rhs[i]).toBeCloseTo(x[i], 9);
  });

  it('reports a matrix that is not positive definite', () => {
    const n = 12, b = 5, A = new Float64Array(n * (b + 1));
    for (let j = 0; j < n; j++) A[j * (b + 1)] = j === 7 ? -1 : 4;
    expect(bandCholesky(A, n, b)).toBe(false);
  });
});

describe("an epoch's right-hand side", () => {
  it('is the sum of its weighted samples on each coefficient', () => {
    const r = new Rng(8), L = 30;
    const g = splineGeometry(Float64Array.of(10.37, 50.8), 2, L);
    const x = Float64Array.from({ length: 100 }, () => r.normal());
    const u = new Float64Array(g.P);
    for (const k of [0, 1]) {
      epochRhs(g, k, x, g.start[k], 0.25, u);
      for (let j = 0; j < g.P; j++) {
        let v = 0;
        for (let p = 0; p < 4; p++) { const m = j - p; if (m >= 0 && m < g.Lf) v += g.w[4 * k + p] * (x[g.start[k] + m] - 0.25); }
        expect(u[j]).toBeCloseTo(v, 12);
      }
    }
  });
});

describe('held-out errors', () => {
  const rec = generateEegFmri({ seed: 2027, nChannels: 2, durationS: 40, regime: 'drifting', dropTrigger: false });
  const n = rec.nSamples;
  const x = [0, 1].map((c) => rec.channelBlock(c, 0, n));
  const plan = prepareCorrection(x[0], rec.fs, Array.from(rec.truth.onsets, Math.floor), { ...DEFAULT_CORRECT, window: 40 });
  const models = candidateModels(plan.positions.length);

  it("are the same with the drift factorizations another channel left (they depend on the epochs' phases only)", () => {
    const shared = heldOutShared();
    heldOutErrors(x[0], plan, models, undefined, shared);
    expect(shared.driftFactors.size).toBeGreaterThan(0);
    const fresh = heldOutErrors(x[1], plan, models);
    const reused = heldOutErrors(x[1], plan, models, undefined, shared);
    expect(reused.errors).toEqual(fresh.errors);
    expect(reused.errors.every((e) => Number.isFinite(e) && e > 0)).toBe(true);
  });
});
