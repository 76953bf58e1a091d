// Theta bursts: deterministic, only in the group, band-limited around 6 Hz, block-independent.
import { describe, expect, it } from 'vitest';
import { morletPower } from '../tf/cwt';
import { thetaBursts } from './theta-bursts';

describe('theta bursts', () => {
  const fs = 500;
  const b = thetaBursts({ seed: 3, fs, nSamples: 60 * fs });
  it('places bursts from 2 s on, only in the group', () => {
    expect(b.onsetsS[0]).toBe(2);
    expect(b.onsetsS.length).toBeGreaterThan(4);
    const out = new Float32Array(60 * fs);
    b.addTo(20, 0, out);
    expect(out.every((v) => v === 0)).toBe(true);
  });
  it('blocks equal the whole and theta power rises in bursts', () => {
    const whole = new Float32Array(60 * fs);
    b.addTo(0, 0, whole);
    const part = new Float32Array(777);
    b.addTo(0, 1000, part);
    expect(part).toEqual(whole.subarray(1000, 1777));
    const { power, geom } = morletPower(whole, fs, { freqs: [6, 20], nCycles: 7, zeroMean: false, decim: 10 });
    const at = (t: number, row: number): number => power[row * geom.nOut + Math.round((t * fs) / 10)];
    const mid = b.onsetsS[1] + b.durationS / 2;
    expect(at(mid, 0)).toBeGreaterThan(100 * at(mid, 1));
    expect(at(mid, 0)).toBeGreaterThan(100 * at(b.onsetsS[1] - 1.5, 0));
  });
});
