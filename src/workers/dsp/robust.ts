// Exact median of |x| for Float32 channels without sorting the channel (the noise estimate of spike
// detection, Quiroga 2004). Two passes: a histogram over the top 16 bits of |x|'s float32 bit pattern
// (monotonic in the value for non-negative floats, so it ranks values exactly by bin), then a selection
// among the few values of the bin(s) holding the middle rank. Reads through a block reader, so the
// whole-channel and low-memory modes run the same code and get the identical result.

import { SpikeDeskError } from '../../shared/errors';
import { selectKth } from './reference';

export type Float32Reader = (start: number, end: number) => Float32Array;

const BINS = 1 << 15;

function bits(block: Float32Array): Uint32Array {
  // A Float32Array's byte offset is always a multiple of 4, so the same memory can be read as bits.
  return new Uint32Array(block.buffer, block.byteOffset, block.length);
}

/** Median of |x| over samples [0, n) read in blocks (numpy convention: mean of the middle two for even n). */
export function medianAbsBlocked(read: Float32Reader, n: number, blockSize = 1 << 20): number {
  if (!(n > 0)) throw new SpikeDeskError({ code: 'BAD_SAMPLES', message: 'no samples to estimate the noise from', fix: 'use a longer recording or window' });
  const hist = new Uint32Array(BINS);
  for (let s = 0; s < n; s += blockSize) {
    const u = bits(read(s, Math.min(n, s + blockSize)));
    for (let i = 0; i < u.length; i++) hist[(u[i] & 0x7fffffff) >>> 16]++;
  }
  for (let b = 0x7f81; b < BINS; b++) {
    if (hist[b] > 0) throw new SpikeDeskError({ code: 'BAD_SAMPLES', message: 'the signal contains NaN values', fix: 'check the recording for gaps or corrupt samples' });
  }
  const kLo = (n - 1) >>> 1, kHi = n >>> 1;
  // Bins holding ranks kLo and kHi, and how many values lie below the first of them.
  let cum = 0, bLo = -1, bHi = -1, below = 0;
  for (let b = 0; b < BINS && bHi < 0; b++) {
    if (bLo < 0 && cum + hist[b] > kLo) { bLo = b; below = cum; }
    if (cum + hist[b] > kHi) bHi = b;
    cum += hist[b];
  }
  let count = 0;
  for (let b = bLo; b <= bHi; b++) count += hist[b];
  const vals = new Float64Array(count);
  let m = 0;
  const first = bLo << 16, last = ((bHi + 1) << 16) - 1;
  for (let s = 0; s < n; s += blockSize) {
    const block = read(s, Math.min(n, s + blockSize));
    const u = bits(block);
    for (let i = 0; i < u.length; i++) {
      const a = u[i] & 0x7fffffff;
      if (a >= first && a <= last) vals[m++] = Math.abs(block[i]);
    }
  }
  const lo = selectKth(vals, count, kLo - below);
  if (kHi === kLo) return lo;
  // The next rank is the smallest value above index kLo - below after selection.
  let hi = Infinity;
  for (let i = kLo - below + 1; i < count; i++) if (vals[i] < hi) hi = vals[i];
  return (lo + hi) / 2;
}

/** Median of |x| of a whole Float32 array. */
export function medianAbs(x: Float32Array): number {
  return medianAbsBlocked((s, e) => x.subarray(s, e), x.length, x.length || 1);
}
