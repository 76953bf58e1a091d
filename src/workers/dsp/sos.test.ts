import { describe, expect, it } from 'vitest';
import { SpikeDeskError } from '../../shared/errors';
import { Rng } from '../rng';
import { butterSos, concatSos } from './butter';
import { sosfilt, sosfiltfilt, sosfiltfiltF32, sosfiltInPlace, sosfiltZi, sosPadlen } from './sos';
import { FILT_CASES, loadFixture, relErr, type FiltCase } from './scipy-fixtures.test-util';

const cases = FILT_CASES.map((n) => loadFixture<FiltCase>(`filt_${n}.json`));

describe.each(cases.map((c) => [c.name, c] as const))('scipy reference %s', (_, c) => {
  const sos = Float64Array.from(c.sos);
  const x = Float64Array.from(c.x);

  it('sosfilt_zi and the pad length match scipy', () => {
    expect(relErr(sosfiltZi(sos), c.zi)).toBeLessThan(1e-9);
    expect(sosPadlen(sos)).toBe(c.padlen);
  });

  it('sosfilt from rest and from zi * x[0] match scipy', () => {
    expect(relErr(sosfilt(sos, x).y, c.sosfilt)).toBeLessThan(1e-9);
    const zi = sosfiltZi(sos).map((v) => v * x[0]);
    const { y, zf } = sosfilt(sos, x, zi);
    expect(relErr(y, c.sosfilt_zi_x0)).toBeLessThan(1e-9);
    expect(relErr(zf, c.zf)).toBeLessThan(1e-9);
  });

  it('sosfiltfilt matches scipy (float64) and the Float32 variant agrees to float32 precision', () => {
    expect(relErr(sosfiltfilt(sos, x), c.sosfiltfilt!)).toBeLessThan(1e-9);
    const x32 = Float32Array.from(x);
    const ref32 = sosfiltfilt(sos, x32);
    expect(relErr(sosfiltfiltF32(sos, x32), ref32)).toBeLessThan(1e-6);
    // In place, after the shared work buffer held a longer signal: same result.
    sosfiltfilt(sos, new Float64Array(5000).fill(1e6));
    const inPlace = Float32Array.from(x);
    expect(sosfiltfiltF32(sos, inPlace, inPlace)).toBe(inPlace);
    expect(relErr(inPlace, ref32)).toBeLessThan(1e-6);
  });
});

describe('sosfiltfilt edge cases', () => {
  const short = loadFixture<FiltCase>('filt_bp_o4_too_short.json');
  it('rejects input not longer than the pad length, as scipy does', () => {
    expect(short.error).toMatch(/greater than padlen, which is 27/);
    let err: unknown;
    try { sosfiltfilt(Float64Array.from(short.sos), Float64Array.from(short.x)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SpikeDeskError);
    expect((err as SpikeDeskError).code).toBe('BAD_PARAMETER');
    expect((err as SpikeDeskError).message).toMatch(/27/);
  });

  it('an empty cascade is the identity', () => {
    const x = Float32Array.of(1, 2, 3);
    expect(Array.from(sosfiltfiltF32(new Float64Array(0), x))).toEqual([1, 2, 3]);
  });

  it('rejects malformed coefficient arrays', () => {
    expect(() => sosfiltfilt(new Float64Array(5), new Float64Array(100))).toThrow(SpikeDeskError);
    expect(() => sosfilt(Float64Array.of(1, 0, 0, 2, 0, 0), new Float64Array(10))).toThrow(/a0 = 1/);
  });

  it('long cascades (chunked groups) and b0 = 0 sections equal the textbook DF2T recursion', () => {
    const rng = new Rng(7);
    const x = Float64Array.from({ length: 10000 }, () => rng.normal());
    // 6 + 4 + 1 sections: exercises groups of 4 and the chunk boundary; the last section is a pure delay.
    const sos = concatSos(butterSos('highpass', 11, 100, 30000), butterSos('lowpass', 8, 5000, 30000), Float64Array.of(0, 1, 0, 1, 0, 0));
    expect(relErr(sosfilt(sos, x).y, textbook(sos, x))).toBeLessThan(1e-9);
    // 6 sections, all with symmetric numerators (the specialised kernels), in groups of 4 + 2.
    const sym = concatSos(butterSos('highpass', 6, 300, 30000), butterSos('lowpass', 6, 6000, 30000));
    expect(relErr(sosfilt(sym, x).y, textbook(sym, x))).toBeLessThan(1e-9);
    const y = Float64Array.from(x);
    sosfiltInPlace(sos, y);
    expect(y[0]).toBe(0); // the delay section
  });

  function textbook(sos: Float64Array, x: Float64Array): Float64Array {
    const ref = Float64Array.from(x);
    for (let o = 0; o < sos.length; o += 6) {
      let z1 = 0, z2 = 0;
      for (let i = 0; i < ref.length; i++) {
        const xi = ref[i];
        const y = sos[o] * xi + z1;
        z1 = sos[o + 1] * xi - sos[o + 4] * y + z2;
        z2 = sos[o + 2] * xi - sos[o + 5] * y;
        ref[i] = y;
      }
    }
    return ref;
  }

  it('filtering in two pieces with the carried state equals one pass', () => {
    const rng = new Rng(3);
    const x = Float64Array.from({ length: 3001 }, () => rng.normal());
    const sos = butterSos('highpass', 5, 300, 30000);
    const whole = sosfilt(sos, x).y;
    const zi = new Float64Array(sos.length / 3);
    const a = x.slice(0, 1234), b = x.slice(1234);
    sosfiltInPlace(sos, a, zi);
    sosfiltInPlace(sos, b, zi);
    expect(relErr([...a, ...b], whole)).toBeLessThan(1e-12);
  });
});
