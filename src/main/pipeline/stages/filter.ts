// Band-pass (and notch) filter of a raw channel, and the common reference of a channel group.
// The filter runs on a fixed chunk grid that depends only on the filter and the sample rate, so the
// whole-channel (fast) and chunked (low-memory) runs call the same kernel on the same samples.

import type { FilterParams } from '../../../shared/params';
import { bandpassSos } from '../../../workers/dsp/butter';
import { blockedMargin, checkFiltfiltLength, filtfiltChunk } from '../../../workers/dsp/blocked';
import { prepareFiltfilt } from '../../../workers/dsp/sos';
import { referenceSignal } from '../../../workers/dsp/reference';
import { SpikeDeskError } from '../../../shared/errors';
import { defineStage } from '../stage';

/** The filter's cache key ignores the reference (its own stage), so switching CAR on reuses it. */
export type FilterStageParams = Omit<FilterParams, 'reference'>;

/** `out`: the block the kernel returns, reused: an emitted block is consumed during the emit call. */
interface FilterState { prep: ReturnType<typeof prepareFiltfilt>; out: Float32Array | null }

function sosOf(p: FilterStageParams, fs: number): Float64Array {
  return bandpassSos({ ...p, reference: 'none' }, fs);
}

export const filterStage = defineStage<FilterStageParams, Float32Array>({
  name: 'filter',
  version: 1,
  scope: 'chunked',
  inputs: [],
  readsSource: true,
  output: { kind: 'samples' },
  weight: 1,
  chunk: {
    signal: (r) => r('source')!,
    grid(p, meta) {
      const margin = blockedMargin(sosOf(p, meta.sampleRate));
      return { block: Math.max(1 << 18, 8 * margin), margin };
    },
    prepare: (p, _read, meta): FilterState => {
      const prep = prepareFiltfilt(sosOf(p, meta.sampleRate));
      checkFiltfiltLength(prep, meta.nSamples); // else a recording of a few samples filters to NaN
      return { prep, out: null };
    },
    kernel(_p, x, a, s, e, st: FilterState, meta) {
      if (!st.out || st.out.length < e - s) st.out = new Float32Array(e - s);
      const out = st.out.subarray(0, e - s);
      filtfiltChunk(st.prep, x, a, s, e, meta.nSamples, out);
      return out;
    },
  },
});

export interface ReferenceStageParams { mode: 'car' | 'cmr' }

/** Per-sample mean (CAR) or median (CMR) of a group's filtered channels: any block size gives the same samples. */
export const referenceStage = defineStage<ReferenceStageParams>({
  name: 'reference',
  version: 1,
  scope: 'group',
  inputs: [{ stage: 'filter' }],
  output: { kind: 'samples' },
  weight: 0.5,
  /**
   * A common reference (mean or median over a channel group) of a group with one channel is that
   * channel itself: subtracting it zeroes the channel and every later stage fails. Refused up front.
   */
  validate(p, { meta, groups }) {
    const ref = p.mode.toUpperCase();
    for (const g of groups) {
      if (g.length >= 2) continue;
      throw new SpikeDeskError({
        code: 'BAD_PARAMETER',
        message: `a common ${ref} reference needs at least 2 channels per group, but group "${meta.channels[g[0]].group}" has only channel ${meta.channels[g[0]].name}: subtracting its own ${ref === 'CMR' ? 'median' : 'mean'} would zero it`,
        fix: 'set the reference to none for single-channel recordings, or sort more channels of the group',
      });
    }
  },
  run(p, ctx) {
    const n = ctx.meta.nSamples;
    const readers = ctx.channels.map((_, i) => ctx.reader('filter', i));
    const B = ctx.blockSamples;
    for (let s = 0; s < n; s += B) {
      const e = Math.min(n, s + B);
      ctx.emit(s, referenceSignal(readers.map((r) => r(s, e)), p.mode));
      ctx.progress(e / n);
    }
  },
});
