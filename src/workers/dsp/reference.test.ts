import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { applyReference, medianInPlace, referenceSignal, selectKth } from './reference';

function sortedMedian(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

describe('selection', () => {
  it('selectKth and medianInPlace agree with sorting, with ties and odd/even counts', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 300; trial++) {
      const len = 1 + rng.int(70);
      const vals = Array.from({ length: len }, () => (trial % 3 === 0 ? rng.int(4) : rng.normal()));
      const k = rng.int(len);
      expect(selectKth(Float64Array.from(vals), len, k)).toBe([...vals].sort((p, q) => p - q)[k]);
      expect(medianInPlace(Float64Array.from(vals), len)).toBe(sortedMedian(vals));
    }
  });
});

describe('common reference', () => {
  const rng = new Rng(9);
  const nCh = 5, n = 1000;
  const common = Float32Array.from({ length: n }, () => 50 * rng.normal());
  const blocks = Array.from({ length: nCh }, (_, c) => Float32Array.from(common, (v) => v + 5 * rng.normal() + (c === 2 ? 1000 : 0)));

  it('CAR is the per-sample mean and CMR the per-sample median across channels', () => {
    const car = referenceSignal(blocks, 'car');
    const cmr = referenceSignal(blocks, 'cmr');
    for (const t of [0, 17, 999]) {
      const col = blocks.map((b) => b[t]);
      expect(car[t]).toBeCloseTo(col.reduce((a, b) => a + b, 0) / nCh, 3);
      expect(cmr[t]).toBe(Math.fround(sortedMedian(col)));
    }
  });

  it('subtracting removes the shared signal; the median ignores one outlying channel', () => {
    const copy = blocks.map((b) => b.slice());
    applyReference(copy, 'cmr');
    // Channel 0 now holds only its own noise (sd 5) plus a small median-estimation error, not the common 50-uV signal.
    let ss = 0;
    for (let t = 0; t < n; t++) ss += copy[0][t] ** 2;
    expect(Math.sqrt(ss / n)).toBeLessThan(10);
  });

  it('rejects blocks of different lengths', () => {
    expect(() => referenceSignal([new Float32Array(3), new Float32Array(4)], 'car')).toThrow(/differ in length/);
    expect(() => referenceSignal([], 'cmr')).toThrow(/no channels/);
  });
});
