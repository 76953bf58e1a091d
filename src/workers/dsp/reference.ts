// Common average (CAR) and common median (CMR) reference across the channels of one group:
// ref[t] = mean or median over channels of x_c[t], subtracted from every channel (as in SpikeInterface's
// common_reference with operator 'average' / 'median' and reference 'global' within a group).
// Works on aligned blocks of the same time range, so whole-channel and blocked runs agree exactly.

import { SpikeDeskError } from '../../shared/errors';

export type ReferenceKind = 'car' | 'cmr';

function checkBlocks(blocks: Float32Array[]): number {
  if (blocks.length === 0) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'no channels to reference', fix: 'select at least one channel in the group' });
  const n = blocks[0].length;
  for (const b of blocks) {
    if (b.length !== n) {
      throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `channel blocks differ in length (${b.length} vs ${n})`, fix: 'read the same time range for every channel of the group' });
    }
  }
  return n;
}

/** k-th smallest of v[0..len) (v is reordered); quickselect with median-of-three pivots. */
export function selectKth(v: Float64Array, len: number, k: number): number {
  let lo = 0, hi = len - 1;
  while (hi - lo > 8) {
    const mid = (lo + hi) >>> 1;
    // Order v[lo], v[mid], v[hi] so the pivot is their median.
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    const pivot = v[mid];
    let i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) { swap(v, i, j); i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k];
  }
  // Small range: insertion sort finishes it.
  for (let i = lo + 1; i <= hi; i++) {
    const t = v[i];
    let j = i - 1;
    while (j >= lo && v[j] > t) { v[j + 1] = v[j]; j--; }
    v[j + 1] = t;
  }
  return v[k];
}

function swap(v: Float64Array, i: number, j: number): void {
  const t = v[i]; v[i] = v[j]; v[j] = t;
}

/** Median of v[0..len) as numpy defines it (mean of the two middle values for an even count); reorders v. */
export function medianInPlace(v: Float64Array, len: number): number {
  const k = len >>> 1;
  const hi = selectKth(v, len, k);
  if (len % 2 === 1) return hi;
  // After selection every value below index k is <= v[k]; the lower middle is their maximum.
  let lo = -Infinity;
  for (let i = 0; i < k; i++) if (v[i] > lo) lo = v[i];
  return (lo + hi) / 2;
}

/** The reference signal of a channel group: per-sample mean ('car') or median ('cmr') over channels. */
export function referenceSignal(blocks: Float32Array[], kind: ReferenceKind): Float32Array {
  const n = checkBlocks(blocks);
  const c = blocks.length;
  const ref = new Float32Array(n);
  if (kind === 'car') {
    const acc = new Float64Array(n);
    for (const b of blocks) for (let t = 0; t < n; t++) acc[t] += b[t];
    for (let t = 0; t < n; t++) ref[t] = acc[t] / c;
    return ref;
  }
  if (kind !== 'cmr') throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `unknown reference "${kind as string}"`, fix: 'use car or cmr' });
  const v = new Float64Array(c);
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < c; k++) v[k] = blocks[k][t];
    ref[t] = medianInPlace(v, c);
  }
  return ref;
}

/** Subtract the reference from every block in place. */
export function subtractReference(blocks: Float32Array[], ref: Float32Array): void {
  checkBlocks([...blocks, ref]);
  for (const b of blocks) for (let t = 0; t < b.length; t++) b[t] -= ref[t];
}

/** Compute and subtract the group reference in place; returns the reference that was removed. */
export function applyReference(blocks: Float32Array[], kind: ReferenceKind): Float32Array {
  const ref = referenceSignal(blocks, kind);
  subtractReference(blocks, ref);
  return ref;
}
