import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pca } from './pca';
import { symmetricEigen } from './linalg';

const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/sklearn/pca.json', import.meta.url), 'utf8'));

describe('pca', () => {
  it('matches sklearn PCA components up to sign, variances and scores', () => {
    const X = Float32Array.from(fx.X);
    const m = pca(X, fx.n, fx.d, fx.k);
    for (let j = 0; j < fx.d; j++) expect(m.mean[j]).toBeCloseTo(fx.mean[j], 9);
    for (let c = 0; c < fx.k; c++) {
      const ours = m.components.subarray(c * fx.d, (c + 1) * fx.d);
      const ref = fx.components.slice(c * fx.d, (c + 1) * fx.d);
      let dot = 0;
      for (let j = 0; j < fx.d; j++) dot += ours[j] * ref[j];
      const sign = Math.sign(dot);
      for (let j = 0; j < fx.d; j++) expect(Math.abs(ours[j] - sign * ref[j])).toBeLessThan(1e-8);
      expect(m.explainedVariance[c] / fx.explainedVariance[c]).toBeCloseTo(1, 10);
      expect(m.explainedVarianceRatio[c]).toBeCloseTo(fx.explainedVarianceRatio[c], 10);
      expect(m.explainedVariance[c]).toBeCloseTo(fx.eighValues[c], 6);
      const scores = m.project(X.subarray(0, 20 * fx.d));
      for (let r = 0; r < 20; r++) expect(scores[r * fx.k + c]).toBeCloseTo(sign * fx.scores[r * fx.k + c], 3);
    }
  });

  it('fixes the sign so the largest loading is positive', () => {
    const m = pca(Float32Array.from(fx.X), fx.n, fx.d, 3);
    for (let c = 0; c < 3; c++) {
      const row = Array.from(m.components.subarray(c * fx.d, (c + 1) * fx.d));
      const big = row.reduce((b, v, i) => (Math.abs(v) > Math.abs(row[b]) ? i : b), 0);
      expect(row[big]).toBeGreaterThan(0);
    }
  });

  it('eigendecomposes a hand-checkable matrix', () => {
    // [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/sqrt2 and (1,-1)/sqrt2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0] * vectors[1]).toBeGreaterThan(0);
    expect(vectors[2] * vectors[3]).toBeLessThan(0);
  });

  it('rejects impossible requests', () => {
    expect(() => pca(new Float32Array(10), 1, 10, 1)).toThrow(/at least 2 rows/);
    expect(() => pca(new Float32Array(20), 2, 10, 11)).toThrow(/principal components/);
  });
});

describe('scatterMatrix', () => {
  it('equals the naive sum for odd and even widths and partial blocks', async () => {
    const { scatterMatrix } = await import('./pca');
    for (const [n, d] of [[300, 7], [513, 8], [3, 1], [260, 6], [40, 61]]) {
      const X = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37) * 10 + (i % d));
      const mean = Float64Array.from({ length: d }, (_, j) => j * 0.5);
      const s = scatterMatrix(X, n, d, mean);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
        let ref = 0;
        for (let r = 0; r < n; r++) ref += (X[r * d + a] - mean[a]) * (X[r * d + b] - mean[b]);
        expect(s[a * d + b]).toBeCloseTo(ref, 6);
      }
    }
  });
});

describe('PcaModel.project', () => {
  it('gives each score as the dot product of the centred row with its component, for 1 to 9 components', () => {
    const n = 50, d = 11;
    const X = Float32Array.from({ length: n * d }, (_, i) => Math.cos(i * 0.91) * 5 + (i % d) * 0.3);
    for (let k = 1; k <= 9; k++) {
      const m = pca(X, n, d, k);
      const got = m.project(X, n);
      for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (X[r * d + j] - m.mean[j]) * m.components[c * d + j];
        expect(got[r * k + c]).toBe(Math.fround(s));
      }
    }
  });
});
