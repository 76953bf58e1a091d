import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../correct/low-rank';
import { generateEegFmri } from './eeg-fmri';

const rec = generateEegFmri({ seed: 4, nChannels: 4, durationS: 40, cleanBeforeS: 5, cleanAfterS: 5 });
const n = rec.nSamples;

function rms(a: Float32Array, s = 0, e = a.length): number {
  let q = 0;
  for (let i = s; i < e; i++) q += a[i] * a[i];
  return Math.sqrt(q / (e - s));
}

describe('synthetic EEG-fMRI recording', () => {
  it('is deterministic and identical however it is cut into blocks', () => {
    const whole = rec.channelBlock(2, 0, n);
    const again = generateEegFmri({ seed: 4, nChannels: 4, durationS: 40, cleanBeforeS: 5, cleanAfterS: 5 }).channelBlock(2, 0, n);
    expect(again).toEqual(whole);
    const parts = new Float32Array(n);
    for (let s = 0; s < n; s += 12_345) parts.set(rec.channelBlock(2, s, Math.min(n, s + 12_345)), s);
    expect(parts).toEqual(whole);
    expect(generateEegFmri({ seed: 5, nChannels: 4, durationS: 40 }).channelBlock(2, 0, 1000)).not.toEqual(whole.subarray(0, 1000));
  });

  it('data = clean + artifact, with artifacts 100-1000x the EEG and none outside the acquisition', () => {
    for (let c = 0; c < 4; c++) {
      const x = rec.channelBlock(c, 0, n), cl = rec.cleanBlock(c, 0, n), ar = rec.artifactBlock(c, 0, n);
      let peak = 0, sumErr = 0;
      for (let i = 0; i < n; i++) {
        sumErr = Math.max(sumErr, Math.abs(x[i] - cl[i] - ar[i]));
        peak = Math.max(peak, Math.abs(ar[i]));
      }
      expect(sumErr).toBeLessThan(1e-2);
      const ratio = peak / rec.truth.eegRmsUv[c];
      expect(ratio).toBeGreaterThan(100 * 0.9);
      expect(ratio).toBeLessThan(1000 * 1.1);
      expect(rms(ar, 0, rec.truth.acqStart - 10)).toBe(0);
      expect(rms(ar, rec.truth.acqEnd + 10, n)).toBe(0);
    }
  });

  it('puts slices at fractional onsets with a non-integer period, gaps between volumes and one dropped marker', () => {
    const { onsets, volumeOf, dropped, slicePeriodSamples } = rec.truth;
    expect(Number.isInteger(slicePeriodSamples)).toBe(false);
    const fracs = new Set(Array.from(onsets, (t) => Math.round((t % 1) * 10)));
    expect(fracs.size).toBeGreaterThanOrEqual(8);
    const within = onsets[1] - onsets[0];
    const across = onsets[20] - onsets[19];
    expect(volumeOf[20]).toBe(1);
    // The volume gap is 1.6 slice periods by default: too close to 2 for a fixed-ratio rule.
    expect(across / within).toBeCloseTo(1.6, 2);
    const markers = rec.events.filter((e) => e.label === 'Response/R128').map((e) => e.sample);
    expect(markers.length).toBe(onsets.length - 1);
    expect(markers).not.toContain(Math.floor(onsets[dropped]));
    expect(rec.events.some((e) => e.label.startsWith('Stimulus'))).toBe(true);
    const stim = rec.stimBlock(0, n);
    expect(stim[markers[3]]).toBe(1);
    expect(stim[markers[3] - 1]).toBe(0);
    expect(rec.meta.channels.at(-1)).toMatchObject({ kind: 'stim', name: 'STI' });
  });

  it('drifting regime changes the artifact shape; stationary only its amplitude; a spurious marker can be added', () => {
    const opts = { seed: 9, nChannels: 1, durationS: 120, cleanBeforeS: 2, cleanAfterS: 2 };
    const shapeChange = (regime: 'stationary' | 'drifting'): number => {
      const r = generateEegFmri({ ...opts, regime });
      const on = r.truth.onsets, L = 400;
      const ep = (k: number): Float32Array => r.artifactBlock(0, Math.ceil(on[k]) + 5, Math.ceil(on[k]) + 5 + L);
      // Least-squares scaled difference between an early and a late slice at the same sub-sample phase.
      let late = on.length - 40;
      while (Math.abs((on[late] % 1) - (on[1] % 1)) > 0.01) late--;
      const a = ep(1), b = ep(late);
      let ab = 0, aa = 0;
      for (let i = 0; i < L; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; }
      const g = ab / aa;
      let e = 0, bb = 0;
      for (let i = 0; i < L; i++) { e += (b[i] - g * a[i]) ** 2; bb += b[i] * b[i]; }
      return Math.sqrt(e / bb);
    };
        expect(shapeChange('drifting')).toBeGreaterThan(3 * shapeChange('stationary'));
    const sp = generateEegFmri({ ...opts, durationS: 30, spuriousTrigger: true });
    const marks = sp.events.filter((e) => e.label === 'Response/R128').map((e) => e.sample);
    expect(marks).toContain(sp.truth.spurious);
    expect(marks.length).toBe(sp.truth.onsets.length);
  });

  it("'gradient-drift' drifts every axis on one course shared by the channels (artifacts of rank 3 across channels); 'drifting' does not", () => {
    // Channels' artifacts over 30 s as rows: with shared axis courses they are combinations of the three
    // axes' artifacts, so the 4th eigenvalue of their Gram vanishes; with per-channel courses it does not.
    const rel4 = (regime: 'drifting' | 'gradient-drift'): number => {
      const r = generateEegFmri({ seed: 4, nChannels: 5, durationS: 40, cleanBeforeS: 5, cleanAfterS: 5, regime });
      const rows = [0, 1, 2, 3, 4].map((c) => r.artifactBlock(c, 5 * r.fs, 35 * r.fs));
      const G = new Float64Array(25);
      for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) { let d = 0; for (let i = 0; i < rows[a].length; i++) d += rows[a][i] * rows[b][i]; G[a * 5 + b] = d; }
      const { values } = symmetricEigen(G, 5);
      return values[3] / values[0];
    };
    expect(rel4('gradient-drift')).toBeLessThan(1e-9);
    expect(rel4('drifting')).toBeGreaterThan(1e-6);
  });

  it('clean EEG has a realistic level and an alpha peak', () => {
    const cl = rec.cleanBlock(3, 0, n);
    let mean = 0;
    for (const v of cl) mean += v / n;
    // Tens of uV (EEG + drift), not a flat line, not mV.
    expect(rms(cl) - Math.abs(mean)).toBeGreaterThan(5);
    expect(rms(cl)).toBeLessThan(200);
  });

  it('rejects impossible settings', () => {
    expect(() => generateEegFmri({ fs: 1000 })).toThrow(/2 kHz/);
    expect(() => generateEegFmri({ slicesPerVolume: 40, slicePeriodS: 0.09 })).toThrow(/TR/);
    expect(() => generateEegFmri({ slicesPerVolume: 40 })).toThrow(/slice period/);
    expect(() => rec.channelBlock(9, 0, 10)).toThrow(/channel/);
  });
});
