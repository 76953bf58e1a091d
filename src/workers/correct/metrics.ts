// Quality metrics of gradient-artifact correction, as FACETpy defines them ("ref" = the data outside
// the acquisition window), plus, on synthetic data, the error against the known clean EEG.
//   RMS ratio      median over channels of RMS(uncorrected)/RMS(corrected) inside the window
//   RMS residual   median over channels of std(corrected inside)/std(corrected outside) (target 1)
//   SNR            median over channels of var(ref)/(var(corrected) - var(ref))
//   median residual artifact   median over epochs of the peak-to-peak of the channel-mean epoch
//   harmonic power power (dB re 1 uV^2) within +-halfBand of the first slice-frequency harmonics

import { butterSos, concatSos } from '../dsp/butter';
import { sosfiltfilt } from '../dsp/sos';
import { fft } from './fft';
import { median } from './triggers';

type Arr = Float32Array | Float64Array;

function meanVar(x: Arr, a: number, b: number): { mean: number; v: number; n: number } {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i];
  const n = b - a;
  const mean = n > 0 ? s / n : 0;
  let q = 0;
  for (let i = a; i < b; i++) q += (x[i] - mean) ** 2;
  return { mean, v: n > 0 ? q / n : 0, n };
}

export function rms(x: Arr, a = 0, b = x.length): number {
  let q = 0;
  for (let i = a; i < b; i++) q += x[i] * x[i];
  return b > a ? Math.sqrt(q / (b - a)) : 0;
}

/** Variance of the data outside [a, b) (both sides pooled). */
function outsideVar(x: Arr, a: number, b: number): number {
  const l = meanVar(x, 0, a), r = meanVar(x, b, x.length);
  const n = l.n + r.n;
  if (n === 0) return NaN;
  const m = (l.mean * l.n + r.mean * r.n) / n;
  return (l.n * (l.v + (l.mean - m) ** 2) + r.n * (r.v + (r.mean - m) ** 2)) / n;
}

export function rmsRatio(uncorrected: Arr[], corrected: Arr[], a: number, b: number): number {
  return median(uncorrected.map((u, c) => rms(u, a, b) / rms(corrected[c], a, b)));
}

export function rmsResidual(corrected: Arr[], a: number, b: number): number {
  return median(corrected.map((x) => Math.sqrt(meanVar(x, a, b).v / outsideVar(x, a, b))));
}

export function snr(corrected: Arr[], a: number, b: number): number {
  return median(corrected.map((x) => { const ref = outsideVar(x, a, b); return ref / (meanVar(x, a, b).v - ref); }));
}

/** Median over epochs of the peak-to-peak of the channel-mean epoch. */
export function medianResidualArtifact(corrected: Arr[], epochStarts: ArrayLike<number>, len: number): number {
  const pp: number[] = [];
  const m = new Float64Array(len);
  for (let e = 0; e < epochStarts.length; e++) {
    const s = Math.round(epochStarts[e]);
    if (s < 0 || s + len > corrected[0].length) continue;
    m.fill(0);
    for (const x of corrected) for (let i = 0; i < len; i++) m[i] += x[s + i] / corrected.length;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < len; i++) { lo = Math.min(lo, m[i]); hi = Math.max(hi, m[i]); }
    pp.push(hi - lo);
  }
  return median(pp);
}

/** Welch PSD (Hann, 50 % overlap, one-sided, uV^2/Hz) of x[a, b) with segments of segLen (power of 2). */
export function welch(x: Arr, fs: number, segLen: number, a = 0, b = x.length): { freqs: Float64Array; psd: Float64Array } {
  const win = Float64Array.from({ length: segLen }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / segLen));
  let u = 0;
  for (const w of win) u += w * w;
  const half = segLen / 2 + 1;
  const psd = new Float64Array(half);
  const re = new Float64Array(segLen), im = new Float64Array(segLen);
  let nSeg = 0;
  for (let s = a; s + segLen <= b; s += segLen / 2) {
    const { mean } = meanVar(x, s, s + segLen);
    for (let i = 0; i < segLen; i++) { re[i] = (x[s + i] - mean) * win[i]; im[i] = 0; }
    fft(re, im);
    for (let k = 0; k < half; k++) psd[k] += ((k === 0 || k === segLen / 2 ? 1 : 2) * (re[k] ** 2 + im[k] ** 2)) / (fs * u);
    nSeg++;
  }
  for (let k = 0; k < half; k++) psd[k] /= Math.max(1, nSeg);
  return { freqs: Float64Array.from({ length: half }, (_, k) => (k * fs) / segLen), psd };
}

