// Band power, ROI means, epochs and MNE's baseline modes (mne.baseline.rescale fixtures).
import { describe, expect, it } from 'vitest';
import { bandIndices, bandPower, BAND_PRESETS, epochAverage, meanSeries, rescale, type BaselineMode } from './band';
import { load, manifest } from './mne-fixtures.test-util';

describe('baseline rescale (MNE)', () => {
  const times = load(manifest.baseline_input.times);
  const data = load(manifest.baseline_input.data);
  const n = times.length;
  for (const c of manifest.baseline) {
    it(`${c.mode} over ${c.baseline[0]}:${c.baseline[1]}`, () => {
      const ref = load(c.out);
      for (let r = 0; r < 3; r++) {
        const got = rescale(data.subarray(r * n, (r + 1) * n), times, [c.baseline[0], c.baseline[1]], c.mode as BaselineMode);
        for (let i = 0; i < n; i++) expect(Math.abs(got[i] - ref[r * n + i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref[r * n + i])));
      }
    });
  }
  it('refuses an empty baseline and an unknown mode', () => {
    expect(() => rescale([1, 2], [0, 1], [0.2, 0.8], 'ratio')).toThrow(/no time point/);
    expect(() => rescale([1, 2], [0, 1], [null, null], 'dB' as BaselineMode)).toThrow(/unknown/);
  });
});

describe('band power and ROI', () => {
  it('theta preset picks 4..8 Hz inclusive and averages those rows', () => {
    const freqs = [3, 4, 5, 6, 7, 8, 9];
    const idx = bandIndices(freqs, ...BAND_PRESETS.theta);
    expect(idx).toEqual([1, 2, 3, 4, 5]);
    const power = Float64Array.from({ length: 7 * 2 }, (_, i) => i);
    const bp = bandPower(power, 2, idx);
    expect([...bp]).toEqual([(2 + 4 + 6 + 8 + 10) / 5, (3 + 5 + 7 + 9 + 11) / 5]);
    expect(() => bandIndices(freqs, 20, 30)).toThrow(/no analysed frequency/);
  });
  it('ROI is the channel mean', () => {
    expect([...meanSeries([[1, 2], [3, 6]])]).toEqual([2, 4]);
  });
  it('event-locked average drops epochs off the edges', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const ep = epochAverage(x, 10, [1, 5, 9.8], -0.2, 0.3);
    expect(ep.used).toBe(2);
    expect(ep.dropped).toBe(1);
    expect(ep.times.length).toBe(6);
    expect(ep.mean[2]).toBe((10 + 50) / 2);
  });
});
