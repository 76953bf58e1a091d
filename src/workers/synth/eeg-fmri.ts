// Deterministic synthetic EEG recorded inside an MRI scanner, with the clean EEG kept for scoring.
// EEG = shared alpha/theta/beta sources mixed into every channel + a per-channel 1/f process
// (spectrally shaped noise at ~500 Hz, overlap-added with power-complementary sine windows, then
// cubic-interpolated to the output rate) + slow drift + an amplifier noise floor.
// Artifact = induced voltage of an EPI slice's gradients, made in continuous time: dG/dt of trapezoids
// for x/y/z (edges slightly rounded), minus an eddy-current term (first-order decay), then an
// analog-style causal Butterworth low-pass (the amplifier's anti-alias filter, 250 Hz order 5) run at 32x the
// output rate, so each slice's waveform has a tail and consecutive slices overlap: nothing is cut per
// slice. It is mixed per channel by axis weights that are modulated over time: in the 'stationary'
// regime all axes by one common factor (only the amplitude varies), in the 'drifting' regime each axis
// independently and strongly (slow head motion changes the shape, so a long averaging window is wrong). Onsets are fractional samples (slice period
// and TR are not whole numbers of samples, plus a scanner/amplifier clock mismatch), while markers
// and the stim channel sit at whole samples: that jitter is why sub-sample alignment matters.
// Every block is a pure function of (seed, channel, sample range), so a 20-min file can be written
// in blocks and re-read identically.

import type { ChannelInfo, EventMark, RecordingMeta } from '../../shared/recording';
import { SpikeDeskError } from '../../shared/errors';
import { fft } from '../correct/fft';
import { Rng } from '../rng';

export interface EegFmriOptions {
  seed?: number;
  nChannels?: number;
  /** Output sample rate in Hz (>= 2000). */
  fs?: number;
  durationS?: number;
  /** Artifact-free EEG before the first and after the last volume. */
  cleanBeforeS?: number;
  cleanAfterS?: number;
  trS?: number;
  slicesPerVolume?: number;
  /** Slice period in seconds; the default is 450.37 samples at 5 kHz (not a whole number). */
  slicePeriodS?: number;
  /** Per-channel peak artifact / EEG RMS, drawn log-uniformly from this range. */
  artifactRatio?: [number, number];
  eegRmsUv?: number;
  /** Leave one slice marker out (in the middle of a volume, mid-recording). */
  dropTrigger?: boolean;
  /** Markers per slice or per volume. */
  markers?: 'slice' | 'volume';
  markerLabel?: string;
  /** Aperiodic exponent chi of the EEG power spectrum 1/f^chi (resting EEG: about 1-2). */
  aperiodicExponent?: number;
  /** 'stationary': only the artifact amplitude varies; 'drifting': its shape drifts slowly (motion, each
   * channel's axes on their own courses); 'gradient-drift': each gradient axis's amplitude drifts on one
   * course shared by every channel (e.g. gradient heating), so the drift is low-rank across channels. */
  regime?: 'stationary' | 'drifting' | 'gradient-drift';
  /** Gap from the last slice of a volume to the next volume's first slice, in slice periods (sets the
   * slice period from TR when slicePeriodS is not given). */
  volumeGap?: number;
  /** Add one spurious marker in the middle of a slice (mid-recording). */
  spuriousTrigger?: boolean;
  /** Corner (Hz) and order of the analog anti-alias low-pass. */
  analogLowpassHz?: number;
  analogLowpassOrder?: number;
}

export interface EegFmriTruth {
  /** True artifact onset of every slice, fractional samples. */
  onsets: Float64Array;
  volumeOf: Int32Array;
  /** Index into onsets of the slice whose marker was left out (-1 if none). */
  dropped: number;
  /** Sample of the spurious marker (-1 if none). */
  spurious: number;
  regime: 'stationary' | 'drifting' | 'gradient-drift';
  acqStart: number;
  acqEnd: number;
  slicePeriodSamples: number;
  sliceFreqHz: number;
  /** Peak artifact / EEG RMS per channel. */
  ratio: Float64Array;
  eegRmsUv: Float64Array;
}

