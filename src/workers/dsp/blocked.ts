// Streaming zero-phase filtering for the low-memory run mode: the channel is filtered in time blocks,
// each read with `margin` extra samples on both sides (SpikeInterface's chunk-with-margin scheme), so
// peak memory is bounded by the block size while the output equals whole-array sosfiltfilt.
// At the true recording edges a block gets scipy's odd extension and sosfilt_zi initial conditions, so
// edge samples are reproduced exactly; at inner block sides the filter starts from the steady state of
// the margin's end sample (removes any DC offset) and the margin absorbs the remaining transient.
// The default margin is where the cascade's impulse response has decayed below 1e-9 of its peak.

import { SpikeDeskError } from '../../shared/errors';
import { filtfiltSegment, prepareFiltfilt, sosfiltInPlace, sosSections, type Samples } from './sos';

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

/** Largest pole radius of the cascade (>= 1 means unstable). */
export function maxPoleRadius(sos: Float64Array): number {
  let r = 0;
  for (let o = 0; o < sos.length; o += 6) {
    const a1 = sos[o + 4], a2 = sos[o + 5];
    const disc = a1 * a1 - 4 * a2;
    // Complex pair: |p|^2 = a2. Real roots: (-a1 +- sqrt(disc)) / 2.
    r = Math.max(r, disc < 0 ? Math.sqrt(a2) : Math.max(Math.abs((-a1 + Math.sqrt(disc)) / 2), Math.abs((-a1 - Math.sqrt(disc)) / 2)));
  }
  return r;
}

/**
 * Samples after which the cascade's impulse response stays below `tol` times its peak (at least the
 * sosfiltfilt pad length + 1, so a block at a recording edge can be odd-extended). `fs` only caps the
 * search at 60 s of samples (default cap 10^7 samples).
 */
export function requiredMargin(sos: Float64Array, fs?: number, tol = 1e-9): number {
  const n = sosSections(sos);
  if (n === 0) return 0;
  if (!(maxPoleRadius(sos) < 1)) bad('the filter is unstable (a pole lies on or outside the unit circle)', 'use a stable filter design');
  const padlen = prepareFiltfilt(sos).padlen;
  const cap = fs && fs > 0 ? Math.ceil(60 * fs) : 10_000_000;
  const chunk = 4096;
  const zi = new Float64Array(2 * n);
  const buf = new Float64Array(chunk);
  let peak = 0, last = 0, done = 0;
  buf[0] = 1;
  // The response decays geometrically, so once a stretch as long as everything before it has stayed
  // below the tolerance, it stays there.
  while (done < cap && (done === 0 || done <= 2 * last + 1024)) {
    sosfiltInPlace(sos, buf, zi);
    for (let i = 0; i < chunk; i++) {
      const a = Math.abs(buf[i]);
      if (a > peak) peak = a;
      if (a > tol * peak) last = done + i;
    }
    done += chunk;
    buf.fill(0);
  }
  return Math.max(Math.min(last + 1, cap), padlen + 1);
}

/** Reads samples [start, end) of the channel; must return exactly end - start values. */
export type BlockReader = (start: number, end: number) => Samples;
/** Receives the filtered samples [start, start + out.length); `out` may be reused after the call. */
export type BlockSink = (start: number, out: Float32Array) => void;

/**
 * Zero-phase filter a channel of n samples in blocks of blockSize, reading [start - margin, end + margin)
 * for each block. With onBlock the result is streamed block by block (low-memory mode) and nothing is
 * returned; without it the whole filtered channel is returned. The output equals sosfiltfilt(sos, x) to
 * about 1e-9 of max |x| with the default margin, for every blockSize.
 */
export function filtfiltBlocked(sos: Float64Array, read: BlockReader, n: number, blockSize: number, margin?: number): Float32Array;
export function filtfiltBlocked(sos: Float64Array, read: BlockReader, n: number, blockSize: number, margin: number | undefined, onBlock: BlockSink): void;
export function filtfiltBlocked(
  sos: Float64Array, read: BlockReader, n: number, blockSize: number, margin?: number, onBlock?: BlockSink,
): Float32Array | void {
  if (!Number.isInteger(n) || n < 0) bad(`channel length ${n} is not a sample count`, 'pass the number of samples');
  if (!Number.isInteger(blockSize) || blockSize < 1) bad(`block size ${blockSize} is not a positive integer`, 'use e.g. 1,000,000 samples');
  if (margin !== undefined && !(Number.isInteger(margin) && margin >= 0)) bad(`margin ${margin} is not a sample count`, 'omit it to use requiredMargin(sos)');
  const prep = prepareFiltfilt(sos);
  const whole = onBlock ? undefined : new Float32Array(n);
  checkFiltfiltLength(prep, n);
  const m = blockedMargin(sos, margin);
  for (let s = 0; s < n; s += blockSize) {
    const e = Math.min(n, s + blockSize);
    const a = Math.max(0, s - m), b = Math.min(n, e + m);
    const seg = read(a, b);
    if (seg.length !== b - a) bad(`the reader returned ${seg.length} samples for [${a}, ${b})`, 'return exactly end - start samples');
    const out = whole ? whole.subarray(s, e) : new Float32Array(e - s);
    filtfiltChunk(prep, seg, a, s, e, n, out);
    onBlock?.(s, out);
  }
  return whole;
}

/** The margin blocks are read with: at least the pad length + 1, so an edge block can be odd-extended. */
export function blockedMargin(sos: Float64Array, margin?: number): number {
  return sosSections(sos) === 0 ? 0 : Math.max(margin ?? requiredMargin(sos), prepareFiltfilt(sos).padlen + 1);
}

/** Zero-phase filtering needs more samples than the pad length (as scipy's sosfiltfilt): a clear error. */
export function checkFiltfiltLength(prep: ReturnType<typeof prepareFiltfilt>, n: number): void {
  if (prep.plan.nSections > 0 && n <= prep.padlen) {
    bad(`the signal has ${n} samples, but zero-phase filtering needs more than the pad length ${prep.padlen}`,
      'filter a longer stretch of data or use a lower filter order');
  }
}

/**
 * One block of filtfiltBlocked: seg holds samples [a, a + seg.length) of a channel of n samples,
 * covering [s - margin, e + margin) clipped; writes the filtered samples [s, e) into out.
 */
export function filtfiltChunk(prep: ReturnType<typeof prepareFiltfilt>, seg: Samples, a: number, s: number, e: number, n: number, out: Float32Array): void {
  const { plan, ziPlan, padlen } = prep;
  const b = a + seg.length;
  if (plan.nSections === 0) out.set(seg.subarray(s - a, e - a));
  else filtfiltSegment(plan, ziPlan, seg, a === 0 ? padlen : 0, b === n ? padlen : 0, s - a, e - a, out, 0);
}
