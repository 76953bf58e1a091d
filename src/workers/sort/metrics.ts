// Per-unit quality metrics (DOMAIN.md): SNR, ISI violations, SpikeInterface's violation ratio,
// isolation distance and L-ratio in feature space, presence ratio, firing rate, amplitude CV,
// amplitude cutoff.
// Spike times are sample indices sorted ascending.

import { invertSpd } from './linalg';
import { chi2Sf } from './special';

export interface UnitMetrics {
  nSpikes: number;
  firingRateHz: number;
  snr: number;
  /** Fraction of inter-spike intervals shorter than 1 ms and 2 ms. */
  isiViolation1ms: number;
  isiViolation2ms: number;
  /** SpikeInterface isi_violations_ratio with t_r = 1.5 ms. */
  violationRatio: number;
  isolationDistance: number;
  lRatio: number;
  presenceRatio: number;
  amplitudeCv: number;
  /** Estimated fraction of the unit's spikes lost below the detection threshold (amplitudeCutoff; NaN under 100 spikes). */
  amplitudeCutoff: number;
}

/** Fraction of ISIs shorter than thresholdMs (NaN for fewer than 2 spikes). */
export function isiViolationFraction(samples: ArrayLike<number>, fs: number, thresholdMs: number): number {
  if (samples.length < 2) return NaN;
  const lim = (thresholdMs / 1000) * fs;
  let v = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i] - samples[i - 1] < lim) v++;
  return v / (samples.length - 1);
}

/** (violations / (2 N t_r)) / (N / T): the observed violation rate relative to the unit's own rate. */
export function violationRatio(samples: ArrayLike<number>, fs: number, durationS: number, refractoryMs = 1.5): number {
  const n = samples.length;
  if (n < 2 || !(durationS > 0)) return NaN;
  const tr = refractoryMs / 1000;
  const lim = tr * fs;
  let v = 0;
  for (let i = 1; i < n; i++) if (samples[i] - samples[i - 1] < lim) v++;
  return (v / (2 * n * tr)) / (n / durationS);
}

/** Fraction of equal bins (about binS long, at least one) that hold at least one spike. */
export function presenceRatio(samples: ArrayLike<number>, fs: number, durationS: number, binS = 60): number {
  if (!(durationS > 0)) return NaN;
  const nBins = Math.max(1, Math.round(durationS / binS));
  const binLen = (durationS * fs) / nBins;
  const hit = new Uint8Array(nBins);
  for (let i = 0; i < samples.length; i++) hit[Math.min(nBins - 1, Math.max(0, Math.floor(samples[i] / binLen)))] = 1;
  let c = 0;
  for (let b = 0; b < nBins; b++) c += hit[b];
  return c / nBins;
}

/** Coefficient of variation of |amplitude|. */
export function amplitudeCv(amplitudes: ArrayLike<number>): number {
  const n = amplitudes.length;
  if (n < 2) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(amplitudes[i]);
  const m = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (Math.abs(amplitudes[i]) - m) ** 2;
  return Math.sqrt(v / (n - 1)) / m;
}

/**
 * Amplitude cutoff: the estimated fraction of a unit's spikes lost below the detection threshold
 * (Hill, Mehta & Kleinfeld, J Neurosci 2011; as in the Allen Institute's quality metrics, Siegle et
 * al., Nature 2021, and SpikeInterface's amplitude_cutoff). The density histogram of |amplitude|
 * (100 equal bins; under 500 spikes as many bins as hold 5 spikes on average), smoothed by a
 * Gaussian of 3 bins SD (reflected edges, 4 SD wide, as scipy's
 * gaussian_filter1d), is taken as symmetric about its peak: above the peak, the bin whose density
 * is closest to the lowest bin's marks where the cut-off mirror image begins, and the density mass
 * from there up estimates the part missing below. Capped at 0.5 (a distribution cut at its peak:
 * threshold crossings of noise, or a unit mostly under the threshold). SpikeInterface returns NaN
 * under 5 spikes per bin (amplitudes_bins_min_ratio); here a smaller unit gets fewer bins instead,
 * so the small clusters of threshold crossings a sorter makes are flagged too, and NaN only under
 * 100 spikes (20 bins).
 */
