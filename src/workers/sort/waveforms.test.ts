import { describe, expect, it } from 'vitest';
import { extractWaveforms, extractWaveformsAligned } from './waveforms';

describe('extractWaveforms', () => {
  const x = Float32Array.from({ length: 200 }, (_, i) => i);

  it('cuts [t - pre, t + post) row by row, from a whole channel or from a block', () => {
    const w = extractWaveforms(x, [10, 50, 195], 3, 5);
    expect(Array.from(w.subarray(0, 8))).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
    expect(Array.from(w.subarray(16, 24))).toEqual([192, 193, 194, 195, 196, 197, 198, 199]);
    const block = x.subarray(40, 100);
    expect(Array.from(extractWaveforms(block, [50, 60], 3, 5, 40))).toEqual(Array.from(extractWaveforms(x, [50, 60], 3, 5)));
  });

  it('rejects windows outside the data', () => {
    expect(() => extractWaveforms(x, [2], 3, 5)).toThrow(/needs samples/);
    expect(() => extractWaveforms(x, [196], 3, 5)).toThrow(/needs samples/);
    expect(() => extractWaveforms(x.subarray(40, 100), [42], 3, 5, 40)).toThrow(/needs samples/);
  });

  it('aligned extraction resamples at fractional times (exact on a ramp)', () => {
    const w = extractWaveformsAligned(x, [50.25, 80], 2, 2);
    expect(Array.from(w.subarray(0, 4)).map((v) => +v.toFixed(4))).toEqual([48.25, 49.25, 50.25, 51.25]);
    expect(Array.from(w.subarray(4, 8))).toEqual([78, 79, 80, 81]);
  });
});
