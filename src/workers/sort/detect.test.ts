import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTER, DEFAULT_SORT, type DetectParams } from '../../shared/params';
import { bandpassSos } from '../dsp/butter';
import { filtfiltBlocked } from '../dsp/blocked';
import { sosfiltfiltF32 } from '../dsp/sos';
import { Rng } from '../rng';
import { detectMargin, detectSpikes, detectSpikesInBlock, noiseSigma, noiseSigmaBlocked, noiseSigmaProfile, type Spikes } from './detect';

const FS = 30000;
const P: DetectParams = { ...DEFAULT_SORT.detect };

/** Gaussian noise (sd 10) with negative spikes of -amp at known times (every ~10-30 ms). */
function synth(n: number, seed: number, amp = 120): { x: Float32Array; times: number[] } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n }, () => 10 * rng.normal());
  const times: number[] = [];
  for (let t = 100 + rng.int(50); t < n - 100; t += 300 + rng.int(600)) {
    times.push(t);
    for (let k = -10; k <= 20; k++) x[t + k] += -amp * Math.exp(-((k / 4) ** 2)) + 0.3 * amp * Math.exp(-(((k - 10) / 5) ** 2));
  }
  return { x, times };
}

/** Same count, each detected trough within 2 samples of the inserted one (noise can move the minimum). */
function expectNear(got: Int32Array, want: number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((t, k) => expect(Math.abs(t - want[k])).toBeLessThanOrEqual(2));
}

function detectInBlocks(x: Float32Array, p: DetectParams, sigma: number, blockSize: number): Spikes {
  const m = detectMargin(FS, p);
  const parts: Spikes[] = [];
  for (let s = 0; s < x.length; s += blockSize) {
    const e = Math.min(x.length, s + blockSize);
    const a = Math.max(0, s - m), b = Math.min(x.length, e + m);
    parts.push(detectSpikesInBlock(x.slice(a, b), a, FS, p, sigma, s, e, x.length));
  }
  return {
    samples: Int32Array.from(parts.flatMap((q) => [...q.samples])),
    amplitudes: Float32Array.from(parts.flatMap((q) => [...q.amplitudes])),
    subSamples: Float64Array.from(parts.flatMap((q) => [...q.subSamples])),
    sigma,
  };
}

describe('noise sigma', () => {
  it('is median(|x|)/0.6745 (about the noise sd even with spikes present), also in blocks', () => {
    const { x } = synth(60000, 1);
    const s = noiseSigma(x);
    expect(s).toBeGreaterThan(10);
    expect(s).toBeLessThan(11.5);
    expect(noiseSigmaBlocked((a, b) => x.subarray(a, b), x.length, 777)).toBe(s);
  });

  it('a rolling window follows a change in noise level', () => {
    const rng = new Rng(2);
    const x = Float32Array.from({ length: 4 * FS }, (_, i) => (i < 2 * FS ? 5 : 20) * rng.normal());
    const prof = noiseSigmaProfile((a, b) => x.subarray(a, b), x.length, FS, 1);
    expect(prof.values.length).toBe(4);
    expect(prof.values[0]).toBeCloseTo(5, 0);
    expect(prof.values[3]).toBeCloseTo(20, 0);
  });
});

