// Deterministic ground-truth extracellular recordings for tests, benchmarks and the demo.
// Each channel = coloured gaussian noise + LFP + small "background" units (multi-unit hash) +
// 0-4 sorted units with biphasic ~1 ms waveforms, Poisson trains with dead time, bursts of
// shrinking spikes, natural overlaps and similar-waveform pairs. Samples are produced lazily:
// channelBlock(c, start, end) is identical however the recording is cut into blocks, because the
// noise is seeded per (channel, 32768-sample block) and warmed up on the previous block.

import { DEFAULT_FILTER } from '../../shared/params';
import { SpikeDeskError } from '../../shared/errors';
import { bandpassSos } from '../dsp/butter';
import { sosfiltfilt } from '../dsp/sos';
import { Rng } from '../rng';

export interface SpikeRecordingOptions {
  seed: number;
  nChannels?: number;
  sampleRate?: number;
  durationS: number;
  /** Number of sorted units per channel (overrides the random draw). */
  unitsPerChannel?: number[];
  /** Range of raw noise sigma per channel in uV. */
  noiseUv?: [number, number];
  /** Range of unit SNRs (peak |band-passed mean waveform| / band-passed noise sigma). */
  snrRange?: [number, number];
  /** Range of firing rates in Hz. */
  rateHz?: [number, number];
  /** Probability that a channel with >= 2 units carries a similar-waveform pair. */
  similarPairProb?: number;
  /** Probability that a unit fires bursts. */
  burstProb?: number;
  /** Faint background units per channel (not in the ground truth). */
  backgroundUnits?: number;
}

export interface GroundTruthUnit {
  id: number;
  channel: number;
  /** Waveform at full amplitude (raw, not band-passed), trough at index peakIndex. */
  templateUv: Float32Array;
  peakIndex: number;
  snr: number;
  refractoryMs: number;
  rateHz: number;
  bursty: boolean;
  /** Id of the unit whose waveform this one imitates, or -1. */
  similarTo: number;
}

export interface SpikeRecording {
  sampleRate: number;
  nChannels: number;
  nSamples: number;
  units: GroundTruthUnit[];
  /** Per unit (same index as units): sample index of each spike's trough, ascending. */
  trains: Int32Array[];
  /** Band-passed (DEFAULT_FILTER) noise sigma per channel, the SNR denominator. */
  noiseSigmaUv: Float64Array;
  /** Samples [start, end) of channel c in uV. */
  channelBlock(c: number, start: number, end: number): Float32Array;
  channel(c: number): Float32Array;
}

const BLOCK = 32768;
const PRE_MS = 1;
const POST_MS = 2;

interface Shape { trough: number; w1: number; rebound: number; delay: number; w2: number; pre: number }
interface Spikes { times: Float64Array; scales: Float32Array; amp: number; shape: Shape; table?: Float64Array }

/** Oversampling of the waveform lookup table (linear interpolation between entries). */
const TABLE_OS = 32;

