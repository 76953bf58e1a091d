import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { amplitudeCutoff, amplitudeCv, isiViolationFraction, isolationAndLRatio, presenceRatio, unitMetrics, unitSnr, violationRatio } from './metrics';
import { chi2Sf, gammaP, gammaQ, logGamma } from './special';

describe('special functions', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
  it('chi2 survival has closed forms for df = 2 and a known 5 % point', () => {
    for (const x of [0.1, 1, 5, 30, 200]) expect(chi2Sf(x, 2) / Math.exp(-x / 2)).toBeCloseTo(1, 10);
    expect(chi2Sf(7.814727903251178, 3)).toBeCloseTo(0.05, 10);
    expect(chi2Sf(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chi2Sf(0, 3)).toBe(1);
  });
  it('P + Q = 1 on both sides of the series / fraction switch', () => {
    for (const [a, x] of [[0.5, 0.2], [1.5, 2.4], [3, 3.9], [3, 4.1], [10, 30]]) expect(gammaP(a, x) + gammaQ(a, x)).toBeCloseTo(1, 13);
    expect(gammaP(1, 2)).toBeCloseTo(1 - Math.exp(-2), 14);
  });
});

describe('spike-train metrics', () => {
  const fs = 30000;
  it('ISI violation fractions count intervals below 1 and 2 ms', () => {
    // ISIs: 15 (0.5 ms), 40 (1.33 ms), 305, 600 samples.
    const s = [0, 15, 55, 360, 960];
    expect(isiViolationFraction(s, fs, 1)).toBe(1 / 4);
    expect(isiViolationFraction(s, fs, 2)).toBe(2 / 4);
    expect(isiViolationFraction([5], fs, 1)).toBeNaN();
  });
  it('violation ratio follows (v / (2 N t_r)) / (N / T)', () => {
    const s = [0, 15, 55, 360, 960]; // 2 ISIs < 1.5 ms (15 and 40 samples)
    const T = 10;
    expect(violationRatio(s, fs, T)).toBeCloseTo((2 / (2 * 5 * 0.0015)) / (5 / T), 12);
  });
  it('presence ratio counts occupied bins', () => {
    // 240 s in 4 bins of 60 s; spikes in bins 0 and 2.
    expect(presenceRatio([10, 3 * fs, 130 * fs], fs, 240)).toBe(0.5);
    expect(presenceRatio([10], fs, 5)).toBe(1);
  });
  it('SNR and amplitude CV', () => {
    expect(unitSnr([1, -60, 20], 12)).toBe(5);
    expect(amplitudeCv([-10, -10, -10])).toBe(0);
    expect(amplitudeCv([-9, -11])).toBeCloseTo(Math.SQRT2 / 10, 12);
  });
});

describe('isolation distance and L-ratio', () => {
  it('are large/small for a well separated unit and poor for an overlapping one', () => {
    const rng = new Rng(4);
    const n = 600, d = 3;
    const f = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i < 300 ? 0 : 1;
      const off = labels[i] === 0 ? 0 : 20;
      for (let j = 0; j < d; j++) f[i * d + j] = off + rng.normal();
    }
    const good = isolationAndLRatio(f, n, d, labels, 0);
    expect(good.isolationDistance).toBeGreaterThan(200); // other cluster ~20 sigma away: D^2 ~ 1200
    expect(good.lRatio).toBeLessThan(1e-10);
    // Same data but labels split one blob at random: no isolation.
    const mixed = Int32Array.from(labels, (_, i) => (i < 300 ? i % 2 : 2));
    const bad = isolationAndLRatio(f, n, d, mixed, 0);
    expect(bad.isolationDistance).toBeLessThan(20);
    expect(bad.lRatio).toBeGreaterThan(0.3);
  });
  it('isolation distance is NaN when there are fewer other spikes than unit spikes', () => {
    const rng = new Rng(1);
    const f = Float32Array.from({ length: 30 }, () => rng.normal());
    const labels = Int32Array.from({ length: 10 }, (_, i) => (i < 8 ? 0 : 1));
    expect(isolationAndLRatio(f, 10, 3, labels, 0).isolationDistance).toBeNaN();
  });
  it('unitMetrics gathers everything', () => {
    const rng = new Rng(2);
    const n = 200;
    const f = Float32Array.from({ length: n * 3 }, (_, i) => rng.normal() + (Math.floor(i / 3) < 100 ? 0 : 10));
    const labels = Int32Array.from({ length: n }, (_, i) => (i < 100 ? 0 : 1));
    const samples = Int32Array.from({ length: 100 }, (_, i) => i * 3000);
    const m = unitMetrics({ samples, amplitudes: new Float32Array(100).fill(-50), meanWaveform: [0, -50, 10], sigma: 10, fs: 30000, durationS: 10, features: f, nFeat: 3, labels, unit: 0 });
    expect(m).toMatchObject({ nSpikes: 100, firingRateHz: 10, snr: 5, isiViolation1ms: 0, presenceRatio: 1, amplitudeCv: 0 });
    expect(m.isolationDistance).toBeGreaterThan(30);
  });

  it('amplitude cutoff matches the numpy / scipy reference (test/fixtures/gen/gen_scipy_amplitude_cutoff.py)', () => {
    const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/scipy/amplitude_cutoff.json', import.meta.url), 'utf8')) as { cases: Array<{ name: string; amplitudes: number[]; cutoff: number }> };
    expect(fx.cases.length).toBe(9);
    for (const c of fx.cases) expect(amplitudeCutoff(c.amplitudes), c.name).toBeCloseTo(c.cutoff, 9);
    const of = (name: string) => fx.cases.find((c) => c.name === name)!.cutoff;
    // A distribution far above the threshold loses nothing; threshold crossings of noise are capped
    // at 0.5, small clusters of them too (fewer bins).
    expect(of('cut 0 %')).toBeLessThan(0.01);
    expect(of('noise crossings')).toBe(0.5);
    expect(of('small noise crossings')).toBe(0.5);
    expect(of('small unit far above')).toBeLessThan(0.1);
    // Under 100 spikes (20 bins of 5) the histogram says nothing: NaN; so for one amplitude only.
    expect(amplitudeCutoff(fx.cases[0].amplitudes.slice(0, 99))).toBeNaN();
    expect(amplitudeCutoff(fx.cases[0].amplitudes.slice(0, 100))).not.toBeNaN();
    expect(amplitudeCutoff(new Array(600).fill(-50))).toBeNaN();
  });
});