export interface EegFmriRecording {
  fs: number;
  nSamples: number;
  nChannels: number;
  channelNames: string[];
  /** Recorded EEG channel c (uV): clean EEG + gradient artifact. */
  channelBlock(c: number, start: number, end: number): Float32Array;
  cleanBlock(c: number, start: number, end: number): Float32Array;
  artifactBlock(c: number, start: number, end: number): Float32Array;
  /** Stim/status channel: 1 for 5 samples at each marker, else 0. */
  stimBlock(start: number, end: number): Float32Array;
  events: EventMark[];
  /** Metadata as a Source would report it (EEG channels, then the stim channel 'STI'). */
  meta: RecordingMeta;
  truth: EegFmriTruth;
}

const LOW_RATE = 500;
const CHUNK = 1024;
const HOP = CHUNK / 2;
const NOISE_BLOCK = 4096;
const N_SHARED = 3;
const GRID_Q = 32;
const SMOOTH_S = 0.03e-3;
const WAVE_T0_S = -1e-3;
/** The slice waveform's gradients end at ~50 ms; the table runs on to hold the filters' tails. */
const WAVE_T1_S = 95e-3;
const GRADIENTS_END_S = 53e-3;
/** Eddy currents: a fraction of each dG/dt step that decays with this time constant. */
const EDDY_FRACTION = 0.08;
const EDDY_TAU_S = 3e-3;
/** The amplifier's hardware anti-alias filter: 250 Hz, 30 dB/octave (order 5), as MR-compatible EEG
 * amplifiers sampling at 5 kHz typically have (e.g. the BrainAmp MR's hardware high cut-off). */
const ANALOG_LOWPASS_HZ = 250;
const ANALOG_LOWPASS_ORDER = 5;

