// Sub-sample alignment of artifact epochs, computed once on a reference channel (the global stage):
// every epoch is matched to a reference epoch by cross-correlation; the integer lag is the maximum
// over whole samples, the sub-sample lag the maximum of the correlation on the x`upsample` grid, refined
// by a parabola through the three best grid points. The fine-grid correlation is obtained by
// windowed-sinc interpolation of the whole-sample correlation sequence: for band-limited signals the
// cross-correlation of the upsampled signals is exactly the band-limited interpolation of the
// correlation sequence, so this equals correlating upsampled epochs at a fraction of the cost.
// The returned positions go unchanged to every channel task, so all tasks subtract the same epochs.

import { sincKernel } from './resample';

export interface AlignOptions {
  upsample: number;
  /** Largest lag searched, in original samples. */
  maxLag?: number;
  /** Index of the reference epoch (default: the middle of the first averaging window). */
  refIndex?: number;
  halfWidth?: number;
  /** Part of the epoch [from, to) the correlation uses (default: all of it). Leaving out the onset
   * transient and the epoch's end keeps what differs between the first slice of a volume (no slice
   * before it) and the others from biasing their lags. */
  window?: [number, number];
}

export interface AlignResult {
  /** Aligned trigger positions, fractional original samples. */
  positions: Float64Array;
  /** Lag of each epoch relative to the reference (samples; positions = round(trigger) + lag). */
  lags: Float64Array;
  /** Peak normalised correlation of each epoch with the reference (NaN where not computed). */
  peakR: Float64Array;
  refIndex: number;
}

/**
 * Align epochs [round(t_k) - pre, + epochLength) of `ref` (samples from refStart) to the reference epoch.
 * Epochs whose search window leaves the data keep lag 0.
 */
export function alignTriggers(ref: Float32Array, refStart: number, triggers: ArrayLike<number>, pre: number, epochLength: number, o: AlignOptions): AlignResult {
  const K = triggers.length;
  const U = Math.max(1, o.upsample);
  const M = Math.max(1, Math.round(o.maxLag ?? 3));
  const k = sincKernel(U, o.halfWidth ?? 16);
  const W = k.halfWidth;
  const E = epochLength;
  const span = M + W;
  const refIndex = Math.min(K - 1, Math.max(0, o.refIndex ?? 15));
  const positions = new Float64Array(K);
  const lags = new Float64Array(K);
  const peakR = new Float64Array(K).fill(NaN);
  const inside = (s: number, lo: number, hi: number): boolean => s + lo - refStart >= 0 && s + hi - refStart <= ref.length;
  const c0 = Math.max(0, Math.min(E - 1, o.window?.[0] ?? 0)), c1 = Math.max(c0 + 1, Math.min(E, o.window?.[1] ?? E));

  const r0 = Math.round(triggers[refIndex]) - pre;
  const rEp = new Float64Array(E);
  if (inside(r0, 0, E)) {
    let mean = 0;
    for (let j = c0; j < c1; j++) mean += ref[r0 + j - refStart];
    mean /= c1 - c0;
    for (let j = c0; j < c1; j++) rEp[j] = ref[r0 + j - refStart] - mean;
  }
  let rNorm = 0;
  for (let j = c0; j < c1; j++) rNorm += rEp[j] * rEp[j];

  const xc = new Float64Array(2 * span + 1);
  const fine = new Float64Array(2 * U + 1);
  for (let e = 0; e < K; e++) {
    const s = Math.round(triggers[e]) - pre;
    positions[e] = s + pre;
    if (e === refIndex || rNorm === 0 || !inside(s, -span, E + span)) continue;
    // Mean of the epoch at lag 0 is removed from the whole search stretch (lags are tiny vs E).
    let mean = 0;
    for (let j = c0; j < c1; j++) mean += ref[s + j - refStart];
    mean /= c1 - c0;
    for (let l = -span; l <= span; l++) {
      let acc = 0;
      const o0 = s + l - refStart;
      for (let j = c0; j < c1; j++) acc += rEp[j] * (ref[o0 + j] - mean);
      xc[l + span] = acc;
    }
    let l0 = 0;
    for (let l = -M; l <= M; l++) if (xc[l + span] > xc[l0 + span]) l0 = l;
    // Correlation on the fine grid around l0: c(l0 + q/U) = sum_l xc[l] h(l0 + q/U - l).
    let qBest = 0;
    for (let q = -U; q <= U; q++) {
      const nf = l0 * U + q;
      const b = Math.floor(nf / U);
      const p = nf - b * U;
      let acc = 0;
      // phase p taps: h(p/U - d) multiplies xc at lag b + d, d = -W+1..W.
      for (let t = 0, d = -W + 1; t < 2 * W; t++, d++) {
        const li = b + d + span;
        if (li >= 0 && li < xc.length) acc += xc[li] * k.up[p * 2 * W + t];
      }
      fine[q + U] = acc;
      if (acc > fine[qBest + U]) qBest = q;
    }
    let frac = 0;
    if (qBest > -U && qBest < U) {
      const ym = fine[qBest + U - 1], y0 = fine[qBest + U], yp = fine[qBest + U + 1];
      const den = ym - 2 * y0 + yp;
      if (den < 0) frac = Math.max(-0.5, Math.min(0.5, (0.5 * (ym - yp)) / den));
    }
    const lag = l0 + (qBest + frac) / U;
    lags[e] = lag;
    positions[e] = s + pre + lag;
    let xn = 0;
    for (let j = c0; j < c1; j++) { const v = ref[s + l0 + j - refStart] - mean; xn += v * v; }
    peakR[e] = xn > 0 ? fine[qBest + U] / Math.sqrt(xn * rNorm) : NaN;
  }
  return { positions, lags, peakR, refIndex };
}
