import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { binomialUpperTail, quantileSorted, rejectLowTail, resolveOverlaps } from './overlaps';
import { whitenRows } from './templates';

const w = 48;
const shape = (amp: number, width: number) => (t: number) => amp * (-Math.exp(-0.5 * (t / width) ** 2) + 0.3 * Math.exp(-0.5 * ((t - 4 * width) / (2 * width)) ** 2));
const A = shape(10, 1.5), B = shape(7, 3);
const none = new Float64Array(0); // white noise: identity whitener
const opts = { primaryShift: 2, secondaryShift: 24, minPairLag: 4, dissolveFraction: 0.5, rejectBackground: true, maxShift: 1 };

/** Rows with trough at sample 16: kind 0 = A, 1 = B, 2 = A + B at lag 6..20, 3 = A seen 12..20 samples late (a second detection), 4 = noise. */
function make(kinds: number[], seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(kinds.length * w);
  kinds.forEach((k, r) => {
    const lag = 6 + rng.int(15), late = 12 + rng.int(9);
    for (let j = 0; j < w; j++) {
      const t = j - 16;
      const v = k === 0 ? A(t) : k === 1 ? B(t) : k === 2 ? A(t) + B(t - lag) : k === 3 ? A(t + late) : 0;
      x[r * w + j] = v + rng.normal();
    }
  });
  return x;
}

