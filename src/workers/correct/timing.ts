// Timing model of the slice onsets: a scanner times every slice from one clock, so the onsets lie on
// onset = t0 + volume * TR + slice * dt (TR and dt in samples, fractional; a clock mismatch between
// scanner and amplifier only rescales them). Fitted by least squares to the aligned onsets (with one
// pass excluding outliers), it averages the per-epoch alignment jitter away; the per-epoch residual
// (measured - model) is reported so a user can see whether the scanner followed the model.

import { analyzeTriggers, median, sliceIndices } from './triggers';

/** The model replaces the measured onsets only when it explains them to this robust SD (samples).
 * Source: alignment jitter on real and simulated data is ~0.01-0.1 samples; a larger spread means the
 * onsets do not follow one clock (irregular slice timing or a mis-parsed volume). */
export const TIMING_ACCEPT_SD = 0.25;

export interface TimingReport {
  used: boolean;
  t0: number;
  trSamples: number;
  dtSamples: number;
  /** Robust SD (1.4826 MAD) and largest absolute residual, samples. */
  residualSd: number;
  residualMax: number;
  outliers: number;
  /** Per-epoch measured - model, samples. */
  residuals: number[];
}

function solve3(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (Math.abs(M[p][c]) < 1e-12) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((r, i) => r[n] / r[i]);
}

export function fitTimingModel(triggers: Float64Array, measured: Float64Array, fs: number): { positions: Float64Array | null; report: TimingReport | null } {
  const K = measured.length;
  if (K < 4) return { positions: null, report: null };
  let vol: Int32Array, sl: Int32Array;
  try {
    const a = analyzeTriggers(triggers, fs);
    if (a.triggers.length !== K || a.missing.length || a.removed.length) return { positions: null, report: null };
    ({ volume: vol, slice: sl } = sliceIndices(a));
  } catch { return { positions: null, report: null }; }
  const hasVol = vol[K - 1] > 0;
  const cols = (k: number): number[] => (hasVol ? [1, vol[k], sl[k]] : [1, sl[k]]);
  const keep = new Uint8Array(K).fill(1);
  let beta: number[] | null = null;
  let res = new Float64Array(K);
  for (let pass = 0; pass < 2; pass++) {
    const p = hasVol ? 3 : 2;
    const AtA = Array.from({ length: p }, () => new Array(p).fill(0));
    const Atb = new Array(p).fill(0);
    // Centre on the first measured onset for conditioning.
    for (let k = 0; k < K; k++) {
      if (!keep[k]) continue;
      const r = cols(k), y = measured[k] - measured[0];
      for (let i = 0; i < p; i++) { Atb[i] += r[i] * y; for (let j = 0; j < p; j++) AtA[i][j] += r[i] * r[j]; }
    }
    beta = solve3(AtA, Atb);
    if (!beta) return { positions: null, report: null };
    res = Float64Array.from({ length: K }, (_, k) => measured[k] - measured[0] - cols(k).reduce((s, v, i) => s + v * beta![i], 0));
    const mad = 1.4826 * median(Array.from(res, Math.abs));
    for (let k = 0; k < K; k++) keep[k] = Math.abs(res[k]) <= Math.max(5 * mad, 0.05) ? 1 : 0;
  }
  const b = beta!;
  const sd = 1.4826 * median(Array.from(res, Math.abs));
  const used = sd <= TIMING_ACCEPT_SD;
  // Outliers (an irregular trigger, a slice the scanner timed differently) keep their measured onset.
  const model = Float64Array.from({ length: K }, (_, k) => (keep[k] ? measured[0] + cols(k).reduce((s, v, i) => s + v * b[i], 0) : measured[k]));
  let outliers = 0;
  for (let k = 0; k < K; k++) if (!keep[k]) outliers++;
  return {
    positions: used ? model : null,
    report: {
      used, t0: measured[0] + b[0], trSamples: hasVol ? b[1] : 0, dtSamples: hasVol ? b[2] : b[1],
      residualSd: sd, residualMax: Math.max(...Array.from(res, Math.abs)), outliers, residuals: Array.from(res, (v) => Math.round(v * 1000) / 1000),
    },
  };
}
