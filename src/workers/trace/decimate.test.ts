import { describe, expect, it } from 'vitest';
import { minMaxDecimate } from './decimate';

describe('minMaxDecimate', () => {
  it('keeps the extremes of every column, including a single-sample spike', () => {
    const x = new Float32Array(1000);
    x[503] = -250;
    x[10] = 40;
    const { min, max } = minMaxDecimate(x, 10);
    expect(min.length).toBe(10);
    expect(min[5]).toBe(-250);
    expect(max[0]).toBe(40);
    expect(Math.min(...min)).toBe(-250);
  });
  it('returns samples unchanged when there are fewer samples than columns', () => {
    const x = Float32Array.from([1, 2, 3]);
    const { min, max } = minMaxDecimate(x, 10);
    expect(Array.from(min)).toEqual([1, 2, 3]);
    expect(Array.from(max)).toEqual([1, 2, 3]);
  });
  it('covers every sample exactly once for uneven splits', () => {
    const x = Float32Array.from({ length: 97 }, (_, i) => i);
    const { min, max } = minMaxDecimate(x, 10);
    expect(min[0]).toBe(0);
    expect(max[9]).toBe(96);
    for (let c = 1; c < 10; c++) expect(min[c]).toBe(max[c - 1] + 1);
  });
});
