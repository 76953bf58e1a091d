// Per-unit statistics for the curation views: ISI histogram with refractory violations, auto- and
// cross-correlograms (two-pointer sweep over sorted spike times: O(n + pairs in the window), not
// O(n^2)), firing rate and amplitude over time, and the mean +/- SD waveform with a reproducible
// sample of single waveforms. Spike times are sample indices, ascending.

import { SpikeDeskError } from '../../shared/errors';
import type { Rng } from '../rng';

export type SpikeTimes = Float64Array | Int32Array | Uint32Array;

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

function checkRate(sampleRate: number): void {
  if (!(sampleRate > 0 && Number.isFinite(sampleRate))) bad(`sample rate ${sampleRate} Hz is invalid`, 'pass the recording\'s sample rate');
}

function checkSorted(t: SpikeTimes, name: string): void {
  for (let i = 1; i < t.length; i++) {
    if (!(t[i] >= t[i - 1])) bad(`${name} spike times are not ascending at spike ${i}`, 'sort the spike times');
  }
}

export interface IsiHistogram {
  binMs: number;
  /** counts[b] = ISIs in [b*binMs, (b+1)*binMs) ms. */
  counts: Int32Array;
  nIsi: number;
  /** ISIs at or beyond the last bin. */
  overflow: number;
  refractoryMs: number;
  /** ISIs shorter than refractoryMs, and their fraction of all ISIs. */
  violations: number;
  violationFraction: number;
}

export function isiHistogram(times: SpikeTimes, sampleRate: number,
  { binMs = 0.5, maxMs = 50, refractoryMs = 1.5 }: { binMs?: number; maxMs?: number; refractoryMs?: number } = {}): IsiHistogram {
  checkRate(sampleRate);
  if (!(binMs > 0 && maxMs >= binMs && maxMs / binMs <= 1e6)) bad(`ISI bins of ${binMs} ms up to ${maxMs} ms`, 'use e.g. 0.5 ms bins up to 50 ms');
  if (!(refractoryMs >= 0)) bad(`refractory period ${refractoryMs} ms is negative`, 'use about 1.5 ms');
  checkSorted(times, 'unit');
  const nBins = Math.round(maxMs / binMs);
  const binS = (binMs * sampleRate) / 1000;
  const refS = (refractoryMs * sampleRate) / 1000;
  const counts = new Int32Array(nBins);
  let overflow = 0, violations = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (d < refS) violations++;
    const b = Math.floor(d / binS);
    if (b < nBins) counts[b]++; else overflow++;
  }
  const nIsi = Math.max(0, times.length - 1);
  return { binMs, counts, nIsi, overflow, refractoryMs, violations, violationFraction: nIsi ? violations / nIsi : 0 };
}

export interface Correlogram {
  binMs: number;
  windowMs: number;
  /** Centre of each bin in ms; symmetric around 0 with an odd number of bins. */
  lagsMs: Float64Array;
  /**
   * Pairs whose lag (b - a), rounded to the nearest bin (halves away from zero), falls in each bin;
   * the auto-correlogram leaves out each spike paired with itself.
   */
  counts: Int32Array;
}

/**
 * Cross-correlogram of b relative to a (lag = t_b - t_a), or the auto-correlogram when b is null.
 * windowMs is the full width (phy's window_size); bins are centred on 0.
 */
export function correlogram(a: SpikeTimes, b: SpikeTimes | null, sampleRate: number,
  { binMs = 1, windowMs = 50 }: { binMs?: number; windowMs?: number } = {}): Correlogram {
  checkRate(sampleRate);
  if (!(binMs > 0 && windowMs >= binMs && windowMs / binMs <= 1e5)) bad(`correlogram bins of ${binMs} ms over ${windowMs} ms`, 'use e.g. 1 ms bins over 50 ms');
  checkSorted(a, 'first');
  const auto = b === null || b === a;
  const tb = auto ? a : b;
  if (!auto) checkSorted(tb, 'second');
  const nHalf = Math.floor(windowMs / 2 / binMs + 1e-9);
  const nBins = 2 * nHalf + 1;
  const binS = (binMs * sampleRate) / 1000;
  const reach = (nHalf + 0.5) * binS;
  const counts = new Int32Array(nBins);
  let lo = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i];
    // The window start only moves forward because a is sorted: the sweep is linear plus the pairs counted.
    while (lo < tb.length && tb[lo] <= t - reach) lo++;
    for (let j = lo; j < tb.length; j++) {
      const d = tb[j] - t;
      if (d >= reach) break;
      if (auto && j === i) continue;
      // Round half away from zero so that lags +x and -x land in mirrored bins (exact symmetry).
      const r = Math.floor(Math.abs(d) / binS + 0.5);
      const k = (d < 0 ? -r : r) + nHalf;
      if (k >= 0 && k < nBins) counts[k]++;
    }
  }
  const lagsMs = Float64Array.from({ length: nBins }, (_, k) => (k - nHalf) * binMs);
  return { binMs, windowMs: nBins * binMs, lagsMs, counts };
}

export interface TimeCourse {
  binS: number;
  /** Start of each bin in seconds. */
  startS: Float64Array;
  counts: Int32Array;
  /** Spikes per second of the bin (the last bin may be shorter than binS). */
  rateHz: Float64Array;
  /** Mean and SD of the amplitudes in each bin (NaN for empty bins; SD 0 for a single spike). */
  ampMean: Float64Array;
  ampSd: Float64Array;
}

