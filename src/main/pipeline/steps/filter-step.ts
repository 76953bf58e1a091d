// Band-pass (and notch) filtering of one channel on a fixed grid of blocks with margins. The
// grid depends only on the filter and the sample rate, never on the mode or memory budget, so
// fast mode (whole channel in memory) and low-memory mode (streamed) give identical samples.

import type { FilterParams } from '../../../shared/params';
import { bandpassSos } from '../../../workers/dsp/butter';
import { filtfiltSegment, prepareFiltfilt } from '../../../workers/dsp/sos';
import { SpikeDeskError } from '../../../shared/errors';

export interface FilterGrid {
  /** Core samples per block. */
  block: number;
  /** Extra samples read on each inner side so the start-up transient dies out. */
  margin: number;
}

/** Samples until the slowest pole of the cascade has decayed by 1e-9 (at least padlen). */
export function transientSamples(sos: Float64Array, padlen: number): number {
  let rMax = 0;
  for (let s = 0; s < sos.length / 6; s++) {
    const a1 = sos[6 * s + 4], a2 = sos[6 * s + 5];
    const disc = a1 * a1 - 4 * a2;
    const r = disc < 0 ? Math.sqrt(a2) : Math.max(Math.abs((-a1 + Math.sqrt(disc)) / 2), Math.abs((-a1 - Math.sqrt(disc)) / 2));
    rMax = Math.max(rMax, r);
  }
  if (rMax <= 0) return padlen;
  if (rMax >= 1) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'the filter is unstable at this sample rate', fix: 'move the corners away from 0 Hz and Nyquist' });
  return Math.max(padlen, Math.ceil(Math.log(1e-9) / Math.log(rMax)));
}

export function filterGrid(sos: Float64Array, padlen: number): FilterGrid {
  const margin = transientSamples(sos, padlen);
  return { block: Math.max(1 << 18, 8 * margin), margin };
}

export interface ChannelFilter {
  readonly grid: FilterGrid;
  readonly passthrough: boolean;
  /** Filter the block [k*block, ...) given a reader of raw samples [start, end). */
  block(k: number, n: number, read: (start: number, end: number) => Float32Array): Float32Array;
}

export function makeChannelFilter(p: FilterParams, fs: number): ChannelFilter {
  const sos = bandpassSos(p, fs);
  const { plan, ziPlan, padlen } = prepareFiltfilt(sos);
  const passthrough = plan.nSections === 0;
  const grid = passthrough ? { block: 1 << 18, margin: 0 } : filterGrid(sos, padlen);
  return {
    grid,
    passthrough,
    block(k, n, read) {
      const c0 = k * grid.block;
      const c1 = Math.min(n, c0 + grid.block);
      if (passthrough) return read(c0, c1);
      if (n <= padlen) {
        throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `the recording has ${n} samples, fewer than the filter needs (${padlen + 1})`, fix: 'use a longer recording or a lower filter order' });
      }
      const s0 = Math.max(0, c0 - grid.margin);
      const s1 = Math.min(n, c1 + grid.margin);
      const x = read(s0, s1);
      const out = new Float32Array(c1 - c0);
      filtfiltSegment(plan, ziPlan, x, s0 === 0 ? padlen : 0, s1 === n ? padlen : 0, c0 - s0, c1 - s0, out, 0);
      return out;
    },
  };
}

export function blockCount(n: number, grid: FilterGrid): number {
  return Math.ceil(n / grid.block);
}