/** Power (dB re 1 uV^2) within +-halfBandHz of each of the first nHarm harmonics of f0. */
export function harmonicPowerDb(x: Arr, fs: number, f0: number, nHarm = 5, a = 0, b = x.length, halfBandHz = 0.5): number[] {
  let segLen = 1;
  while (segLen * 2 <= Math.min(b - a, 4 * fs)) segLen *= 2;
  const { freqs, psd } = welch(x, fs, segLen, a, b);
  const df = fs / segLen;
  return Array.from({ length: nHarm }, (_, h) => {
    const f = (h + 1) * f0;
    let p = 0;
    for (let k = 0; k < freqs.length; k++) if (Math.abs(freqs[k] - f) <= halfBandHz) p += psd[k] * df;
    return 10 * Math.log10(p);
  });
}

/** Zero-phase Butterworth band-pass (order 4 high-pass then low-pass). */
export function bandpass(x: Arr, fs: number, loHz: number, hiHz: number): Float64Array {
  return sosfiltfilt(concatSos(butterSos('highpass', 4, loHz, fs), butterSos('lowpass', 4, hiHz, fs)), x);
}

export interface CleanComparison {
  /** RMS of (corrected - clean) / RMS of clean, both band-passed. */
  relRmse: number;
  rmseUv: number;
  corr: number;
}

/**
 * Error of the corrected signal against the clean EEG over [a, b), both band-passed to [lo, hi] Hz.
 * The whole arrays are filtered and then cut, so the 0.5 Hz filter's edge transients (seconds long)
 * stay outside [a, b) when the recording has clean margins around it.
 */
export function compareWithClean(corrected: Arr, clean: Arr, fs: number, a: number, b: number, band: [number, number] = [0.5, 40]): CleanComparison {
  const c = bandpass(corrected, fs, band[0], band[1]).subarray(a, b);
  const t = bandpass(clean, fs, band[0], band[1]).subarray(a, b);
  let e = 0, ct = 0, cc = 0, tt = 0;
  const mc = c.reduce((s, v) => s + v, 0) / c.length, mt = t.reduce((s, v) => s + v, 0) / t.length;
  for (let i = 0; i < c.length; i++) {
    e += (c[i] - t[i]) ** 2;
    ct += (c[i] - mc) * (t[i] - mt); cc += (c[i] - mc) ** 2; tt += (t[i] - mt) ** 2;
  }
  const rmseUv = Math.sqrt(e / c.length);
  return { rmseUv, relRmse: rmseUv / Math.sqrt(tt / t.length), corr: ct / Math.sqrt(cc * tt) };
}

/**
 * Where the error (corrected - clean) lies in [lo, hi] Hz: the fraction of its power within +-halfBandHz
 * of the slice-rate harmonics (residual artifact locked to the slices) vs the rest (broadband: EEG
 * leaked into the template, misfit that varies from epoch to epoch).
 */
export function errorSpectrumSplit(corrected: Arr, clean: Arr, fs: number, a: number, b: number, sliceHz: number, band: [number, number] = [0.5, 40], halfBandHz = 0.25): { harmonic: number; broadband: number } {
  const e = new Float64Array(b - a);
  for (let i = 0; i < e.length; i++) e[i] = corrected[a + i] - clean[a + i];
  let segLen = 1;
  while (segLen * 2 <= Math.min(e.length, 8 * fs)) segLen *= 2;
  const { freqs, psd } = welch(e, fs, segLen);
  let h = 0, tot = 0;
  for (let k = 0; k < freqs.length; k++) {
    const f = freqs[k];
    if (f < band[0] || f > band[1]) continue;
    tot += psd[k];
    const r = f / sliceHz, near = Math.abs(r - Math.round(r)) * sliceHz;
    if (Math.round(r) >= 1 && near <= halfBandHz) h += psd[k];
  }
  return tot > 0 ? { harmonic: h / tot, broadband: 1 - h / tot } : { harmonic: 0, broadband: 0 };
}