/** Firing rate and (when amplitudes are given, one per spike) amplitude over the recording in time bins. */
export function timeCourse(times: SpikeTimes, sampleRate: number, nSamples: number, binS: number,
  amplitudes?: Float32Array | Float64Array): TimeCourse {
  checkRate(sampleRate);
  if (!(nSamples > 0)) bad(`recording length ${nSamples} samples`, 'pass the recording\'s sample count');
  if (!(binS > 0 && nSamples / (binS * sampleRate) <= 1e6)) bad(`time bins of ${binS} s`, 'use bins of a few seconds');
  if (amplitudes && amplitudes.length !== times.length) bad(`${amplitudes.length} amplitudes for ${times.length} spikes`, 'pass one amplitude per spike');
  const binSamples = binS * sampleRate;
  const nBins = Math.ceil(nSamples / binSamples - 1e-9);
  const counts = new Int32Array(nBins);
  const sum = new Float64Array(nBins), sumSq = new Float64Array(nBins);
  const bins = new Int32Array(times.length);
  for (let i = 0; i < times.length; i++) {
    const k = Math.floor(times[i] / binSamples);
    if (!(k >= 0 && k < nBins)) bad(`spike ${i} at sample ${times[i]} is outside the recording`, 'pass spike times in samples of this recording');
    bins[i] = k;
    counts[k]++;
    if (amplitudes) sum[k] += amplitudes[i];
  }
  const ampMean = new Float64Array(nBins).fill(NaN), ampSd = new Float64Array(nBins).fill(NaN);
  if (amplitudes) {
    for (let k = 0; k < nBins; k++) if (counts[k]) ampMean[k] = sum[k] / counts[k];
    // Second pass on deviations: no cancellation for large amplitudes with small spread.
    for (let i = 0; i < times.length; i++) { const d = amplitudes[i] - ampMean[bins[i]]; sumSq[bins[i]] += d * d; }
    for (let k = 0; k < nBins; k++) if (counts[k]) ampSd[k] = counts[k] > 1 ? Math.sqrt(sumSq[k] / (counts[k] - 1)) : 0;
  }
  const startS = Float64Array.from({ length: nBins }, (_, k) => k * binS);
  const rateHz = Float64Array.from(counts, (c, k) => c / ((Math.min(nSamples, (k + 1) * binSamples) - k * binSamples) / sampleRate));
  return { binS, startS, counts, rateHz, ampMean, ampSd };
}

export interface WaveformSummary {
  /** Number of waveforms averaged. */
  n: number;
  mean: Float32Array;
  /** Sample standard deviation (n - 1), 0 when n < 2. */
  sd: Float32Array;
  /** Rows (from `indices`, in their order) of the sampled single waveforms, and their values row after row. */
  sampleIndices: Int32Array;
  samples: Float32Array;
}

/**
 * Mean +/- SD over the rows `indices` of a row-major waveform matrix (`width` values per spike, all
 * channels of a group concatenated), plus up to `nSample` single waveforms drawn with `rng`.
 */
export function waveformSummary(waveforms: Float32Array, width: number, indices: Int32Array, nSample: number, rng: Rng): WaveformSummary {
  if (!Number.isInteger(width) || width < 1 || waveforms.length % width !== 0) bad(`waveform width ${width} does not divide ${waveforms.length} values`, 'pass the samples per waveform');
  const n = indices.length;
  const mean64 = meanWaveform(waveforms, width, indices);
  const ss = new Float64Array(width);
  for (let t = 0; t < n; t++) {
    const o = indices[t] * width;
    for (let s = 0; s < width; s++) { const d = waveforms[o + s] - mean64[s]; ss[s] += d * d; }
  }
  const sd = Float32Array.from(ss, (v) => (n > 1 ? Math.sqrt(v / (n - 1)) : 0));
  const pick = rng.sample(n, Math.max(0, Math.min(n, Math.floor(nSample))));
  const sampleIndices = Int32Array.from(pick, (p) => indices[p]);
  const samples = new Float32Array(sampleIndices.length * width);
  sampleIndices.forEach((r, k) => samples.set(waveforms.subarray(r * width, (r + 1) * width), k * width));
  return { n, mean: Float32Array.from(mean64), sd, sampleIndices, samples };
}

/** Mean of rows `indices` of a channel's waveforms (width values each; float64 sums). */
export function meanWaveform(waveforms: Float32Array, width: number, indices: Int32Array): Float64Array {
  const nRows = waveforms.length / width;
  const sum = new Float64Array(width);
  for (const r of indices) {
    if (!(r >= 0 && r < nRows)) bad(`spike index ${r} is outside 0..${nRows - 1}`, 'pass indices into this channel\'s waveforms');
    const o = r * width;
    for (let s = 0; s < width; s++) sum[s] += waveforms[o + s];
  }
  const n = indices.length;
  return sum.map((v) => (n ? v / n : NaN));
}

/**
 * How alike two units' mean waveforms are: the cosine of the angle between them (phy's template
 * similarity; 1 = the same shape whatever the amplitude, 0 for a flat or empty one). Pieces of one
 * neuron cut apart score near 1; whether two similar units are one neuron the cross-correlogram
 * tells (no spike pairs around 0 ms).
 */
export function waveformSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let s = 0; s < a.length; s++) { ab += a[s] * b[s]; aa += a[s] ** 2; bb += b[s] ** 2; }
  return aa > 0 && bb > 0 && Number.isFinite(ab) ? ab / Math.sqrt(aa * bb) : 0;
}
