import { describe, expect, it } from 'vitest';
import { SpikeDeskError } from '../../shared/errors';
import { DEFAULT_FILTER } from '../../shared/params';
import { bandpassSos, butterSos, notchSos, sosResponse } from './butter';
import { sosPadlen } from './sos';
import { loadFixture, relErr } from './scipy-fixtures.test-util';

interface Design { kind: string; order: number; cutoff: number | [number, number]; fs: number; sos: number[]; freqs: number[]; re: number[]; im: number[] }
const { designs } = loadFixture<{ designs: Design[] }>('designs.json');

function ours(d: Design): Float64Array {
  return d.kind === 'notch' ? notchSos(d.cutoff as number, d.fs) : butterSos(d.kind as 'lowpass', d.order, d.cutoff, d.fs);
}

describe('butterSos against scipy.signal.butter(output="sos")', () => {
  it.each(designs.map((d) => [`${d.kind} order ${d.order} at ${JSON.stringify(d.cutoff)} Hz, fs ${d.fs}`, d] as const))('%s', (_, d) => {
    const sos = ours(d);
    expect(sos.length).toBe(d.sos.length);
    // Same frequency response (complex), within 1e-9 of the peak gain of 1.
    const h = sosResponse(sos, d.freqs, d.fs);
    expect(relErr(h.re, d.re)).toBeLessThan(1e-9);
    expect(relErr(h.im, d.im)).toBeLessThan(1e-9);
    // Same poles: the denominators match as a set (gain distribution across sections may differ).
    const den = (s: ArrayLike<number>) => Array.from({ length: s.length / 6 }, (_, k) => [s[6 * k + 4], s[6 * k + 5]])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const a = den(sos), b = den(d.sos);
    for (let k = 0; k < a.length; k++) {
      expect(a[k][0]).toBeCloseTo(b[k][0], 10);
      expect(a[k][1]).toBeCloseTo(b[k][1], 10);
    }
    // Same default pad length as scipy's sosfiltfilt would use.
    expect(sosPadlen(sos)).toBe(sosPadlen(Float64Array.from(d.sos)));
  });
});

describe('bandpassSos', () => {
  it('chains a high-pass and a low-pass of the given order', () => {
    const sos = bandpassSos(DEFAULT_FILTER, 30000);
    expect(sos.length / 6).toBe(4);
    const h = sosResponse(sos, [10, 300, 2000, 6000, 14000], 30000);
    const mag = Array.from(h.re, (r, i) => Math.hypot(r, h.im[i]));
    expect(mag[0]).toBeLessThan(1.1 * (10 / 300) ** 4); // 4th-order roll-off below the corner
    expect(mag[1]).toBeCloseTo(Math.SQRT1_2, 2); // -3 dB at the high-pass corner (the low-pass barely acts there)
    expect(mag[2]).toBeCloseTo(1, 2);
    expect(mag[3]).toBeCloseTo(Math.SQRT1_2, 2);
    expect(mag[4]).toBeLessThan(1e-3);
  });

  it('drops the parts that are switched off and adds a notch', () => {
    expect(bandpassSos({ ...DEFAULT_FILTER, lowHz: 0 }, 30000).length / 6).toBe(2);
    expect(bandpassSos({ ...DEFAULT_FILTER, highHz: 0 }, 30000).length / 6).toBe(2);
    expect(bandpassSos({ ...DEFAULT_FILTER, highHz: 15000 }, 30000).length / 6).toBe(2);
    expect(bandpassSos({ ...DEFAULT_FILTER, lowHz: 0, highHz: 0 }, 30000).length).toBe(0);
    const withNotch = bandpassSos({ ...DEFAULT_FILTER, lowHz: 1, highHz: 0, order: 3, notchHz: 50 }, 30000);
    expect(withNotch.length / 6).toBe(3);
    const h = sosResponse(withNotch, [50, 200], 30000);
    expect(Math.hypot(h.re[0], h.im[0])).toBeLessThan(1e-6);
    expect(Math.hypot(h.re[1], h.im[1])).toBeCloseTo(1, 3);
  });

  it('rejects impossible designs with BAD_PARAMETER', () => {
    const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as SpikeDeskError).code; } return 'none'; };
    expect(code(() => butterSos('lowpass', 4, 20000, 30000))).toBe('BAD_PARAMETER');
    expect(code(() => butterSos('highpass', 0, 300, 30000))).toBe('BAD_PARAMETER');
    expect(code(() => butterSos('bandstop', 2, [60, 50], 1000))).toBe('BAD_PARAMETER');
    expect(code(() => butterSos('bandstop', 2, 50, 1000))).toBe('BAD_PARAMETER');
    expect(code(() => bandpassSos({ ...DEFAULT_FILTER, lowHz: 7000 }, 30000))).toBe('BAD_PARAMETER');
    expect(code(() => notchSos(50, 0))).toBe('BAD_PARAMETER');
  });
});
