import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT, type CorrectParams } from '../../shared/params';
import { SpikeDeskError } from '../../shared/errors';
import { generateEegFmri } from '../synth/eeg-fmri';
import { correctChannel, correctChannelStreamed, type ChannelSummary } from './chain';
import { prepareCorrection } from './plan';
import { compareWithClean, rms } from './metrics';

// 30 s: 3 s clean, 12 volumes of 20 slices, 3 s clean.
const rec = generateEegFmri({ seed: 21, nChannels: 2, durationS: 30, cleanBeforeS: 3, cleanAfterS: 3 });
const n = rec.nSamples;
const x = rec.channelBlock(1, 0, n);
const clean = rec.cleanBlock(1, 0, n);
const markers = Array.from(rec.truth.onsets, Math.floor);
const ref = rec.channelBlock(0, 0, n);

function streamed(p: CorrectParams, section: number, plan = prepareCorrection(ref, rec.fs, markers, p)): Float32Array {
  const out = new Float32Array(n);
  let next = 0;
  correctChannelStreamed((a, b) => x.slice(a, b), n, rec.fs, plan, p, section, (s, d) => {
    expect(s).toBe(next);
    out.set(d, s);
    next = s + d.length;
  });
  expect(next).toBe(n);
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(a[i])); }
  return d / m;
}

describe('global alignment', () => {
  it('recovers the true fractional slice onsets from whole-sample markers', () => {
    const plan = prepareCorrection(ref, rec.fs, markers, DEFAULT_CORRECT);
    const d = Array.from(plan.positions, (p, i) => p - rec.truth.onsets[i]);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const spread = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    // Markers are off by up to one sample; aligned positions agree with the truth up to a common offset.
    const raw = markers.map((m, i) => m - rec.truth.onsets[i]);
    const rawMean = raw.reduce((s, v) => s + v, 0) / raw.length;
    expect(Math.sqrt(raw.reduce((s, v) => s + (v - rawMean) ** 2, 0) / raw.length)).toBeGreaterThan(0.2);
    expect(spread).toBeLessThan(0.01);
    expect(plan.acqStart).toBeLessThanOrEqual(Math.floor(rec.truth.onsets[0]));
  });
});

describe('correction chain', () => {
  const full: CorrectParams = { ...DEFAULT_CORRECT, obsComponents: 4, lowpassHz: 70 };

  it('leaves data outside the acquisition window bit-identical and removes the artifact inside', () => {
    const plan = prepareCorrection(ref, rec.fs, markers, full);
    const summary = {} as ChannelSummary;
    const y = correctChannel(x, rec.fs, plan, full, summary);
    for (let i = 0; i < plan.acqStart; i++) expect(y[i]).toBe(x[i]);
    for (let i = plan.acqEnd; i < n; i++) expect(y[i]).toBe(x[i]);
    const cmp = compareWithClean(y, clean, rec.fs, plan.acqStart, plan.acqEnd);
    expect(cmp.corr).toBeGreaterThan(0.95);
    expect(rms(x, plan.acqStart, plan.acqEnd) / rms(y, plan.acqStart, plan.acqEnd)).toBeGreaterThan(5);
    expect(summary.obs?.k).toBe(4);
  });

  it.each([7919, 50_000, 400_000])('low-memory sections of %i samples equal the whole-channel result (1e-6)', (section) => {
    const plan = prepareCorrection(ref, rec.fs, markers, full);
    const whole = correctChannel(x, rec.fs, plan, full);
    expect(maxRelDiff(whole, streamed(full, section, plan))).toBeLessThan(1e-6);
  });

  it('streams equally with FARM, explained-variance OBS and ANC', () => {
    const p: CorrectParams = { ...full, engine: 'upsampled', window: 30, farm: true, anc: true };
    const plan = prepareCorrection(ref, rec.fs, markers, p, { obsVariance: 0.9 });
    const s: ChannelSummary = { epochs: 0, obs: null, sections: 0 };
    const whole = correctChannel(x, rec.fs, plan, p, s);
    expect(s.obs!.explained).toBeGreaterThanOrEqual(0.9);
    expect(maxRelDiff(whole, streamed(p, 33_333, plan))).toBeLessThan(1e-6);
    // ANC is optional; it must at least not break the correction.
    expect(compareWithClean(whole, clean, rec.fs, plan.acqStart, plan.acqEnd).corr).toBeGreaterThan(0.95);
  });

  it('rejects inputs that do not belong to the plan', () => {
    const plan = prepareCorrection(ref, rec.fs, markers, full);
    expect(() => correctChannel(x.subarray(1), rec.fs, plan, full)).toThrow(SpikeDeskError);
    expect(() => correctChannel(x, 1000, plan, full)).toThrow(/sample rate/);
    expect(() => correctChannelStreamed((a, b) => x.slice(a, b), n, rec.fs, plan, full, 0, () => undefined)).toThrow(/section/);
    expect(() => prepareCorrection(ref, rec.fs, [markers[0]], full)).toThrow(expect.objectContaining({ code: 'NO_TRIGGERS' }));
    expect(() => prepareCorrection(ref, rec.fs, [...markers, n - 5], full)).toThrow(expect.objectContaining({ code: 'BAD_SAMPLES' }));
  });
});
