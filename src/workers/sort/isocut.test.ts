import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { dipScore, isotonicUp, unimodalFit } from './isocut';

describe('isotonic and unimodal fits', () => {
  it('pools adjacent violators (hand-checked)', () => {
    expect(Array.from(isotonicUp([1, 3, 2, 4], [1, 1, 1, 1]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(isotonicUp([3, 1], [1, 3]))).toEqual([1.5, 1.5]);
    expect(Array.from(unimodalFit([1, 3, 2, 5, 4, 1, 2, 0], new Array(8).fill(1)))).toEqual([1, 2.5, 2.5, 5, 4, 1.5, 1.5, 0]);
  });

  it('the unimodal fit never has a larger error than the best monotone fit', () => {
    const rng = new Rng(2);
    for (let t = 0; t < 20; t++) {
      const y = Array.from({ length: 30 }, () => rng.normal());
      const wt = Array.from({ length: 30 }, () => 0.5 + rng.uniform());
      const err = (f: Float64Array) => f.reduce((s, v, i) => s + wt[i] * (v - y[i]) ** 2, 0);
      expect(err(unimodalFit(y, wt))).toBeLessThanOrEqual(err(isotonicUp(y, wt)) + 1e-9);
    }
  });
});

describe('dipScore', () => {
  it('is below 1 for unimodal samples and above for two separated modes', () => {
    const rng = new Rng(3);
    const normal = Array.from({ length: 1500 }, () => rng.normal());
    const uniform = Array.from({ length: 1500 }, () => rng.uniform());
    const skewed = Array.from({ length: 1500 }, () => rng.exponential(1));
    for (const v of [normal, uniform, skewed]) expect(dipScore(v, 16)).toBeLessThan(1);
    const two = [...Array.from({ length: 1000 }, () => rng.normal()), ...Array.from({ length: 300 }, () => 5 + rng.normal())];
    expect(dipScore(two, 16)).toBeGreaterThan(2);
    // A small mode in the tail is found by the tail search.
    const tail = [...Array.from({ length: 2000 }, () => rng.normal()), ...Array.from({ length: 60 }, () => 7 + 0.5 * rng.normal())];
    expect(dipScore(tail, 16)).toBeGreaterThan(1);
  });
});
