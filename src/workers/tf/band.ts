// Band power, regions of interest and baseline correction over time-frequency power.
// Baseline modes follow MNE's mne.baseline.rescale exactly (fixtures in test/fixtures/mne):
//   mean: x - m; ratio: x / m; logratio: log10(x / m); percent: (x - m) / m;
//   zscore: (x - m) / sd; zlogratio: log10(x / m) / sd(log10(x / m)), with m and sd (population) over
//   the baseline samples [first t >= bmin, last t <= bmax] (null = the start / the end).
// 'dB' in the view is 10 * logratio; MNE's logratio itself is log10 (not dB).

import { SpikeDeskError } from '../../shared/errors';

export type BaselineMode = 'mean' | 'ratio' | 'logratio' | 'percent' | 'zscore' | 'zlogratio';
export const BASELINE_MODES: readonly BaselineMode[] = ['mean', 'ratio', 'logratio', 'percent', 'zscore', 'zlogratio'];

/** Named bands; theta is the workflow's preset. Bounds inclusive, in Hz. */
export const BAND_PRESETS: Readonly<Record<string, readonly [number, number]>> = {
  delta: [1, 4], theta: [4, 8], alpha: [8, 13], beta: [13, 30], gamma: [30, 80],
};

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

/** Indices of the frequencies inside [lo, hi] (inclusive); throws when none is. */
export function bandIndices(freqs: readonly number[], lo: number, hi: number): number[] {
  if (!(lo <= hi)) bad(`band ${lo}-${hi} Hz is empty`, 'give the lower edge first, e.g. 4-8');
  const idx = freqs.map((f, i) => (f >= lo && f <= hi ? i : -1)).filter((i) => i >= 0);
  if (!idx.length) bad(`no analysed frequency lies in the band ${lo}-${hi} Hz`, `analyse frequencies in the band (now ${freqs[0]}..${freqs[freqs.length - 1]} Hz)`);
  return idx;
}

/** Mean power over the band's frequencies at each time: power is freqs x times (row-major). */
export function bandPower(power: ArrayLike<number>, nTimes: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(nTimes);
  for (const r of rows) {
    const off = r * nTimes;
    for (let t = 0; t < nTimes; t++) out[t] += power[off + t];
  }
  for (let t = 0; t < nTimes; t++) out[t] /= rows.length;
  return out;
}

/** Mean of equal-length series (the channels of a region of interest). */
export function meanSeries(series: readonly ArrayLike<number>[]): Float64Array {
  if (!series.length) bad('the region of interest has no channels', 'name at least one channel');
  const n = series[0].length;
  const out = new Float64Array(n);
  for (const s of series) for (let t = 0; t < n; t++) out[t] += s[t];
  for (let t = 0; t < n; t++) out[t] /= series.length;
  return out;
}

/** Baseline sample range [i0, i1) as MNE's rescale picks it from the times. */
export function baselineRange(times: ArrayLike<number>, bmin: number | null, bmax: number | null): [number, number] {
  let i0 = 0, i1 = times.length;
  if (bmin !== null) {
    i0 = -1;
    for (let i = 0; i < times.length; i++) if (times[i] >= bmin) { i0 = i; break; }
    if (i0 < 0) bad(`baseline start ${bmin} s is after the last time point`, 'choose a baseline inside the analysed time');
  }
  if (bmax !== null) {
    i1 = -1;
    for (let i = times.length - 1; i >= 0; i--) if (times[i] <= bmax) { i1 = i + 1; break; }
    if (i1 < 0) bad(`baseline end ${bmax} s is before the first time point`, 'choose a baseline inside the analysed time');
  }
  if (i1 <= i0) bad(`baseline ${bmin}:${bmax} s contains no time point`, 'widen the baseline interval');
  return [i0, i1];
}

function meanOf(x: ArrayLike<number>, i0: number, i1: number): number {
  let s = 0;
  for (let i = i0; i < i1; i++) s += x[i];
  return s / (i1 - i0);
}

function sdOf(x: ArrayLike<number>, i0: number, i1: number): number {
  const m = meanOf(x, i0, i1);
  let s = 0;
  for (let i = i0; i < i1; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (i1 - i0));
}

/** One series rescaled against its baseline (a new array). */
export function rescale(x: ArrayLike<number>, times: ArrayLike<number>, baseline: [number | null, number | null], mode: BaselineMode): Float64Array {
  if (!BASELINE_MODES.includes(mode)) bad(`baseline mode "${mode}" is unknown`, `use one of ${BASELINE_MODES.join(', ')}`);
  if (x.length !== times.length) bad('series and times differ in length', 'pass the times of the series');
  const [i0, i1] = baselineRange(times, baseline[0], baseline[1]);
  const m = meanOf(x, i0, i1);
  const d = Float64Array.from(x);
  const n = d.length;
  if (mode === 'mean') for (let i = 0; i < n; i++) d[i] -= m;
  else if (mode === 'ratio') for (let i = 0; i < n; i++) d[i] /= m;
  else if (mode === 'logratio') for (let i = 0; i < n; i++) d[i] = Math.log10(d[i] / m);
  else if (mode === 'percent') for (let i = 0; i < n; i++) d[i] = (d[i] - m) / m;
  else if (mode === 'zscore') {
    for (let i = 0; i < n; i++) d[i] -= m;
    const sd = sdOf(d, i0, i1);
    for (let i = 0; i < n; i++) d[i] /= sd;
  } else {
    for (let i = 0; i < n; i++) d[i] = Math.log10(d[i] / m);
    const sd = sdOf(d, i0, i1);
    for (let i = 0; i < n; i++) d[i] /= sd;
  }
  return d;
}

export interface EpochAverage {
  /** Times relative to the event, seconds. */
  times: Float64Array;
  mean: Float64Array;
  /** Epochs used (inside the recording) and dropped (too close to an edge). */
  used: number;
  dropped: number;
}

/**
 * Event-locked average of a series sampled at `rate` Hz starting at t = 0: epochs from
 * tmin to tmax seconds around each event (nearest sample), averaged; epochs that do not fit are dropped.
 */
export function epochAverage(x: ArrayLike<number>, rate: number, events: readonly number[], tmin: number, tmax: number): EpochAverage {
  if (!(tmax > tmin)) bad(`epoch ${tmin}:${tmax} s is empty`, 'give tmin < tmax, e.g. -0.5:1.5');
  const first = Math.round(tmin * rate);
  const len = Math.round(tmax * rate) - first + 1;
  const mean = new Float64Array(len);
  let used = 0;
  for (const ev of events) {
    const s = Math.round(ev * rate) + first;
    if (s < 0 || s + len > x.length) continue;
    for (let i = 0; i < len; i++) mean[i] += x[s + i];
    used++;
  }
  if (!used) bad(`none of the ${events.length} events has a full epoch ${tmin}:${tmax} s inside the recording`, 'shorten the epoch or check the events');
  for (let i = 0; i < len; i++) mean[i] /= used;
  const times = new Float64Array(len);
  for (let i = 0; i < len; i++) times[i] = (first + i) / rate;
  return { times, mean, used, dropped: events.length - used };
}
