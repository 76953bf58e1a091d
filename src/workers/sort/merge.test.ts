import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { countFollowers, mergeCoupledClusters } from './merge';

const fs = 30000;

/** Waveforms: the same shape scaled by amp (plus tiny noise), width 20. */
function shapes(amps: number[], rng: Rng, shape: (j: number) => number): Float32Array {
  const w = 20;
  const out = new Float32Array(amps.length * w);
  amps.forEach((a, r) => { for (let j = 0; j < w; j++) out[r * w + j] = a * shape(j) + 0.01 * rng.normal(); });
  return out;
}

describe('countFollowers', () => {
  it('counts b spikes lo..hi samples after a spikes', () => {
    expect(countFollowers([100, 1000], [160, 400, 1100, 1301], 60, 300)).toBe(3); // 160, 400 after 100; 1100 after 1000; 1301 too late
    expect(countFollowers([100], [50, 100, 159], 60, 300)).toBe(0);
  });
});

describe('mergeCoupledClusters', () => {
  const trough = (j: number) => -Math.exp(-0.5 * ((j - 8) / 1.5) ** 2) + 0.3 * Math.exp(-0.5 * ((j - 13) / 2.5) ** 2);
  const T = 60 * fs;

  it('moves burst followers to their parent and leaves an independent similar unit alone', () => {
    const rng = new Rng(3);
    const events: { t: number; label: number; amp: number; truth: string }[] = [];
    // Parent unit (label 0): 300 first spikes, 40 % followed by a smaller spike 4 ms later (label 1).
    for (let i = 0; i < 300; i++) {
      const t = 1000 + i * 5900 + rng.int(400);
      events.push({ t, label: 0, amp: 100, truth: 'P' });
      if (rng.uniform() < 0.4) events.push({ t: t + 120, label: 1, amp: 80, truth: 'P' });
    }
    // Independent unit with the same shape and the followers' amplitude (also label 1), 250 spikes.
    for (let i = 0; i < 250; i++) events.push({ t: 3000 + i * 7100 + rng.int(300), label: 1, amp: 80, truth: 'I' });
    events.sort((a, b) => a.t - b.t);
    const samples = Int32Array.from(events, (e) => e.t);
    const labels = Int32Array.from(events, (e) => e.label);
    const amplitudes = Float32Array.from(events, (e) => -e.amp);
    const wf = shapes(events.map((e) => e.amp), rng, trough);
    const done = mergeCoupledClusters(samples, labels, 2, wf, 20, fs, T, amplitudes);
    expect(done).toEqual([[0, 1]]);
    let followersMoved = 0, followers = 0, independentKept = 0;
    events.forEach((e, i) => {
      if (e.truth === 'P' && e.label === 1) { followers++; if (labels[i] === 0) followersMoved++; }
      if (e.truth === 'I' && labels[i] === 1) independentKept++;
    });
    expect(followersMoved).toBe(followers);
    // Only chance coincidences move: parent rate 5 Hz x 8 ms window ~ 4-5 % of the independent spikes.
    expect(independentKept).toBeGreaterThan(250 * 0.92);
  });

  it('does nothing for uncoupled clusters or different shapes', () => {
    const rng = new Rng(4);
    const n = 400;
    const samples = Int32Array.from({ length: n }, (_, i) => 500 + i * 4000 + rng.int(100));
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const amplitudes = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -60 : -100));
    const wf = shapes(Array.from(amplitudes, (a) => -a), rng, trough);
    expect(mergeCoupledClusters(samples, labels, 2, wf, 20, fs, T, amplitudes)).toEqual([]);
    // Coupled in time but a different waveform (positive-going shape for label 1): no merge.
    const times: number[] = [], labs: number[] = [];
    for (let i = 0; i < 200; i++) { times.push(1000 + i * 8000, 1000 + i * 8000 + 150); labs.push(0, 1); }
    const wf2 = new Float32Array(400 * 20);
    for (let r = 0; r < 400; r++) for (let j = 0; j < 20; j++) wf2[r * 20 + j] = labs[r] ? -trough(j) * 50 : trough(j) * 100;
    const l2 = Int32Array.from(labs);
    expect(mergeCoupledClusters(Int32Array.from(times), l2, 2, wf2, 20, fs, T, Float32Array.from(labs, (l) => (l ? -50 : -100)))).toEqual([]);
    expect(Array.from(l2)).toEqual(labs);
  });
});

describe('mergeCloseClusters', () => {
  it('joins clusters whose means are closer than the distance and keeps the others', async () => {
    const { mergeCloseClusters } = await import('./merge');
    const rng = new Rng(9);
    const centres = [[0, 0], [1, 0.5], [6, 0]];
    const f: number[] = [], l: number[] = [];
    centres.forEach((c, k) => { for (let i = 0; i < 50; i++) { f.push(c[0] + 0.1 * rng.normal(), c[1] + 0.1 * rng.normal()); l.push(k); } });
    const labels = Int32Array.from(l);
    expect(mergeCloseClusters(Float32Array.from(f), 2, labels, 3, 2)).toEqual([[0, 1]]);
    expect(new Set(labels)).toEqual(new Set([0, 2]));
    expect(mergeCloseClusters(Float32Array.from(f), 2, Int32Array.from(l), 3, 1)).toEqual([]);
  });
});
