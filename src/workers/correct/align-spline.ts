// Sub-sample onset refinement against the continuous-time template: for every epoch, the shift delta
// that best fits a*f(t - tau - delta) + b to its samples (Gauss-Newton on the spline and its exact
// derivative), with the evidence (numerator and denominator of the step) summed over several channels
// and over a correlation window that leaves out the onset transient and the epoch's end. The template
// is refitted after each pass. The timing model (timing.ts) is fitted to the result afterwards.

import { SpikeDeskError } from '../../shared/errors';
import type { CorrectionPlan } from './plan';
import { fitChannelTemplate } from './spline-aas';
import { bspline3, splineGeometry } from './spline-core';

function dbspline3(x: number): number {
  const a = Math.abs(x), s = x < 0 ? -1 : 1;
  if (a < 1) return s * (-2 * a + 1.5 * a * a);
  if (a < 2) return -s * 0.5 * (2 - a) * (2 - a);
  return 0;
}

export interface RefineReport { passes: number; channels: number; lastStepRms: number }

/**
 * Refine plan.positions in place. `readChannel(i)` returns whole channels (read one at a time);
 * `window` = [from, to) samples of the epoch used as evidence.
 */
export function refineOnsets(plan: CorrectionPlan, readChannel: (i: number) => Float32Array, nChannels: number, window: [number, number], passes = 2): RefineReport {
  const K = plan.positions.length, L = plan.epochLength;
  const c0 = Math.max(0, window[0]), c1 = Math.min(L, window[1]);
  if (!(c1 > c0 + 4)) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'the alignment window is empty', fix: 'lower alignSkip' });
  let lastStepRms = 0;
  for (let pass = 0; pass < passes; pass++) {
    const num = new Float64Array(K), den = new Float64Array(K);
    const cur: CorrectionPlan = { ...plan, positions: Float64Array.from(plan.positions) };
    const g = splineGeometry(cur.positions, cur.pre, L);
    for (let ch = 0; ch < nChannels; ch++) {
      const x = readChannel(ch);
      const coef = fitChannelTemplate((a, b) => x.subarray(a, b), cur, { kind: 'window', window: K }).coef!;
      channelEvidence(x, coef, g.start, cur, c0, c1, num, den);
    }
    let ss = 0;
    for (let k = 0; k < K; k++) {
      if (!(den[k] > 0)) continue;
      const step = Math.max(-0.5, Math.min(0.5, num[k] / den[k]));
      plan.positions[k] += step;
      plan.lags[k] += step;
      ss += step * step;
    }
    lastStepRms = Math.sqrt(ss / K);
  }
  return { passes, channels: nChannels, lastStepRms };
}

/** Adds one channel's Gauss-Newton evidence (numerator and denominator of each epoch's step). */
function channelEvidence(x: Float32Array, coef: Float64Array, start: Int32Array, cur: CorrectionPlan, c0: number, c1: number, num: Float64Array, den: Float64Array): void {
  const K = cur.positions.length, L = cur.epochLength;
  // Every sum the step needs is a quadratic or linear form in the epoch's 4 spline weights w and
  // their derivatives dw: over the correlation window, sum f^2 = w'Gw, sum f f' = w'G dw with G the
  // lagged products of the template's coefficients (the same for every epoch), and sum x f = w'Cx,
  // sum x f' = dw'Cx with Cx the epoch's 4 lagged products with the coefficients. Only Cx and sum x
  // read the samples (5 operations per sample instead of evaluating f and f' there).
  const n = c1 - c0;
  const G = new Float64Array(16), Sc = new Float64Array(4);
  for (let p = 0; p < 4; p++) {
    for (let m = c0; m < c1; m++) Sc[p] += coef[m + p];
    for (let q = p; q < 4; q++) { let v = 0; for (let m = c0; m < c1; m++) v += coef[m + p] * coef[m + q]; G[p * 4 + q] = v; G[q * 4 + p] = v; }
  }
  const w = new Float64Array(4), dw = new Float64Array(4);
  for (let k = 0; k < K; k++) {
    const s = start[k];
    if (s < 0 || s + L + 1 > x.length) continue;
    const phi = s - (cur.positions[k] - cur.pre) + 1;
    w[0] = bspline3(phi + 1); w[1] = bspline3(phi); w[2] = bspline3(phi - 1); w[3] = bspline3(phi - 2);
    dw[0] = dbspline3(phi + 1); dw[1] = dbspline3(phi); dw[2] = dbspline3(phi - 1); dw[3] = dbspline3(phi - 2);
    let sx = 0, x0 = 0, x1 = 0, x2 = 0, x3 = 0;
    for (let m = c0; m < c1; m++) {
      const xv = x[s + m];
      sx += xv; x0 += xv * coef[m]; x1 += xv * coef[m + 1]; x2 += xv * coef[m + 2]; x3 += xv * coef[m + 3];
    }
    const sf = w[0] * Sc[0] + w[1] * Sc[1] + w[2] * Sc[2] + w[3] * Sc[3];
    const sd = dw[0] * Sc[0] + dw[1] * Sc[1] + dw[2] * Sc[2] + dw[3] * Sc[3];
    const sxf0 = w[0] * x0 + w[1] * x1 + w[2] * x2 + w[3] * x3;
    const sxd = dw[0] * x0 + dw[1] * x1 + dw[2] * x2 + dw[3] * x3;
    const mx = sx / n, mf = sf / n;
    const sff = form(w, G, w) - n * mf * mf, sxf = sxf0 - n * mx * mf;
    const a = sff > 0 ? sxf / sff : 0;
    const b = mx - a * mf;
    // x ~ a f(u - delta) + b ~ a f(u) - a delta f'(u) + b  =>  delta = -sum(r a f') / sum((a f')^2),
    // r = x - a f - b.
    num[k] -= a * (sxd - a * form(w, G, dw) - b * sd);
    den[k] += a * a * form(dw, G, dw);
  }
}

/** u'Gv for 4-vectors and a 4 x 4 G. */
function form(u: Float64Array, G: Float64Array, v: Float64Array): number {
  let t = 0;
  for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) t += u[p] * G[p * 4 + q] * v[q];
  return t;
}
