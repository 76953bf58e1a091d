import { describe, expect, it } from 'vitest';
import { correlogram, isiHistogram, meanWaveform, timeCourse, waveformSimilarity, waveformSummary } from './unit-stats';
import { Rng } from '../rng';

const FS = 30000;

/** Poisson-like train with a few sub-refractory doublets, in integer samples. */
function train(rng: Rng, n: number, meanGapS: number): Float64Array {
  const t = new Float64Array(n);
  let x = 0;
  for (let i = 0; i < n; i++) {
    x += rng.uniform() < 0.05 ? rng.int(40) : Math.round(rng.exponential(meanGapS * FS));
    t[i] = x;
  }
  return t;
}

/** All-pairs correlogram with the same bin convention, as the oracle. */
function bruteCorrelogram(a: Float64Array, b: Float64Array, auto: boolean, binMs: number, windowMs: number): number[] {
  const nHalf = Math.floor(windowMs / 2 / binMs + 1e-9);
  const counts = new Array(2 * nHalf + 1).fill(0);
  const binS = (binMs * FS) / 1000;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) {
    if (auto && i === j) continue;
    const lag = (b[j] - a[i]) / binS;
    const k = Math.sign(lag) * Math.round(Math.abs(lag)) + nHalf;
    if (k >= 0 && k <= 2 * nHalf) counts[k]++;
  }
  return counts;
}

describe('isiHistogram', () => {
  it('bins ISIs and counts refractory violations like a direct computation', () => {
    const t = train(new Rng(1), 3000, 0.01);
    const h = isiHistogram(t, FS, { binMs: 0.5, maxMs: 20, refractoryMs: 1.5 });
    const isiMs = Array.from({ length: t.length - 1 }, (_, i) => ((t[i + 1] - t[i]) * 1000) / FS);
    const want = new Array(40).fill(0);
    let over = 0;
    for (const d of isiMs) { const b = Math.floor(d / 0.5 + 1e-9); if (b < 40) want[b]++; else over++; }
    expect([...h.counts]).toEqual(want);
    expect(h.overflow).toBe(over);
    expect(h.nIsi).toBe(t.length - 1);
    const viol = isiMs.filter((d) => d < 1.5 - 1e-9).length;
    expect(viol).toBeGreaterThan(50);
    expect(h.violations).toBe(viol);
    expect(h.violationFraction).toBeCloseTo(viol / (t.length - 1), 12);
  });

  it('handles tiny trains, exact bin edges and bad input', () => {
    expect(isiHistogram(Float64Array.of(5), FS).nIsi).toBe(0);
    // 30 samples = 1 ms exactly: first sample of bin 2 at 0.5 ms bins, and not a violation at 1 ms.
    const h = isiHistogram(Int32Array.of(0, 30), FS, { binMs: 0.5, maxMs: 2, refractoryMs: 1 });
    expect([...h.counts]).toEqual([0, 0, 1, 0]);
    expect(h.violations).toBe(0);
    expect(() => isiHistogram(Int32Array.of(3, 1), FS)).toThrow(/not ascending/);
    expect(() => isiHistogram(Int32Array.of(1), 0)).toThrow(/sample rate/);
    expect(() => isiHistogram(Int32Array.of(1), FS, { binMs: 0 })).toThrow(/ISI bins/);
  });
});

describe('correlogram', () => {
  it('auto-correlogram matches all pairs and is symmetric', () => {
    const t = train(new Rng(2), 1500, 0.004);
    for (const [binMs, windowMs] of [[1, 50], [0.5, 20], [0.3, 10]]) {
      const c = correlogram(t, null, FS, { binMs, windowMs });
      expect([...c.counts]).toEqual(bruteCorrelogram(t, t, true, binMs, windowMs));
      expect([...c.counts]).toEqual([...c.counts].reverse());
      expect(c.lagsMs[(c.lagsMs.length - 1) / 2]).toBe(0);
    }
  });

  it('cross-correlogram matches all pairs, and swapping units mirrors it', () => {
    const rng = new Rng(3);
    const a = train(rng, 1200, 0.005);
    // b follows a by ~3 ms half of the time: a peak at +3 ms.
    const b = Float64Array.from([...a.filter((_, i) => i % 2 === 0).map((x) => x + 90 + rng.int(5)), ...train(rng, 600, 0.01)]).sort();
    const ab = correlogram(a, b, FS, { binMs: 1, windowMs: 40 });
    expect([...ab.counts]).toEqual(bruteCorrelogram(a, b, false, 1, 40));
    expect([...correlogram(b, a, FS, { binMs: 1, windowMs: 40 }).counts]).toEqual([...ab.counts].reverse());
    const peak = ab.counts.indexOf(Math.max(...ab.counts));
    expect(ab.lagsMs[peak]).toBe(3);
  });

  it('counts coincident spikes in the zero bin of a cross-correlogram', () => {
    const a = Int32Array.of(100, 1000, 5000);
    const c = correlogram(a, Int32Array.of(100, 1000, 5000), FS, { binMs: 1, windowMs: 2 });
    expect([...c.counts]).toEqual([0, 3, 0]);
    expect([...correlogram(a, null, FS, { binMs: 1, windowMs: 2 }).counts]).toEqual([0, 0, 0]);
  });
});

