// A second, independent ground truth for sorting, written from the recipe published by Quiroga,
// Nadasdy & Ben-Shaul (2004, Neural Computation 16:1661, section 3 "Simulated data"), not from the
// project's own generator (spikes.ts) and not from their code:
// - one channel at 24 kHz;
// - the spike shapes of the units and of the background are drawn from a library of many different
//   waveforms (theirs: 594 average spikes recorded in neocortex and basal ganglia; ours: 594 shapes
//   drawn once from a broad family of tri-phasic waveforms, see library());
// - every unit's spike has peak amplitude 1; three units per recording fire Poisson trains with a
//   refractory period (overlaps between units happen naturally at ~20 Hz each);
// - the "noise" is background activity: library spikes at random times with random amplitudes,
//   summed and scaled so that its standard deviation is the noise level (0.05-0.20 of the peak);
// - "easy" sets use three clearly different shapes, "difficult" sets three similar ones.
// The signal is scaled to microvolts (peak 100 uV by default) so the app's defaults apply as they
// would to a recording. The ground-truth time of a spike is its trough.

import { SpikeDeskError } from '../../shared/errors';
import { DEFAULT_FILTER } from '../../shared/params';
import { bandpassSos } from '../dsp/butter';
import { sosfiltfilt } from '../dsp/sos';
import { Rng } from '../rng';
import type { GroundTruthUnit, SpikeRecording } from './spikes';

export type QuirogaDifficulty = 'easy' | 'difficult';

export interface QuirogaOptions {
  seed: number;
  difficulty: QuirogaDifficulty;
  /** Standard deviation of the background relative to the units' peak amplitude (paper: 0.05-0.20, easy sets up to 0.40). */
  noiseLevel: number;
  durationS?: number;
  sampleRate?: number;
  /** Mean firing rate per unit in Hz (paper: ~20 Hz; the sets hold ~3500 spikes per minute for 3 units). */
  rateHz?: number;
  refractoryMs?: number;
  /** Peak amplitude of the units in uV. */
  peakUv?: number;
  /** Background spikes per second (dense enough that their sum looks like noise). */
  backgroundRateHz?: number;
}

/** Number of shapes in the library (the paper's database size). */
export const LIBRARY_SIZE = 594;
/** Waveform window around the trough, ms (the paper's spikes are ~2.5 ms long). */
const PRE_MS = 0.8;
const POST_MS = 1.8;

interface Shape { a0: number; t0: number; s0: number; s1: number; a2: number; t2: number; s2: number; a3: number; t3: number; s3: number }

/** Waveform of a shape at tMs from the trough, before peak normalisation. */
function shapeAt(s: Shape, tMs: number): number {
  const g = (t: number, w: number) => Math.exp(-0.5 * (t / w) * (t / w));
  // Initial positive phase, asymmetric trough, rebound, slow after-hyperpolarisation.
  const trough = -g(tMs, tMs < 0 ? s.s0 : s.s1);
  return s.a0 * g(tMs - s.t0, 0.09) + trough + s.a2 * g(tMs - s.t2, s.s2) - s.a3 * g(tMs - s.t3, s.s3);
}

/** The library: LIBRARY_SIZE shapes from a fixed seed (the same library for every recording). */
function library(): Shape[] {
  const r = new Rng(594);
  const u = (lo: number, hi: number) => lo + (hi - lo) * r.uniform();
  return Array.from({ length: LIBRARY_SIZE }, () => {
    const s0 = u(0.05, 0.2);
    return {
      a0: r.uniform() < 0.5 ? u(0, 0.35) : 0, t0: -u(0.15, 0.4), s0, s1: s0 * u(0.9, 2),
      a2: u(0.1, 0.7), t2: u(0.2, 0.8), s2: u(0.08, 0.4), a3: u(0, 0.15), t3: u(0.9, 1.4), s3: u(0.15, 0.3),
    };
  });
}

/** Waveform sampled every `step` ms over the window, trough -1. */
function sampled(s: Shape, step: number): Float64Array {
  const n = Math.round((PRE_MS + POST_MS) / step) + 1;
  const v = Float64Array.from({ length: n }, (_, i) => shapeAt(s, -PRE_MS + i * step));
  let m = 0;
  for (const x of v) m = Math.min(m, x);
  return v.map((x) => x / -m);
}

/** RMS difference of two peak-normalised shapes (best of +/- 0.1 ms alignment): how alike they look. */
function dissimilarity(a: Float64Array, b: Float64Array, lag: number): number {
  let best = Infinity;
  for (let l = -lag; l <= lag; l++) {
    let s = 0, n = 0;
    for (let i = Math.max(0, l); i < a.length && i - l < b.length; i++) { s += (a[i] - b[i - l]) ** 2; n++; }
    best = Math.min(best, Math.sqrt(s / n));
  }
  return best;
}

/**
 * Three library shapes. Easy: every pair differs by >= 0.25 RMS (of the peak); difficult: every pair
 * differs by 0.06-0.12 (similar shapes that careful sorting still tells apart at low noise). The
 * bands are a property of the test sets, not of the sorter, and were set before any sorting ran.
 */
function pickUnits(rng: Rng, lib: Shape[], difficulty: QuirogaDifficulty): number[] {
  const step = 0.02, lag = 5;
  const lo = difficulty === 'easy' ? 0.25 : 0.06, hi = difficulty === 'easy' ? Infinity : 0.12;
  const cache = new Map<number, Float64Array>();
  const get = (i: number) => { let v = cache.get(i); if (!v) { v = sampled(lib[i], step); cache.set(i, v); } return v; };
  for (let attempt = 0; attempt < 20000; attempt++) {
    const first = rng.int(lib.length);
    const chosen = [first];
    for (let tries = 0; tries < 400 && chosen.length < 3; tries++) {
      const c = rng.int(lib.length);
      if (chosen.includes(c)) continue;
      if (chosen.every((o) => { const d = dissimilarity(get(o), get(c), lag); return d >= lo && d <= hi; })) chosen.push(c);
    }
    if (chosen.length === 3) return chosen;
  }
  throw new SpikeDeskError({ code: 'INTERNAL', message: 'no unit triple found in the shape library', fix: 'use another seed' });
}