function mix(seed: number, a: number, b: number): number {
  let h = Math.imul(seed ^ 0x3c6ef372, 0x9e3779b1) ^ Math.imul(a + 1, 0x85ebca77) ^ Math.imul(b + 7, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/** Biphasic waveform at time tMs relative to the trough (unit trough depth). */
function shapeAt(s: Shape, tMs: number): number {
  const g = (t: number, w: number) => Math.exp(-0.5 * (t / w) * (t / w));
  return -g(tMs, tMs < 0 ? s.w1 * 0.8 : s.w1) + s.rebound * g(tMs - s.delay, s.w2) + s.pre * g(tMs + 0.25, 0.08);
}

/**
 * Waveform families: 0 narrow (fast-spiking interneuron: thin trough, early strong rebound),
 * 1 broad (pyramidal: wide trough, late slow rebound), 2 intermediate.
 */
function randomShape(rng: Rng, family: number): Shape {
  const u = () => rng.uniform();
  const pre = u() < 0.3 ? 0.1 * u() : 0;
  if (family === 0) return { trough: 1, w1: 0.06 + 0.03 * u(), rebound: 0.4 + 0.2 * u(), delay: 0.22 + 0.08 * u(), w2: 0.1 + 0.06 * u(), pre };
  if (family === 1) return { trough: 1, w1: 0.15 + 0.05 * u(), rebound: 0.15 + 0.1 * u(), delay: 0.55 + 0.15 * u(), w2: 0.3 + 0.1 * u(), pre };
  return { trough: 1, w1: 0.1 + 0.04 * u(), rebound: 0.25 + 0.15 * u(), delay: 0.38 + 0.1 * u(), w2: 0.18 + 0.08 * u(), pre };
}

/** Poisson train with dead time; bursty units emit 2-4 spikes 3-7 ms apart with shrinking amplitude. */
function spikeTrain(rng: Rng, rate: number, refrMs: number, bursty: boolean, durS: number, fs: number): { times: Float64Array; scales: Float32Array } {
  const t: number[] = [];
  const sc: number[] = [];
  const refr = refrMs / 1000;
  const meanGap = Math.max(1 / rate - refr, 1e-3);
  let now = refr + rng.exponential(meanGap);
  while (now < durS - 0.005) {
    const n = bursty && rng.uniform() < 0.25 ? 2 + rng.int(3) : 1;
    let tt = now;
    for (let i = 0; i < n && tt < durS - 0.005; i++) {
      t.push(tt * fs);
      sc.push(Math.pow(0.8, i) * (1 + 0.05 * rng.normal()));
      tt += 0.003 + 0.004 * rng.uniform();
    }
    now = tt - 0.003 + refr + rng.exponential(meanGap);
  }
  return { times: Float64Array.from(t), scales: Float32Array.from(sc) };
}

export function generateSpikeRecording(o: SpikeRecordingOptions): SpikeRecording {
  const nChannels = o.nChannels ?? 32, fs = o.sampleRate ?? 30000;
  if (!(o.durationS > 0) || !(fs > 0) || !Number.isInteger(nChannels) || nChannels < 1) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'synthetic recording needs a positive duration, rate and channel count', fix: 'e.g. { seed: 1, durationS: 60 }' });
  }
  const nSamples = Math.round(o.durationS * fs);
  const rng = new Rng(mix(o.seed, 0xabc, 0));
  const [nLo, nHi] = o.noiseUv ?? [10, 20];
  const [sLo, sHi] = o.snrRange ?? [3, 20];
  const [rLo, rHi] = o.rateHz ?? [2, 20];
  const pre = Math.round((PRE_MS / 1000) * fs), post = Math.round((POST_MS / 1000) * fs);
  const tplLen = pre + post + 1;

  // Per-channel noise make-up and LFP.
  const noiseSd = Float64Array.from({ length: nChannels }, () => nLo + (nHi - nLo) * rng.uniform());
  const lfp = Array.from({ length: nChannels }, () => Array.from({ length: 4 }, () => ({
    f: 1 + 39 * rng.uniform() ** 2, a: 10 + 40 * rng.uniform(), ph: 2 * Math.PI * rng.uniform(),
  })));
  const counts = o.unitsPerChannel ?? Array.from({ length: nChannels }, (_, c) => {
    // Keep every fourth channel empty so there are always several unit-less channels.
    if (c % 4 === 3) return 0;
    const u = rng.uniform();
    return u < 0.15 ? 0 : u < 0.4 ? 1 : u < 0.7 ? 2 : u < 0.9 ? 3 : 4;
  });
  if (counts.length !== nChannels || counts.some((k) => !Number.isInteger(k) || k < 0 || k > 8)) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'unitsPerChannel must give 0-8 units for every channel', fix: `pass ${nChannels} integers` });
  }

  const sos = bandpassSos(DEFAULT_FILTER, fs);
  const units: GroundTruthUnit[] = [];
  const trains: Int32Array[] = [];
  const perChannel: Spikes[][] = Array.from({ length: nChannels }, () => []);
  const background: Spikes[][] = Array.from({ length: nChannels }, () => []);
  const noiseSigmaUv = new Float64Array(nChannels);

  // Peak of the band-passed waveform relative to its raw trough, for SNR calibration.
  const filteredPeak = (s: Shape): number => {
    const pad = 400;
    const x = new Float64Array(tplLen + 2 * pad);
    for (let i = 0; i < tplLen; i++) x[pad + i] = shapeAt(s, ((i - pre) / fs) * 1000);
    const y = sosfiltfilt(sos, x);
    let p = 0;
    for (let i = 0; i < y.length; i++) p = Math.max(p, Math.abs(y[i]));
    return p;
  };

  for (let c = 0; c < nChannels; c++) {
    const crng = new Rng(mix(o.seed, c, 0x5151));
    for (let b = 0; b < (o.backgroundUnits ?? 4); b++) {
      const shape = randomShape(crng, crng.int(3));
      const tr = spikeTrain(crng, 5 + 15 * crng.uniform(), 2, false, o.durationS, fs);
      background[c].push({ times: tr.times, scales: tr.scales, amp: noiseSd[c] * (0.6 + 0.6 * crng.uniform()), shape });
    }
    // SNR denominator: sigma of the band-passed background (noise, LFP, hash) on the first 2 s.
    const len = Math.min(nSamples, Math.round(2 * fs));
    const seg = sosfiltfilt(sos, synthesize(c, 0, len, false));
    const abs = Float64Array.from(seg, Math.abs).sort();
    noiseSigmaUv[c] = abs[Math.floor(abs.length / 2)] / 0.6745;

    let prevShape: Shape | null = null;
    let prevId = -1;
    let pairDone = false;
    // Units sharing a channel differ by at least 25 % in SNR or by waveform family, as units that
    // single-channel sorting can tell apart do; deliberate similar pairs (below) are the exception.
    const snrs = Array.from({ length: counts[c] }, () => sLo * Math.pow(sHi / sLo, crng.uniform())).sort((a, b) => b - a);
    for (let u = 1; u < snrs.length; u++) snrs[u] = Math.max(sLo, Math.min(snrs[u], snrs[u - 1] / 1.25));
    const families = [0, 1, 2];
    for (let i = 2; i > 0; i--) { const j = crng.int(i + 1); [families[i], families[j]] = [families[j], families[i]]; }
    for (let u = 0; u < counts[c]; u++) {
      let shape = randomShape(crng, families[u % 3]);
      let similarTo = -1;
      let snr = snrs[u];
      if (prevShape && !pairDone && crng.uniform() < (o.similarPairProb ?? 0.35)) {
        // Same shape family, slightly different width, 60-70 % of the previous unit's SNR.
        shape = { ...prevShape, w1: prevShape.w1 * (0.9 + 0.2 * crng.uniform()), rebound: prevShape.rebound * (0.85 + 0.3 * crng.uniform()) };
        snr = units[units.length - 1].snr * (0.6 + 0.1 * crng.uniform());
        similarTo = prevId;
        pairDone = true;
      }
      const bursty = similarTo < 0 && crng.uniform() < (o.burstProb ?? 0.3);
      const refractoryMs = 1.5 + crng.uniform();
      const rateHz = rLo + (rHi - rLo) * crng.uniform();
      const tr = spikeTrain(crng, rateHz, refractoryMs, bursty, o.durationS, fs);
      let meanScale = 0;
      for (let i = 0; i < tr.scales.length; i++) meanScale += tr.scales[i];
      meanScale = tr.scales.length ? meanScale / tr.scales.length : 1;
      const amp = (snr * noiseSigmaUv[c]) / (filteredPeak(shape) * meanScale);
      const id = units.length;
      const templateUv = new Float32Array(tplLen);
      for (let i = 0; i < tplLen; i++) templateUv[i] = amp * shapeAt(shape, ((i - pre) / fs) * 1000);
      units.push({ id, channel: c, templateUv, peakIndex: pre, snr, refractoryMs, rateHz, bursty, similarTo });
      trains.push(Int32Array.from(tr.times, Math.round));
      perChannel[c].push({ times: tr.times, scales: tr.scales, amp, shape });
      prevShape = shape; prevId = id;
    }
  }

  function addSpikes(out: Float32Array, start: number, list: Spikes[]): void {
    const end = start + out.length;
    for (const s of list) {
      // Waveform sampled at 1/TABLE_OS sample steps over [-pre - 1, post + 1]; linear interpolation
      // between entries is accurate to ~1e-4 of the trough and ~20x cheaper than evaluating exp().
      if (!s.table) {
        const len = (pre + post + 2) * TABLE_OS + 1;
        s.table = Float64Array.from({ length: len }, (_, i) => shapeAt(s.shape, ((i / TABLE_OS - pre - 1) / fs) * 1000));
      }
      const tab = s.table;
      // First spike whose waveform can reach [start, end).
      let lo = 0, hi = s.times.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (s.times[m] + post < start) lo = m + 1; else hi = m; }
      for (let i = lo; i < s.times.length && s.times[i] - pre < end; i++) {
        const t0 = s.times[i];
        const a = s.amp * s.scales[i];
        const first = Math.max(start, Math.ceil(t0 - pre)), last = Math.min(end - 1, Math.floor(t0 + post));
        for (let t = first; t <= last; t++) {
          const u = (t - t0 + pre + 1) * TABLE_OS;
          const k = Math.floor(u), f = u - k;
          out[t - start] += a * (tab[k] + f * (tab[k + 1] - tab[k]));
        }
      }
    }
  }

  /** Noise + LFP + background units (+ sorted units when withUnits) for [start, end). */
  function synthesize(c: number, start: number, end: number, withUnits: boolean): Float32Array {
    const out = new Float32Array(end - start);
    // One white stream e through white + two AR(1) branches (tau 0.15 ms and 3 ms): a pink-ish
    // spectrum whose branch gains set their standard deviations.
    const white = 0.55 * noiseSd[c], fast = 0.75 * noiseSd[c], slow = 0.35 * noiseSd[c];
    const a1 = Math.exp(-1 / (0.00015 * fs)), a2 = Math.exp(-1 / (0.003 * fs));
    const g1 = fast * Math.sqrt(1 - a1 * a1), g2 = slow * Math.sqrt(1 - a2 * a2);
    for (let b = Math.floor(start / BLOCK); b * BLOCK < end; b++) {
      let y1 = 0, y2 = 0;
      // The AR state entering block b comes from running over block b - 1 from rest: exact for any cut.
      if (b > 0) {
        const r = new Rng(mix(o.seed, c, b - 1));
        for (let i = 0; i < BLOCK; i++) { const e = r.normal(); y1 = a1 * y1 + g1 * e; y2 = a2 * y2 + g2 * e; }
      }
      const r = new Rng(mix(o.seed, c, b));
      const base = b * BLOCK;
      const stop = Math.min(BLOCK, end - base);
      for (let i = 0; i < stop; i++) {
        const e = r.normal();
        y1 = a1 * y1 + g1 * e;
        y2 = a2 * y2 + g2 * e;
        const t = base + i;
        if (t >= start) out[t - start] = y1 + y2 + white * e;
      }
    }
    for (const w of lfp[c]) {
      const k = (2 * Math.PI * w.f) / fs;
      for (let t = start; t < end; t++) out[t - start] += w.a * Math.sin(k * t + w.ph);
    }
    addSpikes(out, start, background[c]);
    if (withUnits) addSpikes(out, start, perChannel[c]);
    return out;
  }

  const check = (c: number, start: number, end: number): void => {
    if (!Number.isInteger(c) || c < 0 || c >= nChannels || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > nSamples || end < start) {
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel ${c} samples [${start}, ${end}) are outside the ${nChannels} x ${nSamples} recording`, fix: 'request a range inside the recording' });
    }
  };
  return {
    sampleRate: fs, nChannels, nSamples, units, trains, noiseSigmaUv,
    channelBlock: (c, start, end) => { check(c, start, end); return synthesize(c, start, end, true); },
    channel: (c) => { check(c, 0, nSamples); return synthesize(c, 0, nSamples, true); },
  };
}
