// Cross-channel low band of the all-epoch template (low-band.ts). A small synthetic recording built for
// the case it addresses: a rank-3 artifact (three waveforms mixed per channel, independent of frequency)
// with slices at 10.3 Hz, and EEG whose strongest part is one shared narrow-band source at the slice rate
// (coherent over tens of epochs, so the all-epoch template takes it up) plus independent noise per
// channel. The GLS low band must cut the EEG taken into the templates well below the per-channel
// template's, and the decision must refuse the model when the artifact has a part the rank-3 weights
// from the high band cannot carry (a low-frequency artifact component on some channels).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT } from '../../shared/params';
import { Rng } from '../rng';
import { correctChannel, correctChannelStreamed } from './chain';
import { FIT_RATIO_MAX, planLowBand } from './low-band';
import { compareWithClean } from './metrics';
import { prepareCorrection, type CorrectionPlan } from './plan';
import { median } from './triggers';

const FS = 1000, N_CH = 8, K = 480, PERIOD = 97.3;
const T0 = FS, N = Math.ceil(T0 + (K + 1) * PERIOD + FS);

function recording(seed: number, lowArtifact: boolean): { raw: Float32Array[]; clean: Float32Array[]; markers: number[] } {
  const rng = new Rng(seed);
  // Gradient-axis waveforms: narrow Gaussian-derivative pulses (broadband up to ~200 Hz).
  const pulses = [0, 1, 2].map(() => Array.from({ length: 6 }, () => ({ t: 5 + 85 * rng.uniform(), a: rng.normal(), w: 0.8 + rng.uniform() })));
  const wave = (ax: number, t: number): number => pulses[ax].reduce((s, p) => s - p.a * ((t - p.t) / p.w) * Math.exp(-0.5 * ((t - p.t) / p.w) ** 2), 0);
  const W = Array.from({ length: N_CH }, () => [rng.normal(), rng.normal(), rng.normal()].map((v) => 400 * v));
  // Shared EEG source: a resonator (AR(2)) at the slice rate with a 0.5 Hz bandwidth (an alpha rhythm
  // coherent over about 6 epochs).
  const om = (2 * Math.PI) / PERIOD, rho = Math.exp(-Math.PI * 0.5 / FS);
  const src = new Float64Array(N);
  for (let i = 2; i < N; i++) src[i] = 2 * rho * Math.cos(om) * src[i - 1] - rho * rho * src[i - 2] + rng.normal();
  const sd = Math.sqrt(src.reduce((a, v) => a + v * v, 0) / N);
  for (let i = 0; i < N; i++) src[i] *= 20 / sd;
  const pattern = Array.from({ length: N_CH }, () => 0.5 + rng.uniform());
  const onsets = Array.from({ length: K }, (_, k) => T0 + k * PERIOD + 0.37);
  const raw: Float32Array[] = [], clean: Float32Array[] = [];
  for (let c = 0; c < N_CH; c++) {
    const e = new Float32Array(N), x = new Float32Array(N);
    for (let i = 0; i < N; i++) e[i] = pattern[c] * src[i] + 3 * rng.normal();
    x.set(e);
    for (const t0 of onsets) {
      for (let i = Math.ceil(t0); i < t0 + PERIOD - 1; i++) {
        const t = i - t0;
        x[i] += W[c][0] * wave(0, t) + W[c][1] * wave(1, t) + W[c][2] * wave(2, t);
        // A slow artifact part (below 20 Hz) on half the channels, absent above the kept band.
        if (lowArtifact && c % 2 === 0) x[i] += 300 * Math.sin((Math.PI * t) / PERIOD) ** 2;
      }
    }
    raw.push(x); clean.push(e);
  }
  return { raw, clean, markers: onsets.map(Math.floor) };
}

function errors(d: ReturnType<typeof recording>, plan: CorrectionPlan): number[] {
  const p = { ...DEFAULT_CORRECT, window: K };
  return d.raw.map((x, c) => compareWithClean(correctChannel(x, FS, plan, p), d.clean[c], FS, plan.acqStart, plan.acqEnd).relRmse);
}