export function amplitudeCutoff(amplitudes: ArrayLike<number>, smoothBins = 3): number {
  const n = amplitudes.length;
  const nBins = n >= 500 ? 100 : Math.floor(n / 5);
  if (nBins < 20) return NaN;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) { const a = Math.abs(amplitudes[i]); if (a < lo) lo = a; if (a > hi) hi = a; }
  if (!(hi > lo)) return NaN;
  const width = (hi - lo) / nBins;
  const pdf = new Float64Array(nBins);
  for (let i = 0; i < n; i++) pdf[Math.min(nBins - 1, Math.floor((Math.abs(amplitudes[i]) - lo) / width))]++;
  for (let b = 0; b < nBins; b++) pdf[b] /= n * width;
  const radius = Math.floor(4 * smoothBins + 0.5);
  const kernel = Float64Array.from({ length: 2 * radius + 1 }, (_, j) => Math.exp(-0.5 * ((j - radius) / smoothBins) ** 2));
  const ksum = kernel.reduce((a, v) => a + v, 0);
  // Reflected edges (d c b a | a b c d | d c b a), scipy's default mode.
  const at = (b: number): number => {
    const period = 2 * nBins;
    let m = ((b % period) + period) % period;
    if (m >= nBins) m = period - 1 - m;
    return pdf[m];
  };
  const smooth = Float64Array.from({ length: nBins }, (_, b) => {
    let s = 0;
    for (let j = -radius; j <= radius; j++) s += kernel[j + radius] * at(b + j);
    return s / ksum;
  });
  let peak = 0;
  for (let b = 1; b < nBins; b++) if (smooth[b] > smooth[peak]) peak = b;
  let g = peak;
  for (let b = peak + 1; b < nBins; b++) if (Math.abs(smooth[b] - smooth[0]) < Math.abs(smooth[g] - smooth[0])) g = b;
  let mass = 0;
  for (let b = g; b < nBins; b++) mass += smooth[b];
  return Math.min(mass * width, 0.5);
}

/** Peak |mean waveform| / noise sigma. */
export function unitSnr(meanWaveform: ArrayLike<number>, sigma: number): number {
  let p = 0;
  for (let i = 0; i < meanWaveform.length; i++) p = Math.max(p, Math.abs(meanWaveform[i]));
  return p / sigma;
}

/**
 * Squared Mahalanobis distances of every row to the distribution of the rows where inUnit is
 * true (mean and covariance of that unit). Returns null if the unit's covariance is singular.
 */
export function mahalanobisToUnit(features: Float32Array, n: number, d: number, inUnit: (i: number) => boolean): Float64Array | null {
  const mean = new Float64Array(d);
  let m = 0;
  for (let i = 0; i < n; i++) if (inUnit(i)) { m++; for (let j = 0; j < d; j++) mean[j] += features[i * d + j]; }
  if (m <= d) return null;
  for (let j = 0; j < d; j++) mean[j] /= m;
  const cov = new Float64Array(d * d);
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (!inUnit(i)) continue;
    for (let j = 0; j < d; j++) diff[j] = features[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += diff[a] * diff[b];
  }
  for (let a = 0; a < d * d; a++) cov[a] /= m - 1;
  const inv = invertSpd(cov, d);
  if (!inv) return null;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) diff[j] = features[i * d + j] - mean[j];
    let q = 0;
    for (let a = 0; a < d; a++) { let s = 0; for (let b = 0; b < d; b++) s += inv[a * d + b] * diff[b]; q += diff[a] * s; }
    out[i] = q;
  }
  return out;
}

/**
 * Isolation distance (Harris 2001): squared Mahalanobis distance of the n_unit-th closest
 * non-unit spike; NaN when fewer other spikes than unit spikes exist.
 * L-ratio (Schmitzer-Torbert 2005): sum over non-unit spikes of the chi2 survival of their
 * squared distance (df = number of features), divided by the unit's spike count.
 */
export function isolationAndLRatio(features: Float32Array, n: number, d: number, labels: Int32Array, unit: number): { isolationDistance: number; lRatio: number } {
  const d2 = mahalanobisToUnit(features, n, d, (i) => labels[i] === unit);
  if (!d2) return { isolationDistance: NaN, lRatio: NaN };
  const others: number[] = [];
  let nUnit = 0;
  for (let i = 0; i < n; i++) if (labels[i] === unit) nUnit++; else others.push(d2[i]);
  let l = 0;
  for (const q of others) l += chi2Sf(q, d);
  others.sort((a, b) => a - b);
  return { isolationDistance: others.length >= nUnit ? others[nUnit - 1] : NaN, lRatio: l / nUnit };
}

export interface UnitMetricsInput {
  samples: ArrayLike<number>;
  amplitudes: ArrayLike<number>;
  meanWaveform: ArrayLike<number>;
  sigma: number;
  fs: number;
  durationS: number;
  /** Feature matrix of all spikes on the channel with their labels (for isolation metrics). */
  features: Float32Array;
  nFeat: number;
  labels: Int32Array;
  unit: number;
  presenceBinS?: number;
}

export function unitMetrics(p: UnitMetricsInput): UnitMetrics {
  const n = p.samples.length;
  const iso = isolationAndLRatio(p.features, p.labels.length, p.nFeat, p.labels, p.unit);
  return {
    nSpikes: n,
    firingRateHz: p.durationS > 0 ? n / p.durationS : NaN,
    snr: unitSnr(p.meanWaveform, p.sigma),
    isiViolation1ms: isiViolationFraction(p.samples, p.fs, 1),
    isiViolation2ms: isiViolationFraction(p.samples, p.fs, 2),
    violationRatio: violationRatio(p.samples, p.fs, p.durationS, 1.5),
    isolationDistance: iso.isolationDistance,
    lRatio: iso.lRatio,
    presenceRatio: presenceRatio(p.samples, p.fs, p.durationS, p.presenceBinS ?? 60),
    amplitudeCv: amplitudeCv(p.amplitudes),
    amplitudeCutoff: amplitudeCutoff(p.amplitudes),
  };
}