describe('detectSpikes', () => {
  const { x, times } = synth(90000, 3);

  it('finds every inserted spike at its trough with the dead time respected', () => {
    const r = detectSpikes(x, FS, P);
    expectNear(r.samples, times);
    for (const a of r.amplitudes) expect(a).toBeLessThan(-5 * r.sigma);
    for (let i = 1; i < r.samples.length; i++) expect(r.samples[i] - r.samples[i - 1]).toBeGreaterThan(30);
  });

  it('polarity: positive finds none of these negative spikes; both finds them all', () => {
    // Positive detection only catches some of the after-hyperpolarisation bumps (+36 uV + noise), never a trough.
    const pos = detectSpikes(x, FS, { ...P, polarity: 'pos' });
    expect(pos.samples.length).toBeLessThan(times.length / 2);
    pos.amplitudes.forEach((a) => expect(a).toBeGreaterThan(5 * pos.sigma));
    expectNear(detectSpikes(x, FS, { ...P, polarity: 'both' }).samples, times);
  });

  it('keeps only the largest peak within the dead time', () => {
    const y = new Float32Array(2000);
    y[500] = -100; y[520] = -150; y[545] = -90; y[600] = -80;
    const r = detectSpikes(y, FS, P, 10);
    // 500 and 545 are within 1 ms (30 samples) of the larger 520; 600 is 80 samples away.
    expect(Array.from(r.samples)).toEqual([520, 600]);
  });

  it('drops artifacts above artifactSigma and spikes too close to the edges', () => {
    const y = new Float32Array(2000);
    y[10] = -100; y[700] = -100; y[1000] = -1000; y[1990] = -100;
    const r = detectSpikes(y, FS, { ...P, artifactSigma: 50 }, 10);
    expect(Array.from(r.samples)).toEqual([700]);
  });

  it('sub-sample alignment reports times within 1/factor of the true trough', () => {
    const y = new Float32Array(3000);
    const t0 = [800.3, 1500.5, 2200.8];
    for (const t of t0) for (let i = 0; i < y.length; i++) y[i] -= 150 * Math.exp(-(((i - t) / 3) ** 2));
    const r = detectSpikes(y, FS, { ...P, alignUpsample: 10 }, 10);
    expect(r.subSamples.length).toBe(3);
    r.subSamples.forEach((s, k) => expect(Math.abs(s - t0[k])).toBeLessThanOrEqual(0.1 + 1e-9));
    r.amplitudes.forEach((a) => expect(a).toBeCloseTo(-150, 0));
  });
});

describe('blocked detection equals whole-channel detection', () => {
  it.each([1000, 4321, 30000, 200000])('block size %i (with and without alignment, rolling sigma)', (bs) => {
    const { x } = synth(90000, 8, 60); // small spikes: many near-threshold events, dead-time conflicts
    for (const p of [P, { ...P, polarity: 'both' as const, alignUpsample: 5, deadTimeMs: 0.5 }]) {
      const sigma = noiseSigma(x);
      const whole = detectSpikes(x, FS, p, sigma);
      const blocked = detectInBlocks(x, p, sigma, bs);
      expect(whole.samples.length).toBeGreaterThan(50);
      expect(blocked.samples).toEqual(whole.samples);
      expect(blocked.amplitudes).toEqual(whole.amplitudes);
      expect(blocked.subSamples).toEqual(whole.subSamples);
    }
  });

  it('end to end: blocked filtering + blocked detection = whole-channel filtering + detection', () => {
    const { x } = synth(120000, 13, 70);
    // Raw-like: DC offset and slow drift that the band-pass removes.
    for (let i = 0; i < x.length; i++) x[i] += 2000 + 300 * Math.sin(i / 3000);
    const sos = bandpassSos(DEFAULT_FILTER, FS);
    const fWhole = sosfiltfiltF32(sos, x);
    const fBlocked = filtfiltBlocked(sos, (a, b) => x.subarray(a, b), x.length, 25000);
    const sigma = noiseSigma(fWhole);
    expect(noiseSigma(fBlocked)).toBeCloseTo(sigma, 6);
    const whole = detectSpikes(fWhole, FS, P, sigma);
    const blocked = detectInBlocks(fBlocked, P, noiseSigma(fBlocked), 25000);
    expect(whole.samples.length).toBeGreaterThan(100);
    expect(blocked.samples).toEqual(whole.samples);
  });

  it('refuses a block without enough context', () => {
    const { x } = synth(10000, 4);
    expect(() => detectSpikesInBlock(x.slice(5000, 6000), 5000, FS, P, 10, 5000, 6000, 10000)).toThrow(/context/);
  });
});
