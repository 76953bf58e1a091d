import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { medianAbs, medianAbsBlocked } from './robust';

function sortedMedianAbs(x: Float32Array): number {
  const s = Array.from(x, Math.abs).sort((p, q) => p - q);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

describe('medianAbs', () => {
  it('equals the sort-based median for odd and even lengths, ties, zeros and wide ranges', () => {
    const rng = new Rng(21);
    for (const n of [1, 2, 3, 10, 101, 1000, 4097]) {
      const x = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : rng.normal() * 10 ** rng.int(6)));
      expect(medianAbs(x)).toBe(sortedMedianAbs(x));
      const q = Float32Array.from({ length: n }, () => rng.int(3) - 1);
      expect(medianAbs(q)).toBe(sortedMedianAbs(q));
    }
  });

  it('gives the same value in blocks of any size', () => {
    const rng = new Rng(4);
    const x = Float32Array.from({ length: 9999 }, () => 20 * rng.normal());
    const whole = medianAbs(x);
    for (const bs of [1, 7, 1000, 20000]) expect(medianAbsBlocked((s, e) => x.subarray(s, e), x.length, bs)).toBe(whole);
    expect(whole / 0.6745).toBeGreaterThan(19);
    expect(whole / 0.6745).toBeLessThan(21);
  });

  it('rejects NaN and empty input', () => {
    expect(() => medianAbs(Float32Array.of(1, NaN, 2))).toThrow(/NaN/);
    expect(() => medianAbs(new Float32Array(0))).toThrow(/no samples/);
  });
});