describe('timeCourse', () => {
  it('gives rate and amplitude statistics per bin, with a short last bin', () => {
    const rng = new Rng(4);
    const nSamples = 10.5 * FS;
    const t = Float64Array.from({ length: 800 }, () => rng.int(nSamples)).sort();
    const amp = Float32Array.from(t, (x) => -80 + x / FS + rng.normal());
    const tc = timeCourse(t, FS, nSamples, 2, amp);
    expect(tc.counts.length).toBe(6);
    for (let k = 0; k < 6; k++) {
      const sel = [...t.keys()].filter((i) => t[i] >= k * 2 * FS && t[i] < (k + 1) * 2 * FS);
      expect(tc.counts[k]).toBe(sel.length);
      expect(tc.rateHz[k]).toBeCloseTo(sel.length / (k === 5 ? 0.5 : 2), 10);
      const m = sel.reduce((s, i) => s + amp[i], 0) / sel.length;
      const sd = Math.sqrt(sel.reduce((s, i) => s + (amp[i] - m) ** 2, 0) / (sel.length - 1));
      expect(tc.ampMean[k]).toBeCloseTo(m, 9);
      expect(tc.ampSd[k]).toBeCloseTo(sd, 9);
    }
    expect(tc.startS[5]).toBe(10);
  });

  it('marks empty bins and rejects spikes outside the recording', () => {
    const tc = timeCourse(Int32Array.of(10), FS, 3 * FS, 1, Float32Array.of(-50));
    expect([...tc.counts]).toEqual([1, 0, 0]);
    expect(tc.ampSd[0]).toBe(0);
    expect(Number.isNaN(tc.ampMean[1])).toBe(true);
    expect(() => timeCourse(Int32Array.of(3 * FS), FS, 3 * FS, 1)).toThrow(/outside the recording/);
    expect(() => timeCourse(Int32Array.of(1), FS, FS, 1, Float32Array.of(1, 2))).toThrow(/2 amplitudes/);
  });
});

describe('waveformSummary', () => {
  it('computes mean and SD over the chosen rows and a reproducible sample', () => {
    const rng = new Rng(5);
    const width = 48, nRows = 500;
    const wf = Float32Array.from({ length: nRows * width }, (_, i) => 1000 + Math.sin(i % width) * 50 + rng.normal() * 3);
    const idx = Int32Array.from({ length: 200 }, (_, i) => i * 2 + 1);
    const s = waveformSummary(wf, width, idx, 30, new Rng(9));
    expect(s.n).toBe(200);
    for (let c = 0; c < width; c++) {
      const v = [...idx].map((r) => wf[r * width + c]);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
      expect(s.mean[c]).toBeCloseTo(m, 3);
      expect(s.sd[c]).toBeCloseTo(sd, 4);
    }
    expect(s.sampleIndices.length).toBe(30);
    expect(new Set(s.sampleIndices).size).toBe(30);
    for (const r of s.sampleIndices) expect(r % 2).toBe(1);
    expect([...s.samples.subarray(width, 2 * width)]).toEqual([...wf.subarray(s.sampleIndices[1] * width, (s.sampleIndices[1] + 1) * width)]);
    expect([...waveformSummary(wf, width, idx, 30, new Rng(9)).sampleIndices]).toEqual([...s.sampleIndices]);
    expect([...waveformSummary(wf, width, idx, 30, new Rng(10)).sampleIndices]).not.toEqual([...s.sampleIndices]);
  });

  it('handles small clusters and bad input', () => {
    const wf = Float32Array.of(1, 2, 3, 4);
    const s = waveformSummary(wf, 2, Int32Array.of(1), 10, new Rng(1));
    expect([...s.mean]).toEqual([3, 4]);
    expect([...s.sd]).toEqual([0, 0]);
    expect([...s.sampleIndices]).toEqual([1]);
    expect(() => waveformSummary(wf, 3, Int32Array.of(0), 1, new Rng(1))).toThrow(/width 3/);
    expect(() => waveformSummary(wf, 2, Int32Array.of(2), 1, new Rng(1))).toThrow(/outside/);
  });
});

describe('waveformSimilarity', () => {
  it('is the cosine of the mean waveforms: 1 for the same shape at any amplitude, -1 inverted, 0 orthogonal or flat', () => {
    const w = Float32Array.from([0, -1, -3, -1, 1, 0.5, 0, 0]);
    const rows = new Float32Array([...w, ...w.map((v) => 2 * v), ...w.map((v) => -v), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const m = (r: number[]): Float64Array => meanWaveform(rows, 8, Int32Array.from(r));
    expect(waveformSimilarity(m([0]), m([1]))).toBeCloseTo(1, 12);
    expect(waveformSimilarity(m([0, 1]), m([1]))).toBeCloseTo(1, 12);
    expect(waveformSimilarity(m([0]), m([2]))).toBeCloseTo(-1, 12);
    expect(waveformSimilarity(m([3]), Float64Array.from([0, 1, 0, 0, 0, 0, 0, 0]))).toBe(0);
    expect(waveformSimilarity(m([4]), m([0]))).toBe(0);
    expect(waveformSimilarity(m([]), m([0]))).toBe(0); // no spikes: NaN mean
    expect(Array.from(m([0, 1]))).toEqual(Array.from(w, (v) => 1.5 * v));
    expect(() => m([5])).toThrow(/spike index 5 is outside 0..4/);
  });
});