function mix(...v: number[]): number {
  let h = 0x811c9dc5;
  for (const x of v) {
    h = Math.imul(h ^ (x | 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

/** Abramowitz-Stegun 7.1.26 erf (|error| < 1.5e-7), smooth enough for a waveform table. */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

interface Ramp { axis: number; t0: number; dur: number; dG: number }

/** One EPI slice: fat-sat spoiler, slice select + refocus, prephasers, 64 readout lines with blips, crushers. */
function sliceRamps(): Ramp[] {
  const r: Ramp[] = [];
  const trap = (axis: number, start: number, rise: number, flat: number, amp: number): number => {
    r.push({ axis, t0: start, dur: rise, dG: amp }, { axis, t0: start + rise + flat, dur: rise, dG: -amp });
    return start + 2 * rise + flat;
  };
  const ms = 1e-3;
  trap(2, 1.5 * ms, 0.3 * ms, 2 * ms, 0.8);
  const ss = trap(2, 4.5 * ms, 0.2 * ms, 2.6 * ms, 1.0);
  trap(2, ss, 0.2 * ms, 0.8 * ms, -0.9);
  trap(0, 7.6 * ms, 0.15 * ms, 0.5 * ms, -0.7);
  trap(1, 7.6 * ms, 0.15 * ms, 0.4 * ms, -0.5);
  let t = 9 * ms;
  for (let line = 0; line < 64; line++) {
    t = trap(0, t, 0.1 * ms, 0.42 * ms, line % 2 === 0 ? 1 : -1);
    if (line < 63) trap(1, t - 0.05 * ms, 0.05 * ms, 0, 0.08);
  }
  trap(2, t + 0.5 * ms, 0.3 * ms, 1.5 * ms, 1.2);
  trap(0, t + 0.5 * ms, 0.3 * ms, 1.5 * ms, 0.6);
  return r;
}

/** dG/dt per axis (edges rounded by a narrow Gaussian), eddy currents, analog low-pass; at fs*GRID_Q from WAVE_T0_S. */
function waveTables(fs: number, lowpassHz: number, order: number): Float64Array[] {
  const h = 1 / (fs * GRID_Q);
  const n = Math.ceil((WAVE_T1_S - WAVE_T0_S) / h) + 4;
  const tabs = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const k = 1 / (Math.SQRT2 * SMOOTH_S);
  for (const rp of sliceRamps()) {
    const tab = tabs[rp.axis];
    const height = rp.dG / rp.dur;
    const j0 = Math.max(0, Math.floor((rp.t0 - 8 * SMOOTH_S - WAVE_T0_S) / h));
    const j1 = Math.min(n, Math.ceil((rp.t0 + rp.dur + 8 * SMOOTH_S - WAVE_T0_S) / h));
    for (let j = j0; j < j1; j++) {
      const tau = WAVE_T0_S + j * h;
      tab[j] += 0.5 * height * (erf((tau - rp.t0) * k) - erf((tau - rp.t0 - rp.dur) * k));
    }
  }
  for (const tab of tabs) analog(tab, h, lowpassHz, order);
  return tabs;
}

/**
 * In place: subtract the eddy-current term, then a causal Butterworth low-pass, both at the
 * table's rate (32x the output rate, so the bilinear transform is close to the analog filter).
 */
function analog(x: Float64Array, h: number, fc: number, order: number): void {
  const r = Math.exp(-h / EDDY_TAU_S);
  let e = 0;
  for (let j = 0; j < x.length; j++) { e = r * e + (1 - r) * x[j]; x[j] -= EDDY_FRACTION * e; }
  // Butterworth of order `order` as cascaded sections (bilinear; the table rate is 32x the output rate).
  const K = Math.tan(Math.PI * fc * h);
  const sections: Array<[number, number]> = [];
  for (let i = 0; i < Math.floor(order / 2); i++) sections.push([2, 2 * Math.sin((Math.PI * (2 * i + 1)) / (2 * order))]);
  if (order % 2) sections.push([1, 0]);
  for (const [ord, q] of sections) {
    if (ord === 1) {
      const n = 1 / (1 + K), b0 = K * n, a1 = (K - 1) * n;
      let x1 = 0, y1 = 0;
      for (let j = 0; j < x.length; j++) { const v = x[j]; const y = b0 * v + b0 * x1 - a1 * y1; x1 = v; y1 = y; x[j] = y; }
      continue;
    }
    const n = 1 / (1 + q * K + K * K);
    const b0 = K * K * n, b1 = 2 * b0, b2 = b0, a1 = 2 * (K * K - 1) * n, a2 = (1 - q * K + K * K) * n;
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (let j = 0; j < x.length; j++) {
      const v = x[j];
      const y = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1; x1 = v; y2 = y1; y1 = y;
      x[j] = y;
    }
  }
}

function catmull(y0: number, y1: number, y2: number, y3: number, f: number): number {
  return y1 + 0.5 * f * (y2 - y0 + f * (2 * y0 - 5 * y1 + 4 * y2 - y3 + f * (3 * (y1 - y2) + y3 - y0)));
}

/** Amplitude spectrum of EEG source p at frequency f (Hz); power falls as 1/f^chi. */
function sourceShape(p: number, f: number, chi: number): number {
  const g = (f0: number, w: number): number => Math.exp(-0.5 * ((f - f0) / w) ** 2);
  const pink = Math.max(f, 0.5) ** (-chi / 2);
  const roll = 1 / Math.sqrt(1 + (f / 120) ** 4);
  switch (p) {
    case 0: return 0.15 * pink + 1.2 * g(10, 0.9);
    case 1: return pink * roll + 0.5 * g(6, 1.2);
    case 2: return 0.1 * pink + 0.5 * g(20, 3);
    default: return pink * roll;
  }
}

export function generateEegFmri(o: EegFmriOptions = {}): EegFmriRecording {
  const seed = o.seed ?? 1;
  const nCh = o.nChannels ?? 32;
  const fs = o.fs ?? 5000;
  const dur = o.durationS ?? 120;
  const trS = o.trS ?? 2;
  const spv = o.slicesPerVolume ?? 20;
  const gap = o.volumeGap ?? 1.6;
  // Default slice period: the slices and the gap fill the TR (e.g. 485.4 samples at 5 kHz, TR 2 s).
  const T = o.slicePeriodS !== undefined ? o.slicePeriodS * fs : (trS * fs) / (spv - 1 + gap);
  const regime = o.regime ?? 'stationary';
  const [rLo, rHi] = o.artifactRatio ?? [100, 1000];
  const bad = (message: string, fix: string): never => { throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix }); };
  if (!(fs >= 2000)) bad(`sample rate ${fs} Hz is below 2 kHz`, 'use 2000 Hz or more (5000 is usual for EEG-fMRI)');
  if (!(gap >= 1)) bad(`volume gap ${gap} slice periods is below 1`, 'use 1 (no gap) or more');
  if (!((spv - 1) * T + T * Math.min(gap, 1) <= trS * fs + 1e-9)) bad('slices do not fit into one TR', 'lower slicesPerVolume or the slice period');
  if (!(T / fs > GRADIENTS_END_S + 0.005)) bad('slice period is shorter than the EPI slice waveform', 'use a slice period of at least 60 ms');
  const chi = o.aperiodicExponent ?? 1.5;
  const nSamples = Math.round(dur * fs);
  const rng = new Rng(mix(seed, 7));
  const D = Math.max(1, Math.round(fs / LOW_RATE));
  const fsLow = fs / D;

  // Slice timing: fractional onsets, a clock mismatch so that TR in samples is fractional too.
  const clock = 1 + 37e-6;
  const acq0 = (o.cleanBeforeS ?? 10) * fs + 0.3141;
  const nVol = Math.floor(((dur - (o.cleanBeforeS ?? 10) - (o.cleanAfterS ?? 10)) * fs) / (trS * fs * clock));
  if (nVol < 1) bad('no room for a single volume', 'make the recording longer or the clean margins shorter');
  const onsets = new Float64Array(nVol * spv);
  const volumeOf = new Int32Array(nVol * spv);
  for (let v = 0; v < nVol; v++) {
    for (let s = 0; s < spv; s++) {
      onsets[v * spv + s] = acq0 + (v * trS * fs + s * T) * clock;
      volumeOf[v * spv + s] = v;
    }
  }
  const dropped = (o.dropTrigger ?? true) && nVol >= 2 ? Math.floor(nVol / 2) * spv + Math.floor(spv / 3) : -1;
  const markerKind = o.markers ?? 'slice';
  const label = o.markerLabel ?? 'Response/R128';
  const markerSamples: number[] = [];
  for (let i = 0; i < onsets.length; i++) {
    if (i === dropped && markerKind === 'slice') continue;
    if (markerKind === 'volume' && i % spv !== 0) continue;
    markerSamples.push(Math.floor(onsets[i]));
  }
  // A spurious marker (e.g. a second device on the trigger line) 43 % into a slice, a third of the way in.
  const spurious = o.spuriousTrigger && onsets.length > 3 ? Math.floor(onsets[Math.floor(onsets.length / 3) + 1] + 0.43 * T) : -1;
  if (spurious >= 0) { markerSamples.push(spurious); markerSamples.sort((a, b) => a - b); }
  const events: EventMark[] = [{ sample: 0, duration: 0, label: 'New Segment/' }];
  for (let t = 3 * fs; t < nSamples; t += Math.round((5 + 4 * rng.uniform()) * fs)) events.push({ sample: t, duration: 0, label: 'Stimulus/S  1' });
  for (const s of markerSamples) events.push({ sample: s, duration: 1, label });
  events.sort((a, b) => a.sample - b.sample);

  // Per-channel EEG level, source mixing, drift, artifact weights and slow modulation.
  const eegRms = Float64Array.from({ length: nCh }, () => (o.eegRmsUv ?? 20) * (0.75 + 0.5 * rng.uniform()));
  const mixW = Array.from({ length: nCh }, (_, c) => {
    const occ = c / Math.max(1, nCh - 1);
    const w = [0.3 + 0.9 * occ * rng.uniform(), 0.3 + 0.5 * rng.uniform(), 0.2 + 0.4 * rng.uniform(), 0.6 + 0.4 * rng.uniform()];
    const norm = Math.hypot(...w);
    return w.map((x) => x / norm);
  });
  const drift = Array.from({ length: nCh }, () => Array.from({ length: 3 }, () => ({
    f: 0.005 + 0.075 * rng.uniform(), a: 20 + 40 * rng.uniform(), ph: 2 * Math.PI * rng.uniform(),
  })));
  const tabs = waveTables(fs, o.analogLowpassHz ?? ANALOG_LOWPASS_HZ, o.analogLowpassOrder ?? ANALOG_LOWPASS_ORDER);
  const ratio = Float64Array.from({ length: nCh }, () => rLo * Math.pow(rHi / rLo, rng.uniform()));
  const axisW = Array.from({ length: nCh }, (_, c) => {
    const u = [rng.normal(), rng.normal(), rng.normal()];
    const n = Math.hypot(...u);
    const dir = u.map((x) => x / n);
    let peak = 0;
    for (let j = 0; j < tabs[0].length; j++) peak = Math.max(peak, Math.abs(dir[0] * tabs[0][j] + dir[1] * tabs[1][j] + dir[2] * tabs[2][j]));
    return dir.map((x) => (x * ratio[c] * eegRms[c]) / peak);
  });
  // Slow modulation of the axis weights: two sinusoids per axis. Stationary: one common factor for the
  // three axes (amplitude only, 1-4 %); drifting: per axis, 10-30 % over 1-3.3 min (the shape changes).
  const moving = regime !== 'stationary';
  const modul = Array.from({ length: nCh }, () => {
    const one = (): Array<{ p: number; a: number; ph: number }> => Array.from({ length: 2 }, () => ({
      p: (moving ? 60 + 140 * rng.uniform() : 20 + 60 * rng.uniform()) * fs,
      a: moving ? 0.1 + 0.2 * rng.uniform() : 0.01 + 0.03 * rng.uniform(), ph: 2 * Math.PI * rng.uniform(),
    }));
    const common = one();
    return [0, 1, 2].map(() => (moving ? one() : common));
  });
  // 'gradient-drift': the same per-axis courses on every channel (drawn from their own stream, so the
  // other regimes' draws are unchanged).
  if (regime === 'gradient-drift') {
    const r2 = new Rng(mix(seed, 404));
    const axes = [0, 1, 2].map(() => Array.from({ length: 2 }, () => ({ p: (60 + 140 * r2.uniform()) * fs, a: 0.1 + 0.2 * r2.uniform(), ph: 2 * Math.PI * r2.uniform() })));
    for (let c = 0; c < nCh; c++) modul[c] = axes;
  }

  // Lazy EEG sources at the low rate: chunk m covers low samples [(m-1)HOP, (m+1)HOP).
  const chunkCache = new Map<string, Float64Array>();
  const win = Float64Array.from({ length: CHUNK }, (_, n) => Math.sin((Math.PI * (n + 0.5)) / CHUNK));
  const shapeCache = new Map<number, Float64Array>();
  const shapeOf = (p: number): Float64Array => {
    const key = Math.min(p, N_SHARED);
    let a = shapeCache.get(key);
    if (!a) {
      a = new Float64Array(CHUNK);
      let ss = 0;
      for (let k = 0; k < CHUNK; k++) {
        const f = (Math.min(k, CHUNK - k) * fsLow) / CHUNK;
        a[k] = k === 0 ? 0 : sourceShape(key, f, chi);
        ss += a[k] * a[k];
      }
      const scale = 1 / Math.sqrt(ss / CHUNK);
      for (let k = 0; k < CHUNK; k++) a[k] *= scale;
      shapeCache.set(key, a);
    }
    return a;
  };
  const chunk = (p: number, m: number): Float64Array => {
    const key = `${p}:${m}`;
    let y = chunkCache.get(key);
    if (y) return y;
    const r = new Rng(mix(seed, 101, p, m));
    const re = new Float64Array(CHUNK);
    const im = new Float64Array(CHUNK);
    for (let i = 0; i < CHUNK; i++) re[i] = r.normal();
    fft(re, im);
    const a = shapeOf(p);
    for (let k = 0; k < CHUNK; k++) { re[k] *= a[k]; im[k] *= a[k]; }
    fft(re, im, true);
    y = new Float64Array(CHUNK);
    for (let i = 0; i < CHUNK; i++) y[i] = (re[i] / CHUNK) * win[i];
    if (chunkCache.size > 256) chunkCache.delete(chunkCache.keys().next().value!);
    chunkCache.set(key, y);
    return y;
  };
  const lowSource = (p: number, j0: number, j1: number, out: Float64Array, w: number): void => {
    for (let m = Math.floor(j0 / HOP); m <= Math.floor((j1 - 1) / HOP) + 1; m++) {
      const y = chunk(p, m);
      const base = (m - 1) * HOP;
      const a = Math.max(j0, base);
      const b = Math.min(j1, base + CHUNK);
      for (let j = a; j < b; j++) out[j - j0] += w * y[j - base];
    }
  };

  const checkRange = (c: number, start: number, end: number, nc: number): void => {
    if (!(Number.isInteger(c) && c >= 0 && c < nc)) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel ${c} does not exist`, fix: `use 0..${nc - 1}` });
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= nSamples && start <= end))
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `window ${start}..${end} is outside 0..${nSamples}`, fix: 'request a window inside the recording' });
  };

  const cleanBlock = (c: number, start: number, end: number): Float32Array => {
    checkRange(c, start, end, nCh);
    const out = new Float32Array(end - start);
    if (end === start) return out;
    const j0 = Math.floor(start / D) - 1;
    const j1 = Math.floor((end - 1) / D) + 3;
    const low = new Float64Array(j1 - j0);
    for (let p = 0; p < N_SHARED; p++) lowSource(p, j0, j1, low, mixW[c][p]);
    lowSource(N_SHARED + c, j0, j1, low, mixW[c][N_SHARED]);
    const g = eegRms[c];
    // Drift (< 0.1 Hz) is added at the low rate: cubic interpolation reproduces it exactly enough.
    for (let q = 0; q < low.length; q++) {
      let v = g * low[q];
      for (const d of drift[c]) v += d.a * Math.sin((2 * Math.PI * d.f * (j0 + q) * D) / fs + d.ph);
      low[q] = v;
    }
    for (let i = start; i < end; i++) {
      const t = i / D;
      const j = Math.floor(t);
      const q = j - j0;
      out[i - start] = catmull(low[q - 1], low[q], low[q + 1], low[q + 2], t - j);
    }
    for (let b = Math.floor(start / NOISE_BLOCK); b * NOISE_BLOCK < end; b++) {
      const r = new Rng(mix(seed, 202, c, b));
      for (let i = b * NOISE_BLOCK; i < (b + 1) * NOISE_BLOCK; i++) {
        const v = 0.7 * r.normal();
        if (i >= start && i < end) out[i - start] += v;
      }
    }
    return out;
  };

  const h = fs * GRID_Q;
  const artifactInto = (c: number, start: number, end: number, out: Float32Array): void => {
    const lo = start - WAVE_T1_S * fs - 1;
    let k = 0;
    let a = 0, b = onsets.length;
    while (a < b) { const mid = (a + b) >> 1; if (onsets[mid] < lo) a = mid + 1; else b = mid; }
    k = a;
    const tab0 = tabs[0], tab1 = tabs[1], tab2 = tabs[2];
    for (; k < onsets.length && onsets[k] + WAVE_T0_S * fs < end; k++) {
      const t0 = onsets[k];
      const w = axisW[c].map((x, ax) => x * modul[c][ax].reduce((f, m) => f + m.a * Math.sin((2 * Math.PI * t0) / m.p + m.ph), 1));
      const i0 = Math.max(start, Math.ceil(t0 + WAVE_T0_S * fs) + 1);
      const i1 = Math.min(end, Math.floor(t0 + WAVE_T1_S * fs) - 1);
      for (let i = i0; i < i1; i++) {
        const pos = ((i - t0) / fs - WAVE_T0_S) * h;
        const j = Math.floor(pos);
        const f = pos - j;
        out[i - start] += w[0] * catmull(tab0[j - 1], tab0[j], tab0[j + 1], tab0[j + 2], f)
          + w[1] * catmull(tab1[j - 1], tab1[j], tab1[j + 1], tab1[j + 2], f)
          + w[2] * catmull(tab2[j - 1], tab2[j], tab2[j + 1], tab2[j + 2], f);
      }
    }
  };

  const channelNames = Array.from({ length: nCh }, (_, c) => `EEG${String(c + 1).padStart(2, '0')}`);
  const channels: ChannelInfo[] = channelNames.map((name) => ({ name, group: 'EEG', unit: 'uV', scale: 1, kind: 'ephys' }));
  channels.push({ name: 'STI', group: 'stim', unit: '', scale: 1, kind: 'stim' });
  const acqStart = Math.floor(onsets[0]);
  const acqEnd = Math.ceil(onsets[onsets.length - 1] + WAVE_T1_S * fs);
  return {
    fs, nSamples, nChannels: nCh, channelNames, events,
    meta: { path: `synthetic:eeg-fmri:${seed}`, format: 'raw', channels, sampleRate: fs, nSamples, events },
    truth: { onsets, volumeOf, dropped, spurious, regime, acqStart, acqEnd, slicePeriodSamples: T * clock, sliceFreqHz: fs / (T * clock), ratio, eegRmsUv: eegRms },
    cleanBlock,
    artifactBlock(c, start, end) {
      checkRange(c, start, end, nCh);
      const out = new Float32Array(end - start);
      artifactInto(c, start, end, out);
      return out;
    },
    channelBlock(c, start, end) {
      const out = cleanBlock(c, start, end);
      artifactInto(c, start, end, out);
      return out;
    },
    stimBlock(start, end) {
      checkRange(0, start, end, 1);
      const out = new Float32Array(end - start);
      for (const s of markerSamples) for (let i = Math.max(s, start); i < Math.min(s + 5, end); i++) out[i - start] = 1;
      return out;
    },
  };
}