describe('cross-channel low band (GLS) of the all-epoch template', () => {
  it('removes most of the shared EEG the per-channel all-epoch template takes up', () => {
    const d = recording(41, false);
    const source = { count: N_CH, read: (i: number) => d.raw[i], of: [...Array(N_CH).keys()] };
    const plan = prepareCorrection(d.raw[0], FS, d.markers, { ...DEFAULT_CORRECT, window: K }, {}, source);
    const own = errors(d, plan);
    const lb = planLowBand(source, plan, null);
    expect(lb.model).not.toBeNull();
    expect(lb.fitRatio).toBeLessThan(FIT_RATIO_MAX);
    const gls = errors(d, { ...plan, lowBand: lb });
    console.log(`low band: ${lb.report}; median rel. RMSE ${median(own).toFixed(4)} -> ${median(gls).toFixed(4)}, worst ${Math.max(...own).toFixed(4)} -> ${Math.max(...gls).toFixed(4)}`);
    expect(median(own)).toBeGreaterThan(0.05);
    expect(median(gls)).toBeLessThan(0.4 * median(own));
    expect(Math.max(...gls)).toBeLessThan(0.5 * Math.max(...own));
    // Both modes give the same samples, and the plan survives the stage output's JSON (as workers get it).
    const p = { ...DEFAULT_CORRECT, window: K };
    const lbPlan = { ...plan, lowBand: lb };
    const whole = correctChannel(d.raw[3], FS, lbPlan, p);
    const sent = { ...plan, lowBand: JSON.parse(JSON.stringify(lb)) as typeof lb };
    const parts = new Float32Array(N);
    correctChannelStreamed((a, b) => d.raw[3].slice(a, b), N, FS, sent, p, 7001, (st, y) => parts.set(y, st));
    let diff = 0;
    for (let i = 0; i < N; i++) diff = Math.max(diff, Math.abs(whole[i] - parts[i]));
    expect(diff).toBeLessThan(1e-3);
    expect(whole).not.toEqual(correctChannel(d.raw[3], FS, plan, p));
  });

  it('is planned by the default chain when the chosen model uses the all-epoch template', () => {
    const d = recording(44, false);
    const shapes = { count: N_CH, read: (i: number) => d.raw[i], of: [0, 2, 4, 6] };
    const select = { count: 4, read: (i: number) => d.raw[2 * i], shapeSource: shapes };
    const plan = prepareCorrection(d.raw[0], FS, d.markers, DEFAULT_CORRECT, {}, select);
    expect(plan.templateChoice?.chosen).toMatch(/all|cross/);
    expect(plan.lowBand?.model).toBeTruthy();
    expect(plan.lowBand?.channels).toBe(N_CH);
    const off = prepareCorrection(d.raw[0], FS, d.markers, { ...DEFAULT_CORRECT, crossChannel: 'off' }, {}, select);
    expect(off.lowBand ?? null).toBeNull();
  });

  it('is not used when part of the artifact lies outside the rank-3 span measured above the band', () => {
    const d = recording(42, true);
    const source = { count: N_CH, read: (i: number) => d.raw[i], of: [...Array(N_CH).keys()] };
    const plan = prepareCorrection(d.raw[0], FS, d.markers, { ...DEFAULT_CORRECT, window: K }, {}, source);
    const lb = planLowBand(source, plan, null);
    console.log(`low band with a slow artifact part: ${lb.report}`);
    expect(lb.model).toBeNull();
    expect(lb.fitRatio).toBeGreaterThan(10 * FIT_RATIO_MAX);
  });

  it('is not tried with too few channels', () => {
    const d = recording(43, false);
    const source = { count: 4, read: (i: number) => d.raw[i], of: [0, 1, 2, 3] };
    const plan = prepareCorrection(d.raw[0], FS, d.markers, { ...DEFAULT_CORRECT, window: K }, {}, source);
    expect(planLowBand(source, plan, null).report).toMatch(/4 shape channels/);
  });
});
