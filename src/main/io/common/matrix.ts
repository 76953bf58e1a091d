// A Source over a plain sample matrix in one file (raw .dat/.bin, Open Ephys, SpikeGLX,
// BrainVision): interleaved (multiplexed) or vectorized, int16/uint16/int32/float32 little-endian,
// with a per-channel scale and offset to uV. Reads go through a bounded buffer, so memory does
// not grow with the window length beyond the output arrays.

import type { RecordingMeta } from '../../../shared/recording';
import type { Source } from '../source';
import { checkFinite, checkRequest, outputs, type NonFinitePolicy } from './checks';
import { alignedBuffer, type BlockFile } from './file';

export type SampleType = 'int16' | 'uint16' | 'int32' | 'float32';

export const BYTES: Record<SampleType, number> = { int16: 2, uint16: 2, int32: 4, float32: 4 };

export interface MatrixLayout {
  dataOffset: number;
  /** Stored channels per frame (may exceed meta.channels when some are hidden). */
  stored: number;
  /** Stored column of each exposed channel. */
  column: number[];
  type: SampleType;
  orientation: 'interleaved' | 'vectorized';
  /** uV = raw * scale[c] + offset[c], per exposed channel. */
  scale: Float64Array;
  offset: Float64Array;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const INTERLEAVED_CHUNK = 256 * 1024;

export class MatrixSource implements Source {
  /** Samples replaced by 0 under nonFinite: 'zero', summed over all reads. */
  replaced = 0;
  private buf: Buffer | null = null;

  constructor(readonly meta: RecordingMeta, private readonly file: BlockFile, private readonly layout: MatrixLayout,
    private readonly policy: NonFinitePolicy = 'error') {}

  read(channels: number[], start: number, end: number, into?: Float32Array[]): Float32Array[] {
    checkRequest(this.meta, channels, start, end);
    const out = outputs(this.meta, channels, end - start, into);
    if (end > start && channels.length > 0) {
      if (this.layout.orientation === 'interleaved') this.readInterleaved(channels, start, end, out);
      else this.readVectorized(channels, start, end, out);
    }
    if (this.layout.type === 'float32') {
      channels.forEach((c, k) => {
        this.replaced += checkFinite(out[k].subarray(0, end - start), this.policy, this.meta.path, this.meta.channels[c].name, start);
      });
    }
    return out;
  }

  close(): void {
    this.file.close();
    this.buf = null;
  }

  private buffer(): Buffer {
    if (!this.buf) this.buf = alignedBuffer(CHUNK_BYTES);
    return this.buf;
  }

  private view(buf: Buffer, count: number): ArrayLike<number> {
    const ab = buf.buffer;
    switch (this.layout.type) {
      case 'int16': return new Int16Array(ab, 0, count);
      case 'uint16': return new Uint16Array(ab, 0, count);
      case 'int32': return new Int32Array(ab, 0, count);
      case 'float32': return new Float32Array(ab, 0, count);
    }
  }

  private readInterleaved(channels: number[], start: number, end: number, out: Float32Array[]): void {
    const { stored, type, dataOffset, column, scale, offset } = this.layout;
    const frameBytes = stored * BYTES[type];
    // Small chunks keep the strided per-channel passes inside the CPU cache.
    const framesPerChunk = Math.max(1, Math.floor(INTERLEAVED_CHUNK / frameBytes));
    const buf = frameBytes <= CHUNK_BYTES ? this.buffer() : alignedBuffer(frameBytes);
    for (let f0 = start; f0 < end; f0 += framesPerChunk) {
      const nf = Math.min(framesPerChunk, end - f0);
      this.file.readAt(dataOffset + f0 * frameBytes, nf * frameBytes, buf);
      const count = nf * stored;
      const base = f0 - start;
      for (let k = 0; k < channels.length; k++) {
        const c = channels[k];
        const dst = out[k];
        if (type === 'int16') strided16(new Int16Array(buf.buffer, 0, count), column[c], stored, nf, scale[c], offset[c], dst, base);
        else if (type === 'float32') stridedF32(new Float32Array(buf.buffer, 0, count), column[c], stored, nf, scale[c], offset[c], dst, base);
        else stridedAny(this.view(buf, count), column[c], stored, nf, scale[c], offset[c], dst, base);
      }
    }
  }

  private readVectorized(channels: number[], start: number, end: number, out: Float32Array[]): void {
    const { type, dataOffset, column, scale, offset } = this.layout;
    const bps = BYTES[type];
    const perChunk = Math.floor(CHUNK_BYTES / bps);
    const buf = this.buffer();
    for (let k = 0; k < channels.length; k++) {
      const c = channels[k];
      const colStart = dataOffset + column[c] * this.meta.nSamples * bps;
      for (let s0 = start; s0 < end; s0 += perChunk) {
        const n = Math.min(perChunk, end - s0);
        this.file.readAt(colStart + s0 * bps, n * bps, buf);
        const v = this.view(buf, n);
        const dst = out[k];
        const s = scale[c];
        const o = offset[c];
        for (let i = 0; i < n; i++) dst[s0 - start + i] = v[i] * s + o;
      }
    }
  }
}

// One monomorphic loop per sample type: V8 optimises each for its own array kind.
export function strided16(v: Int16Array, col: number, stride: number, n: number, s: number, o: number, dst: Float32Array, base: number): void {
  for (let i = 0, j = col; i < n; i++, j += stride) dst[base + i] = v[j] * s + o;
}

export function stridedF32(v: Float32Array, col: number, stride: number, n: number, s: number, o: number, dst: Float32Array, base: number): void {
  for (let i = 0, j = col; i < n; i++, j += stride) dst[base + i] = v[j] * s + o;
}

export function stridedAny(v: ArrayLike<number>, col: number, stride: number, n: number, s: number, o: number, dst: Float32Array, base: number): void {
  for (let i = 0, j = col; i < n; i++, j += stride) dst[base + i] = v[j] * s + o;
}

/** Decode column `col` of a row-major block of any numeric typed array (HDF5 slices). */
export function stridedTyped(v: ArrayLike<number | bigint>, col: number, stride: number, n: number, s: number, o: number,
  dst: Float32Array, base: number): void {
  if (v instanceof Int16Array) strided16(v, col, stride, n, s, o, dst, base);
  else if (v instanceof Float32Array) stridedF32(v, col, stride, n, s, o, dst, base);
  else if (v instanceof BigInt64Array || v instanceof BigUint64Array) stridedAny(Float64Array.from(v, Number), col, stride, n, s, o, dst, base);
  else stridedAny(v as ArrayLike<number>, col, stride, n, s, o, dst, base);
}
