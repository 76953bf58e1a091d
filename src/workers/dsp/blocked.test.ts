import { describe, expect, it } from 'vitest';
import { SpikeDeskError } from '../../shared/errors';
import { DEFAULT_FILTER } from '../../shared/params';
import { Rng } from '../rng';
import { bandpassSos, butterSos, notchSos, concatSos } from './butter';
import { filtfiltBlocked, maxPoleRadius, requiredMargin } from './blocked';
import { sosfiltfilt, sosPadlen } from './sos';
import { FILT_CASES, loadFixture, relErr, type FiltCase } from './scipy-fixtures.test-util';

function noisyChannel(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  // A large DC offset and a slow drift, as in raw extracellular data, plus noise and some spikes.
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 3000 + 200 * Math.sin(i / 5000) + 20 * rng.normal() + (rng.uniform() < 0.002 ? -300 : 0);
  return x;
}

describe('requiredMargin', () => {
  it('is where the impulse response has decayed below 1e-9 of its peak', () => {
    const sos = bandpassSos(DEFAULT_FILTER, 30000);
    const m = requiredMargin(sos, 30000);
    // The slowest pole (300 Hz high-pass) decays as r^k; the margin is near ln(1e-9)/ln(r) samples.
    const r = maxPoleRadius(sos);
    const est = Math.log(1e-9) / Math.log(r);
    expect(m).toBeGreaterThan(0.5 * est);
    expect(m).toBeLessThan(2 * est);
    // A lower corner needs a longer margin; a stricter tolerance too.
    expect(requiredMargin(butterSos('highpass', 4, 30, 30000))).toBeGreaterThan(5 * m);
    expect(requiredMargin(sos, 30000, 1e-12)).toBeGreaterThan(m);
  });

  it('rejects unstable cascades', () => {
    expect(() => requiredMargin(Float64Array.of(1, 0, 0, 1, 0, 1.01))).toThrow(SpikeDeskError);
  });
});

describe('filtfiltBlocked equals whole-array sosfiltfilt', () => {
  const n = 20000;
  const x = noisyChannel(n, 11);
  const read = (s: number, e: number) => x.subarray(s, e);

  // Error relative to the input's largest magnitude (which includes the DC offset).
  const errVsInput = (got: Float32Array, ref: Float64Array) => relErr(got, ref) * maxAbs(ref) / maxAbs(x);

  it('block size 1 (every sample its own block)', () => {
    const sos = bandpassSos(DEFAULT_FILTER, 30000);
    const short = x.subarray(0, 2500);
    const got = filtfiltBlocked(sos, (s, e) => short.subarray(s, e), short.length, 1);
    expect(relErr(got, sosfiltfilt(sos, short)) * maxAbs(sosfiltfilt(sos, short)) / maxAbs(short)).toBeLessThan(1e-6);
  });

  it.each([37, 1000, 4096, 19999, 20000, 50000])('block size %i', (blockSize) => {
    for (const sos of [bandpassSos(DEFAULT_FILTER, 30000), concatSos(butterSos('highpass', 5, 300, 30000), notchSos(60, 30000))]) {
      expect(errVsInput(filtfiltBlocked(sos, read, n, blockSize), sosfiltfilt(sos, x))).toBeLessThan(1e-6);
    }
  });

  it('streams blocks in order and covers every sample once', () => {
    const sos = bandpassSos(DEFAULT_FILTER, 30000);
    const ref = sosfiltfilt(sos, x);
    const got = new Float32Array(n);
    const starts: number[] = [];
    filtfiltBlocked(sos, read, n, 3000, undefined, (s, out) => { starts.push(s); got.set(out, s); });
    expect(starts).toEqual([0, 3000, 6000, 9000, 12000, 15000, 18000]);
    expect(errVsInput(got, ref)).toBeLessThan(1e-6);
  });

  it('a too-small margin is visibly wrong (the default margin matters)', () => {
    const sos = bandpassSos(DEFAULT_FILTER, 30000);
    const ref = sosfiltfilt(sos, x);
    const got = filtfiltBlocked(sos, read, n, 1000, 0);
    expect(relErr(got, ref)).toBeGreaterThan(1e-4);
  });

  it('reproduces scipy at the recording edges with small blocks', () => {
    for (const name of FILT_CASES) {
      const c = loadFixture<FiltCase>(`filt_${name}.json`);
      const sos = Float64Array.from(c.sos);
      const x64 = Float64Array.from(c.x);
      const got = filtfiltBlocked(sos, (s, e) => x64.subarray(s, e), x64.length, 64);
      // Float32 output: compare at float32 precision.
      expect(relErr(got, c.sosfiltfilt!)).toBeLessThan(2e-7);
    }
  });

  it('rejects inputs shorter than the pad length and bad block sizes', () => {
    const sos = bandpassSos(DEFAULT_FILTER, 30000);
    expect(() => filtfiltBlocked(sos, read, sosPadlen(sos), 10)).toThrow(/pad length/);
    expect(() => filtfiltBlocked(sos, read, n, 0)).toThrow(SpikeDeskError);
    expect(() => filtfiltBlocked(sos, () => new Float32Array(3), n, 1000)).toThrow(/reader/);
  });
});

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
