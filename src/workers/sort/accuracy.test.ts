import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { compareSortings, countMatches, hungarian } from './accuracy';

function bruteForceMin(cost: number[], n: number, m: number): number {
  // Enumerate injective maps from the smaller side into the larger one.
  const small = Math.min(n, m), big = Math.max(n, m);
  const at = (i: number, j: number) => (n <= m ? cost[i * m + j] : cost[j * m + i]);
  let best = Infinity;
  const used = new Array(big).fill(false);
  const rec = (i: number, acc: number) => {
    if (i === small) { best = Math.min(best, acc); return; }
    for (let j = 0; j < big; j++) if (!used[j]) { used[j] = true; rec(i + 1, acc + at(i, j)); used[j] = false; }
  };
  rec(0, 0);
  return best;
}

describe('hungarian', () => {
  it('solves a hand-checkable 3x3 problem', () => {
    // Optimal: row0->col1 (1), row1->col0 (2), row2->col2 (2) = 5.
    const a = hungarian([4, 1, 3, 2, 0, 5, 3, 2, 2], 3, 3);
    expect(Array.from(a)).toEqual([1, 0, 2]);
  });

  it('matches brute force on random square and rectangular matrices', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 60; t++) {
      const n = 1 + rng.int(5), m = 1 + rng.int(5);
      const cost = Array.from({ length: n * m }, () => Math.round(rng.uniform() * 20) - 5);
      const a = hungarian(cost, n, m);
      let total = 0;
      const cols = new Set<number>();
      for (let i = 0; i < n; i++) if (a[i] >= 0) { total += cost[i * m + a[i]]; cols.add(a[i]); }
      expect(cols.size).toBe(Math.min(n, m));
      expect(total).toBe(bruteForceMin(cost, n, m));
    }
  });
});

describe('countMatches', () => {
  it('counts one-to-one matches within the window', () => {
    expect(countMatches([100, 200, 300], [103, 190, 312, 400], 12)).toBe(3);
    expect(countMatches([100, 200, 300], [113, 187], 12)).toBe(0);
    // Two found spikes near one true spike count once.
    expect(countMatches([100], [98, 102], 12)).toBe(1);
    expect(countMatches([], [1, 2], 12)).toBe(0);
  });
});

describe('compareSortings', () => {
  it('pairs units one-to-one and computes accuracy = k / (nT + nF - k)', () => {
    const fs = 30000;
    const t1 = Array.from({ length: 100 }, (_, i) => 1000 + i * 3000);
    const t2 = Array.from({ length: 50 }, (_, i) => 2000 + i * 6000);
    // Found A: all of t1 plus 25 false; found B: 40 of t2 shifted by 5 samples.
    const fa = [...t1, ...Array.from({ length: 25 }, (_, i) => 1500 + i * 3000)].sort((a, b) => a - b);
    const fb = t2.slice(0, 40).map((s) => s + 5);
    const c = compareSortings([{ id: 1, samples: t1 }, { id: 2, samples: t2 }], [{ id: 7, samples: fb }, { id: 9, samples: fa }, { id: 11, samples: [5] }], fs);
    expect(c.units[0]).toMatchObject({ trueId: 1, foundId: 9, matches: 100 });
    expect(c.units[0].accuracy).toBeCloseTo(100 / 125, 12);
    expect(c.units[1]).toMatchObject({ trueId: 2, foundId: 7, matches: 40 });
    expect(c.units[1].accuracy).toBeCloseTo(40 / 50, 12);
    expect(c.unmatchedFound).toEqual([11]);
  });

  it('reports an unmatched true unit with accuracy 0', () => {
    const c = compareSortings([{ id: 1, samples: [10, 20] }], [], 30000);
    expect(c.units[0]).toMatchObject({ foundId: -1, accuracy: 0 });
  });
});