describe('resolveOverlaps', () => {
  it('dissolves a cluster of overlaps into the primary unit and sends second detections to noise', () => {
    const kinds = [...new Array(300).fill(0), ...new Array(300).fill(1), ...new Array(60).fill(2), ...new Array(40).fill(3)];
    const x = make(kinds, 1);
    // Clustering put the overlaps in their own cluster 2 and the second detections into B's cluster.
    const labels = Int32Array.from(kinds, (k) => (k === 0 ? 0 : k === 1 ? 1 : k === 2 ? 2 : 1));
    const r = resolveOverlaps(x, whitenRows(x, kinds.length, w, none), w, labels, 3, none, opts, 10);
    expect(r.dissolved).toBe(1);
    const overl = kinds.map((k, i) => (k === 2 ? labels[i] : null)).filter((l) => l !== null);
    expect(overl.filter((l) => l === 0).length / overl.length).toBeGreaterThan(0.9);
    const dup = kinds.map((k, i) => (k === 3 ? labels[i] : null)).filter((l) => l !== null);
    expect(dup.filter((l) => l === -1).length / dup.length).toBeGreaterThan(0.9);
    // The units' own spikes stay.
    for (const u of [0, 1]) {
      const own = kinds.map((k, i) => (k === u ? labels[i] : null)).filter((l) => l !== null);
      expect(own.filter((l) => l === u).length / own.length).toBeGreaterThan(0.98);
    }
  });

  it('keeps two distinct units apart and rejects pure-noise events', () => {
    const kinds = [...new Array(200).fill(0), ...new Array(200).fill(1), ...new Array(30).fill(4)];
    const x = make(kinds, 2);
    const labels = Int32Array.from(kinds, (k) => (k === 4 ? 0 : k));
    const r = resolveOverlaps(x, whitenRows(x, kinds.length, w, none), w, labels, 2, none, opts, 10);
    expect(r.dissolved).toBe(0);
    expect(kinds.filter((k, i) => k === 4 && labels[i] === -1).length).toBeGreaterThanOrEqual(28);
    expect(kinds.filter((k, i) => k < 4 && labels[i] !== k).length).toBeLessThanOrEqual(4);
  });

  it('with a stated false-alarm rate but no background in the unit, rejects none of its spikes', () => {
    // numpy.quantile([1, 2, 4, 8], [0, 0.25, 0.5, 0.9, 1]) = 1, 1.75, 3, 6.8, 8.
    expect([0, 0.25, 0.5, 0.9, 1].map((p) => quantileSorted([1, 2, 4, 8], p))).toEqual([1, 1.75, 3, 6.8, 8].map((v) => expect.closeTo(v, 12)));
    const kinds = new Array(2000).fill(0);
    const x = make(kinds, 3);
    const y = whitenRows(x, kinds.length, w, none);
    const off = Int32Array.from(kinds), on = Int32Array.from(kinds);
    resolveOverlaps(x, y, w, off, 1, none, opts, 10);
    resolveOverlaps(x, y, w, on, 1, none, { ...opts, backgroundFalseAlarm: 0.05 }, 10);
    const lost = (l: Int32Array) => l.filter((v) => v === -1).length / l.length;
    expect(lost(off)).toBeLessThan(0.005);
    // Gaussian noise: the statistic is symmetric, so its lower 5 % tail holds as many events as the
    // upper one: all true spikes, and the cut would only cost them.
    expect(lost(on)).toBeLessThan(0.005);
  });

  it('keeps the stated rate on true spikes under heavy-tailed noise and rejects background accepted into the unit', () => {
    // Noise as a sum of background spikes: Gaussian plus, on every event, a spike of random sign and
    // amplitude at a random lag (heavier tails than normal, symmetric). 100 background events in
    // the unit: a smaller, wider trough (a noise peak crossing the threshold).
    const rng = new Rng(5);
    const C = shape(5, 3), spike = shape(1, 3);
    const nT = 3000, nB = 100, n = nT + nB;
    const x = new Float32Array(n * w);
    for (let r = 0; r < n; r++) {
      const lag = rng.int(21) - 10, a = (rng.uniform() - 0.5) * 6;
      for (let j = 0; j < w; j++) {
        const t = j - 16;
        x[r * w + j] = (r < nT ? A(t) : C(t)) + a * spike(t - lag) + rng.normal();
      }
    }
    const y = whitenRows(x, n, w, none);
    const e = { none: new Float64Array(n), ownFit: new Float64Array(n) };
    // The statistic the test reads: ||y||^2 - ||y - T||^2 with T the unit's mean.
    const T = new Float64Array(w);
    for (let r = 0; r < n; r++) for (let j = 0; j < w; j++) T[j] += y[r * w + j] / n;
    for (let r = 0; r < n; r++) {
      let yy = 0, res = 0;
      for (let j = 0; j < w; j++) { yy += y[r * w + j] ** 2; res += (y[r * w + j] - T[j]) ** 2; }
      e.none[r] = yy; e.ownFit[r] = res;
    }
    const labels = new Int32Array(n);
    rejectLowTail(labels, 1, e, 0.01, 10);
    const lostTrue = labels.subarray(0, nT).filter((l) => l === -1).length / nT;
    const gotBg = labels.subarray(nT).filter((l) => l === -1).length / nB;
    // At most the stated 1 % of the true spikes (a normal model of the median / MAD spread cuts
    // 2.7 % here), and most of the background (0.89).
    expect(lostTrue).toBeLessThan(0.015);
    expect(gotBg).toBeGreaterThan(0.75);
  });

  it('cuts a unit only when the excess below its lower tail is significant background', () => {
    // scipy.stats.binom.sf(x - 1, n, 2/3) for (n, x) = (16, 12), (64, 60), (23, 20), (5, 5).
    expect(binomialUpperTail(16, 12, 2 / 3)).toBeCloseTo(0.33912325168739327, 12);
    expect(binomialUpperTail(64, 60, 2 / 3) / 2.4420279865579076e-7).toBeCloseTo(1, 10);
    expect(binomialUpperTail(23, 20, 2 / 3)).toBeCloseTo(0.026475260162823033, 12);
    expect(binomialUpperTail(5, 5, 2 / 3)).toBeCloseTo(0.13168724279835387, 12);
    // A symmetric statistic (400 values evenly in [-1, 1]) whose lower tail is a little heavier
    // than its upper one (8 more events below the reflected cut: 12 against 4, as misfit true
    // spikes of a unit far above the threshold give): 12 of 16 is no significant majority over 2/3.
    const n = 400;
    const llr = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
    for (let i = 10; i < 18; i++) llr[i] = -0.995;
    const e = { none: Float64Array.from(llr), ownFit: new Float64Array(n) };
    const labels = new Int32Array(n);
    expect(rejectLowTail(labels, 1, e, 0.01, 10)).toBe(0);
    // 60 events there (background in the unit): cut.
    for (let i = 18; i < 70; i++) llr[i] = -0.995;
    expect(rejectLowTail(labels, 1, { none: Float64Array.from(llr), ownFit: new Float64Array(n) }, 0.01, 10)).toBe(64);
  });
});
