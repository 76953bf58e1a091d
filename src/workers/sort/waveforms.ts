// Spike waveform extraction: row-major nSpikes x (pre + post) Float32 matrices, row r holding samples
// [t_r - pre, t_r + post) of the channel. Works on a whole channel (offset 0) or on a block holding
// absolute samples [offset, offset + x.length); the aligned variant resamples at sub-sample peak times
// with cubic convolution (see dsp/interp.ts), as wave_clus does after upsampled alignment.

import { SpikeDeskError } from '../../shared/errors';
import { cubicAt } from '../dsp/interp';

function outOfRange(t: number, offset: number, len: number, pre: number, post: number): never {
  throw new SpikeDeskError({
    code: 'BAD_PARAMETER',
    message: `spike at sample ${t} needs samples [${t - pre}, ${t + post}) but the data covers [${offset}, ${offset + len})`,
    fix: 'detect with the same pre/post window, or read the block with a larger margin',
  });
}

function checkWindow(pre: number, post: number): void {
  if (!Number.isInteger(pre) || !Number.isInteger(post) || pre < 0 || post < 0 || pre + post < 1) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `waveform window pre=${pre}, post=${post} is invalid`, fix: 'use whole sample counts, e.g. 30 before and 45 after' });
  }
}

/** Waveforms at integer peak samples (absolute indices). */
export function extractWaveforms(x: Float32Array, samples: ArrayLike<number>, pre: number, post: number, offset = 0): Float32Array {
  checkWindow(pre, post);
  const w = pre + post;
  const out = new Float32Array(samples.length * w);
  for (let r = 0; r < samples.length; r++) {
    const start = samples[r] - pre - offset;
    if (start < 0 || start + w > x.length) outOfRange(samples[r], offset, x.length, pre, post);
    out.set(x.subarray(start, start + w), r * w);
  }
  return out;
}

/**
 * Waveforms resampled at fractional peak times: row r holds the signal at t_r - pre + k, k = 0..pre+post-1.
 * Needs one extra sample on each side of the window (clamped at the recording edges 0 and nTotal).
 */
export function extractWaveformsAligned(
  x: Float32Array, times: ArrayLike<number>, pre: number, post: number, offset = 0, nTotal = offset + x.length,
): Float32Array {
  checkWindow(pre, post);
  const w = pre + post;
  const out = new Float32Array(times.length * w);
  for (let r = 0; r < times.length; r++) {
    const t0 = times[r] - pre;
    const first = Math.max(0, Math.floor(t0) - 1), last = Math.min(nTotal - 1, Math.ceil(t0 + w - 1) + 2);
    if (first < offset || last >= offset + x.length) outOfRange(Math.round(times[r]), offset, x.length, pre + 1, post + 2);
    for (let k = 0; k < w; k++) out[r * w + k] = cubicAt(x, offset, nTotal, t0 + k);
  }
  return out;
}
