import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { normalUpperQuantile, templateDetect } from './template-detect';
import { extractWaveforms } from './waveforms';

// One unit in white noise (sigma 1, so the identity whitens) whose spikes are half detected: the
// undetected half is what the template pass must find, and noise alone must give about the stated
// false-alarm rate.
const W = 40, PRE = 12, FS = 20_000;
const A = Float64Array.from({ length: W }, (_, j) => -5 * Math.exp(-0.5 * ((j - PRE) / 3) ** 2));

function scene(withSpikes: boolean) {
  const rng = new Rng(9);
  const n = 400_000;
  const x = Float32Array.from({ length: n }, () => rng.normal());
  const det: number[] = [], hidden: number[] = [];
  for (let t = 300; t < n - 400; t += 500) {
    if (withSpikes) for (let j = 0; j < W; j++) x[t - PRE + j] += A[j];
    (t % 1000 === 300 ? det : hidden).push(t);
  }
  const samples = Int32Array.from(det);
  const input = { samples, subSamples: Float64Array.from(samples), waveforms: extractWaveforms(x, samples, PRE, W - PRE), width: W, pre: PRE, labels: new Int32Array(det.length), k: 1, whitener: new Float64Array(0) };
  return { x, n, hidden, input };
}

const none = { samples: new Int32Array(0), labels: new Int32Array(0), amplitudes: new Float32Array(0), waveforms: new Float32Array(0) };
const opts = { rate: 1, sampleRate: FS, searchLag: 30, minLag: 4, refractory: 30, amplitudeQuantile: 0.01, medianRows: 2000 };

describe('template detection pass', () => {
  it('inverts the normal tail', () => {
    expect(normalUpperQuantile(0.025)).toBeCloseTo(1.959964, 4);
    expect(normalUpperQuantile(1e-6)).toBeCloseTo(4.753424, 3);
  });

  it('finds the spikes the threshold missed, as the unit, and nothing at the detections', () => {
    const s = scene(true);
    const got = templateDetect((a, b) => s.x.subarray(a, b), s.n, s.input, none, opts);
    const hit = s.hidden.filter((t) => got.samples.some((g) => Math.abs(g - t) <= 1)).length;
    expect(hit / s.hidden.length).toBeGreaterThan(0.97);
    expect(got.samples.length).toBeLessThan(s.hidden.length * 1.02 + 5);
    expect([...got.labels].every((l) => l === 0)).toBe(true);
    for (const t of s.input.samples) expect(got.samples.some((g) => Math.abs(g - t) < opts.minLag)).toBe(false);
    expect(got.waveforms.length).toBe(got.samples.length * W);
  });

  it('on noise alone adds next to nothing', () => {
    const s = scene(true);
    const noise = scene(false);
    // The unit's template from the spikes, run over a stretch of pure noise.
    const got = templateDetect((a, b) => noise.x.subarray(a, b), noise.n, { ...s.input, samples: new Int32Array([300]), subSamples: new Float64Array([300]), labels: new Int32Array([-1]) }, none, opts);
    expect(got.samples.length).toBe(0); // no unit has a spike: nothing to look for
    const tpl = templateDetect((a, b) => noise.x.subarray(a, b), noise.n, { ...s.input }, none, { ...opts, rate: 50 });
    // 20 s of noise at 50 false alarms per second would be ~1000 threshold crossings; the
    // likelihood-ratio rule (2g > |m|^2) removes almost all of them for a 5-sigma template.
    expect(tpl.samples.length).toBeLessThan(0.05 * 50 * (noise.n / FS));
  });
});
