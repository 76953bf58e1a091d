import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { normalQuantileUpper, resolveOverlaps } from './overlaps';
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

  it('with a stated false-alarm rate, also rejects a unit\'s weakest events: about that fraction of its own spikes', () => {
    // scipy.stats.norm.isf(0.05), norm.isf(0.01), norm.isf(1e-3).
    expect(normalQuantileUpper(0.05)).toBeCloseTo(1.6448536269514729, 8);
    expect(normalQuantileUpper(0.01)).toBeCloseTo(2.3263478740408408, 8);
    expect(normalQuantileUpper(1e-3)).toBeCloseTo(3.090232306167813, 8);
    expect(normalQuantileUpper(0.5)).toBeCloseTo(0, 8);
    const kinds = new Array(2000).fill(0);
    const x = make(kinds, 3);
    const y = whitenRows(x, kinds.length, w, none);
    const off = Int32Array.from(kinds), on = Int32Array.from(kinds);
    resolveOverlaps(x, y, w, off, 1, none, opts, 10);
    resolveOverlaps(x, y, w, on, 1, none, { ...opts, backgroundFalseAlarm: 0.05 }, 10);
    const lost = (l: Int32Array) => l.filter((v) => v === -1).length / l.length;
    expect(lost(off)).toBeLessThan(0.005);
    // Gaussian noise: the statistic is normal, so about 5 % of the unit's events go.
    expect(lost(on)).toBeGreaterThan(0.03);
    expect(lost(on)).toBeLessThan(0.08);
  });
});
