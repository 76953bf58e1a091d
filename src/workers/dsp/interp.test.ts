import { describe, expect, it } from 'vitest';
import { cubicAt, refinePeak } from './interp';

describe('sub-sample peak refinement', () => {
  it('finds the extremum of a smooth peak between samples within one grid step', () => {
    for (const true0 of [50.0, 50.2, 50.5, 49.7]) {
      const x = Float32Array.from({ length: 100 }, (_, i) => -100 * Math.exp(-(((i - true0) / 3) ** 2)));
      const peak = Math.round(true0);
      const r = refinePeak(x, 0, x.length, peak, -1, 10);
      expect(Math.abs(r.time - true0)).toBeLessThanOrEqual(0.1 + 1e-9);
      expect(r.value).toBeLessThanOrEqual(x[peak]);
      expect(r.value).toBeCloseTo(-100, 0);
    }
  });

  it('factor 1 returns the sample itself and a block offset changes nothing', () => {
    const x = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i / 3));
    expect(refinePeak(x, 0, 40, 5, 1, 1)).toEqual({ time: 5, value: x[5] });
    const a = refinePeak(x, 0, 40, 20, 1, 5);
    const b = refinePeak(x.subarray(10, 35), 10, 40, 20, 1, 5);
    expect(b).toEqual(a);
  });
});

describe('cubicAt', () => {
  it('interpolates exactly at samples and quadratics in between', () => {
    const x = Float32Array.from({ length: 20 }, (_, i) => 0.5 * i * i - 3 * i + 2);
    expect(cubicAt(x, 0, 20, 7)).toBe(x[7]);
    const t = 7.3;
    expect(cubicAt(x, 0, 20, t)).toBeCloseTo(0.5 * t * t - 3 * t + 2, 4);
  });
});
