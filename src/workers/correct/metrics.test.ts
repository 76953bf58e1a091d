import { describe, expect, it } from 'vitest';
import { compareWithClean, harmonicPowerDb, medianResidualArtifact, rms, rmsRatio, rmsResidual, snr, welch } from './metrics';
import { Rng } from '../rng';

const fs = 1000;
const r = new Rng(3);
const noise = (n: number, sd: number): Float64Array => Float64Array.from({ length: n }, () => sd * r.normal());

describe('correction metrics', () => {
  it('RMS ratio, RMS residual and SNR follow their definitions', () => {
    const n = 30_000, a = 10_000, b = 20_000;
    const ref = noise(n, 2);
    const corrected = Float64Array.from(ref, (v, i) => (i >= a && i < b ? v * 1.5 : v));
    const raw = Float64Array.from(corrected, (v, i) => (i >= a && i < b ? v * 10 : v));
    expect(rmsRatio([raw], [corrected], a, b)).toBeCloseTo(10, 6);
    expect(rmsResidual([corrected], a, b)).toBeCloseTo(1.5, 1);
    // var(ref) / (var(corr) - var(ref)) = 1 / (1.5^2 - 1) = 0.8
    expect(snr([corrected], a, b)).toBeCloseTo(0.8, 1);
  });

  it('harmonic power of a sinusoid is A^2/2 in dB; white noise spreads its power evenly', () => {
    const n = 64_000;
    const x = Float64Array.from({ length: n }, (_, i) => 3 * Math.sin((2 * Math.PI * 12.5 * i) / fs));
    const h = harmonicPowerDb(x, fs, 12.5, 3);
    // Off-bin tone: a little Hann leakage falls outside +-0.5 Hz (same bias for corrected and clean).
    expect(Math.abs(h[0] - 10 * Math.log10(4.5))).toBeLessThan(0.3);
    expect(h[1]).toBeLessThan(h[0] - 60);
    const w = noise(n, 1);
    const { psd } = welch(w, fs, 1024);
    const mean = psd.slice(5, 500).reduce((s, v) => s + v, 0) / 495;
    expect(mean).toBeCloseTo(2 / fs, 4);
  });

  it('median residual artifact is the median peak-to-peak of the channel-mean epoch', () => {
    const x = new Float64Array(1000), y = new Float64Array(1000);
    for (let e = 0; e < 5; e++) { x[e * 100 + 10] = e + 1; y[e * 100 + 10] = e + 1; y[e * 100 + 20] = -(e + 1); }
    // channel mean epoch e: peak (e+1), trough -(e+1)/2 -> p-p 1.5 (e+1); median over e = 4.5
    expect(medianResidualArtifact([x, y], [0, 100, 200, 300, 400], 100)).toBeCloseTo(4.5, 10);
  });

  it('comparison with the clean signal: identity is perfect, added noise is measured in band', () => {
    const n = 40_000;
    const clean = noise(n, 5);
    const same = compareWithClean(clean, clean, fs, 10_000, 30_000);
    expect(same.relRmse).toBe(0);
    expect(same.corr).toBeCloseTo(1, 12);
    const extra = noise(n, 5);
    const mixed = Float64Array.from(clean, (v, i) => v + 0.2 * extra[i]);
    const c = compareWithClean(mixed, clean, fs, 10_000, 30_000);
    expect(c.relRmse).toBeGreaterThan(0.15);
    expect(c.relRmse).toBeLessThan(0.25);
    expect(c.corr).toBeGreaterThan(0.97);
    expect(rms(clean)).toBeGreaterThan(4);
  });
});
