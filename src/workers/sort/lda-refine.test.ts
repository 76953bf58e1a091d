import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { discriminantRefine, ldaDip } from './lda-refine';
import { dipScore } from './isocut';

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

describe('dip along the discriminant (split test)', () => {
  // Rows with a strong common component (variance within the units the noise whitener does not
  // know about) plus unit noise; two units differ along the mean difference of their samples 4-7.
  function rows(n: number, d: number, sep: number, rng: Rng): { y: Float32Array; a: number[]; b: number[] } {
    const y = new Float32Array(n * d), a: number[] = [], b: number[] = [];
    for (let i = 0; i < n; i++) {
      const two = i % 2 === 1;
      (two ? b : a).push(i);
      const common = 4 * rng.normal();
      for (let j = 0; j < d; j++) y[i * d + j] = common * (j < 10 ? 1 : -1) + rng.normal() + (two && j >= 4 && j < 8 ? sep / 2 : 0);
    }
    return { y, a, b };
  }

  it('sees two units the whitened mean difference blurs, and one unit as one (cross-validated)', () => {
    const rng = new Rng(11);
    const d = 16;
    const two = rows(1200, d, 4, rng);
    expect(ldaDip(two.y, d, two.a, two.b, 1e-3, 16, true)).toBeGreaterThan(1.5);
    // Along the plain mean difference the common component hides them.
    const diff = Array.from({ length: d }, (_, j): number => (j >= 4 && j < 8 ? 1 : 0));
    const plain = Array.from({ length: 1200 }, (_, i) => diff.reduce((s, v, j) => s + v * two.y[i * d + j], 0));
    expect(dipScore(plain, 16)).toBeLessThan(1);
    // One cloud cut at random into halves: unimodal along the halves' discriminant.
    const one = rows(1200, d, 0, rng);
    const half = Array.from({ length: 1200 }, (_, i) => i).sort(() => rng.uniform() - 0.5);
    expect(ldaDip(one.y, d, half.slice(0, 600), half.slice(600), 1e-3, 16, true)).toBeLessThan(1);
  });
});