function train(rng: Rng, rate: number, refrS: number, durS: number, fs: number, marginS: number): Float64Array {
  const t: number[] = [];
  const gap = Math.max(1 / rate - refrS, 1e-4);
  for (let now = marginS + rng.exponential(gap); now < durS - marginS; now += refrS + rng.exponential(gap)) t.push(now * fs);
  return Float64Array.from(t);
}

export interface QuirogaRecording extends SpikeRecording {
  /** Library indices of the three units' shapes. */
  shapes: number[];
}

export function generateQuirogaRecording(o: QuirogaOptions): QuirogaRecording {
  const fs = o.sampleRate ?? 24000, dur = o.durationS ?? 60;
  if (!(dur > 0) || !(fs > 0) || !(o.noiseLevel > 0 && o.noiseLevel < 1)) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'Quiroga-style recording needs a positive duration and rate and a noise level in (0, 1)', fix: 'e.g. { seed: 1, difficulty: "easy", noiseLevel: 0.1 }' });
  }
  const nSamples = Math.round(dur * fs);
  const peakUv = o.peakUv ?? 100;
  const lib = library();
  const rng = new Rng((o.seed * 2654435761) ^ (o.difficulty === 'easy' ? 0x1e : 0xd1));
  const unitShapes = pickUnits(rng, lib, o.difficulty);
  const pre = Math.ceil((PRE_MS / 1000) * fs) + 1, post = Math.ceil((POST_MS / 1000) * fs) + 1;
  // A spike at continuous time t0 (samples) drawn with peak amplitude a (trough-normalised shape).
  const norm = lib.map((s) => { let m = 0; for (let k = -200; k <= 400; k++) m = Math.min(m, shapeAt(s, k * 0.005)); return -m; });
  const add = (out: Float64Array, s: number, t0: number, a: number) => {
    const first = Math.max(0, Math.ceil(t0 - pre)), last = Math.min(out.length - 1, Math.floor(t0 + post));
    const g = a / norm[s];
    for (let t = first; t <= last; t++) out[t] += g * shapeAt(lib[s], ((t - t0) / fs) * 1000);
  };

  // Background activity: library spikes (any shape) at Poisson times with amplitudes uniform in
  // [-0.5, 0.5] of the peak (both polarities, as in the paper's noise), then scaled to the noise level.
  const noise = new Float64Array(nSamples);
  const nb = Math.round((o.backgroundRateHz ?? 2000) * dur);
  for (let i = 0; i < nb; i++) add(noise, rng.int(lib.length), rng.uniform() * nSamples, rng.uniform() - 0.5);
  let ss = 0;
  for (let i = 0; i < nSamples; i++) ss += noise[i] * noise[i];
  const gain = o.noiseLevel / Math.sqrt(ss / nSamples);
  for (let i = 0; i < nSamples; i++) noise[i] *= gain;

  const signal = Float64Array.from(noise);
  const trains: Int32Array[] = [];
  const units: GroundTruthUnit[] = [];
  const refr = (o.refractoryMs ?? 2) / 1000;
  const sos = bandpassSos(DEFAULT_FILTER, fs);
  // SNR as in spikes.ts: peak |band-passed waveform| / band-passed background sigma (median-based).
  const fNoise = sosfiltfilt(sos, noise.subarray(0, Math.min(nSamples, 2 * fs)));
  const absN = Float64Array.from(fNoise, Math.abs).sort();
  const sigmaF = absN[Math.floor(absN.length / 2)] / 0.6745;
  unitShapes.forEach((s, id) => {
    const times = train(rng, o.rateHz ?? 20, refr, dur, fs, 0.005);
    for (const t of times) add(signal, s, t, 1);
    const tpl = new Float64Array(pre + post + 801);
    add(tpl, s, 400 + pre, 1);
    const ft = sosfiltfilt(sos, tpl);
    let peak = 0;
    for (const v of ft) peak = Math.max(peak, Math.abs(v));
    const templateUv = new Float32Array(pre + post + 1);
    for (let i = 0; i < templateUv.length; i++) templateUv[i] = peakUv * (shapeAt(lib[s], ((i - pre) / fs) * 1000) / norm[s]);
    units.push({ id, channel: 0, templateUv, peakIndex: pre, snr: peak / sigmaF, refractoryMs: refr * 1000, rateHz: o.rateHz ?? 20, bursty: false, similarTo: -1 });
    // Trough time: the shape's trough sits at t = 0 of shapeAt (its minimum is the trough term's).
    trains.push(Int32Array.from(times, Math.round));
  });
  const x = Float32Array.from(signal, (v) => v * peakUv);
  const check = (c: number, start: number, end: number): void => {
    if (c !== 0 || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > nSamples || end < start) {
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel ${c} samples [${start}, ${end}) are outside the 1 x ${nSamples} recording`, fix: 'request a range inside the recording' });
    }
  };
  return {
    sampleRate: fs, nChannels: 1, nSamples, units, trains, shapes: unitShapes,
    noiseSigmaUv: Float64Array.of(sigmaF * peakUv),
    channelBlock: (c, start, end) => { check(c, start, end); return x.slice(start, end); },
    channel: (c) => { check(c, 0, nSamples); return x.slice(); },
  };
}
