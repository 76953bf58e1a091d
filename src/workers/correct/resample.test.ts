import { describe, expect, it } from 'vitest';
import { downsample, sincKernel, upsample } from './resample';
import { Rng } from '../rng';

/** Random sum of sinusoids below maxF (fraction of fs): a band-limited test signal. */
function bandLimited(n: number, maxF: number, seed: number): { x: Float64Array; at: (t: number) => number } {
  const r = new Rng(seed);
  const comps = Array.from({ length: 40 }, () => ({ f: r.uniform() * maxF, a: r.normal(), ph: 2 * Math.PI * r.uniform() }));
  const at = (t: number): number => comps.reduce((s, c) => s + c.a * Math.cos(2 * Math.PI * c.f * t + c.ph), 0);
  return { x: Float64Array.from({ length: n }, (_, i) => at(i)), at };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

describe('windowed-sinc resampling', () => {
  const k = sincKernel(10);

  it('upsampling reproduces a band-limited signal between samples and keeps the originals', () => {
    const { x, at } = bandLimited(2000, 0.38, 1);
    const y = upsample(x, 0, 0, x.length, k);
    let err = 0;
    for (let i = 100 * 10; i < 1900 * 10; i++) err = Math.max(err, Math.abs(y[i] - at(i / 10)));
    expect(err / maxAbs(x)).toBeLessThan(1e-3);
    for (let i = 0; i < x.length; i++) expect(y[i * 10]).toBeCloseTo(x[i], 4);
  });

  it('down(up(x)) equals x within 1e-3 of the peak on signals below 0.38 fs', () => {
    const { x } = bandLimited(3000, 0.38, 2);
    const y = upsample(x, 0, 0, x.length, k);
    const z = downsample(y, 0, 0, x.length, k);
    let err = 0;
    for (let i = 50; i < 2950; i++) err = Math.max(err, Math.abs(z[i] - x[i]));
    expect(err / maxAbs(x)).toBeLessThan(1e-3);
  });

  it('downsampling removes content above the original Nyquist (no aliasing)', () => {
    // 0.7 of the original rate on the fine grid would alias to 0.3 without the anti-alias filter.
    const n = 20000;
    const fine = Float64Array.from({ length: n }, (_, m) => Math.cos(2 * Math.PI * 0.07 * m));
    const z = downsample(fine, 0, 0, n / 10, k);
    expect(maxAbs(z.subarray(100, 1900))).toBeLessThan(1e-3);
  });

  it('a section with a halfWidth margin gives exactly the whole-array result', () => {
    const { x } = bandLimited(1500, 0.4, 3);
    const whole = upsample(x, 0, 0, x.length, k);
    for (const [a, b] of [[0, 300], [300, 777], [777, 1500]]) {
      const s0 = Math.max(0, a - k.halfWidth), s1 = Math.min(x.length, b + k.halfWidth);
      const part = upsample(x.subarray(s0, s1), s0, a, b, k);
      expect(Array.from(part)).toEqual(Array.from(whole.subarray(a * 10, b * 10)));
    }
    const down = downsample(whole, 0, 0, x.length, k);
    const fineM = k.halfWidth * 10;
    const part = downsample(whole.subarray(500 * 10 - fineM, 900 * 10 + fineM), 500 * 10 - fineM, 500, 900, k);
    for (let i = 0; i < 400; i++) expect(part[i]).toBe(down[500 + i]);
  });

  it('factor 1 is the identity', () => {
    const { x } = bandLimited(200, 0.3, 4);
    const k1 = sincKernel(1);
    const z = downsample(upsample(x, 0, 0, 200, k1), 0, 0, 200, k1);
    for (let i = 0; i < 200; i++) expect(z[i]).toBeCloseTo(x[i], 5);
  });
});
