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
      const f = new Float64Array(c1 - c0), d = new Float64Array(c1 - c0);
      for (let k = 0; k < K; k++) {
        const s = g.start[k];
        if (s < 0 || s + L + 1 > x.length) continue;
        const phi = s - (cur.positions[k] - cur.pre) + 1;
        const w0 = bspline3(phi + 1), w1 = bspline3(phi), w2 = bspline3(phi - 1), w3 = bspline3(phi - 2);
        const d0 = dbspline3(phi + 1), d1 = dbspline3(phi), d2 = dbspline3(phi - 1), d3 = dbspline3(phi - 2);
        let sx = 0, sf = 0;
        for (let m = c0; m < c1; m++) {
          // Same left-to-right sums as a loop over the four weights (scalars instead of arrays: cost only).
          const a0 = coef[m], a1 = coef[m + 1], a2 = coef[m + 2], a3 = coef[m + 3];
          const fv = w0 * a0 + w1 * a1 + w2 * a2 + w3 * a3, dv = d0 * a0 + d1 * a1 + d2 * a2 + d3 * a3;
          f[m - c0] = fv; d[m - c0] = dv; sx += x[s + m]; sf += fv;
        }
        const n = c1 - c0, mx = sx / n, mf = sf / n;
        let sff = 0, sxf = 0;
        for (let i = 0; i < n; i++) { sff += (f[i] - mf) ** 2; sxf += (x[s + c0 + i] - mx) * (f[i] - mf); }
        const a = sff > 0 ? sxf / sff : 0;
        const b = mx - a * mf;
        // x ~ a f(u - delta) + b ~ a f(u) - a delta f'(u) + b  =>  delta = -sum(r a f') / sum((a f')^2).
        for (let i = 0; i < n; i++) {
          const r = x[s + c0 + i] - a * f[i] - b, g1 = a * d[i];
          num[k] -= r * g1; den[k] += g1 * g1;
        }
      }
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
