import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { heldOutGain } from './mixture-split';

// Held-out gain of two Gaussians over one: positive for two clouds that differ in spread and are
// close (one hump along their mean difference), not positive for one Gaussian cloud.
function cloud(seed: number, two: boolean, n = 1200, d = 4): Float32Array {
  const rng = new Rng(seed);
  const f = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const second = two && rng.uniform() < 0.5;
    for (let j = 0; j < d; j++) f[r * d + j] = (second ? 0.5 : 1) * rng.normal() + (second && j === 0 ? 1.2 : 0);
  }
  return f;
}

describe('two-Gaussian held-out split test', () => {
  const o = { seed: 1, restarts: 2, maxIter: 100 };
  it('gains on two overlapping clouds and not on one', () => {
    expect(heldOutGain(cloud(3, true), 1200, 4, o)).toBeGreaterThan(0);
    for (const seed of [4, 5, 6]) expect(heldOutGain(cloud(seed, false), 1200, 4, o)).toBeLessThanOrEqual(0);
  });
  it('refuses folds too small for two components', () => {
    expect(heldOutGain(cloud(3, true, 100), 100, 4, o)).toBe(-Infinity);
  });
});
