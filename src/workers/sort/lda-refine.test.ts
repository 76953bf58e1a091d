import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { discriminantRefine } from './lda-refine';

describe('discriminant refinement', () => {
  it('corrects a noisy clustering of two classes with a shared correlated covariance, leaving unassigned rows alone', () => {
    const rng = new Rng(3);
    const n = 1200, d = 12;
    const x = new Float32Array(n * d), truth = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      truth[i] = i % 3 === 0 ? 1 : 0;
      // Strongly correlated noise (a common component on every sample) that Euclidean distance
      // mistakes for signal; the classes differ by 2.5 along one sample only.
      const common = 3 * rng.normal();
      for (let j = 0; j < d; j++) x[i * d + j] = common + rng.normal() + (truth[i] && j === 4 ? 2.5 : 0);
    }
    // Start from the truth with 20 % of the labels flipped and some rows unassigned.
    const labels = Int32Array.from(truth, (t, i) => (i % 50 === 7 ? -1 : rng.uniform() < 0.2 ? 1 - t : t));
    const agree = (l: Int32Array) => l.filter((v, i) => v === truth[i]).length / l.filter((v) => v >= 0).length;
    expect(agree(labels)).toBeLessThan(0.85);
    const moved = discriminantRefine(x, n, d, labels, 2, 10, 1e-3);
    expect(moved).toBeGreaterThan(100);
    // The Bayes accuracy here is Phi(1.25) ~ 0.89 plus the prior: refinement must get near it.
    expect(agree(labels)).toBeGreaterThan(0.88);
    for (let i = 0; i < n; i++) if (i % 50 === 7) expect(labels[i]).toBe(-1);
    // Zero passes change nothing.
    const again = Int32Array.from(truth);
    expect(discriminantRefine(x, n, d, again, 2, 0, 1e-3)).toBe(0);
  });
});
