import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { fitGmm, gmmBic, gmmScore, predictGmm, selectGmm } from './gmm';

const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/sklearn/gmm.json', import.meta.url), 'utf8'));
const X = Float32Array.from(fx.X);

describe('fitGmm parity with sklearn GaussianMixture (same initialisation)', () => {
  for (const c of fx.cases) {
    it(`k=${c.k} maxIter=${c.maxIter} tol=${c.tol}`, () => {
      const m = fitGmm(X, fx.n, fx.d, c.k, {
        maxIter: c.maxIter, tol: c.tol, regCovar: 1e-6,
        init: { weights: c.weightsInit, means: c.meansInit, precisions: c.precisionsInit },
      });
      expect(m.nIter).toBe(c.nIter);
      expect(m.converged).toBe(c.converged);
      const s = gmmScore(m, X, fx.n);
      expect(Math.abs(s - c.score) / Math.abs(c.score)).toBeLessThan(1e-3);
      expect(Math.abs(s - c.score) / Math.abs(c.score)).toBeLessThan(1e-9); // in practice far tighter
      expect(Math.abs(gmmBic(m, X, fx.n) - c.bic) / Math.abs(c.bic)).toBeLessThan(1e-9);
      for (let i = 0; i < c.k; i++) expect(m.weights[i]).toBeCloseTo(c.weights[i], 8);
      for (let i = 0; i < c.k * fx.d; i++) expect(m.means[i]).toBeCloseTo(c.means[i], 6);
      for (let i = 0; i < c.k * fx.d * fx.d; i++) expect(m.covariances[i]).toBeCloseTo(c.covariances[i], 4);
      const { labels } = predictGmm(m, X, fx.n);
      let same = 0;
      for (let i = 0; i < fx.n; i++) if (labels[i] === c.labels[i]) same++;
      expect(same).toBe(fx.n);
    });
  }
});

function blobs(seed: number, centers: number[][], sizes: number[], sd: number): Float32Array {
  const rng = new Rng(seed);
  const out: number[] = [];
  centers.forEach((ctr, i) => {
    for (let s = 0; s < sizes[i]; s++) for (const v of ctr) out.push(v + sd * rng.normal());
  });
  return Float32Array.from(out);
}

describe('selectGmm', () => {
  const centers = [[0, 0, 0], [12, 0, 0], [0, 12, 3]];
  const data = blobs(3, centers, [800, 500, 300], 1.5);
  const n = 1600;
  const opts = { kMin: 1, kMax: 6, restarts: 2, maxIter: 200, seed: 5, maxFitSpikes: 1000, outlierMahalanobis: 0 };

  it('chooses the true number of clusters by BIC and labels every point', () => {
    const r = selectGmm(data, n, 3, opts);
    expect(r.model.k).toBe(3);
    expect(r.fitIndices.length).toBe(1000);
    // Each true blob maps onto one found label.
    const starts = [0, 800, 1300, 1600];
    for (let b = 0; b < 3; b++) {
      const counts = new Map<number, number>();
      for (let i = starts[b]; i < starts[b + 1]; i++) counts.set(r.labels[i], (counts.get(r.labels[i]) ?? 0) + 1);
      expect(Math.max(...counts.values()) / (starts[b + 1] - starts[b])).toBeGreaterThan(0.99);
    }
  });

  it('is deterministic for a seed', () => {
    const a = selectGmm(data, n, 3, opts);
    const b = selectGmm(data, n, 3, opts);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.bic)).toEqual(Array.from(b.bic));
  });

  it('marks far points as outliers', () => {
    const r = selectGmm(data, n, 3, { ...opts, outlierMahalanobis: 6 });
    let outliers = 0;
    for (let i = 0; i < n; i++) if (r.labels[i] === -1) outliers++;
    // chi2(3) beyond 36 has probability ~1e-7: essentially none of the in-cluster points.
    expect(outliers).toBeLessThan(3);
    const far = predictGmm(r.model, Float32Array.from([200, 200, 200, 0.5, 0.2, 0]), 2, 6);
    expect(far.labels[0]).toBe(-1);
    expect(far.labels[1]).toBeGreaterThanOrEqual(0);
    expect(far.mahalanobis2[0]).toBeGreaterThan(36);
  });

  it('rejects an impossible k', () => {
    expect(() => fitGmm(data, 2, 3, 3)).toThrow(/cannot fit 3 clusters/);
  });
});
