// A small NumPy .npy (format 1.0) writer for the Phy export: little-endian C-order arrays of
// int64, int32, uint32, float32 or float64 with any shape. Written atomically.

import { decodeNpyBuffer } from '../io/common/npy';
import { writeFileAtomic } from '../io/atomic';

export type NpyDtype = 'int64' | 'int32' | 'uint32' | 'float32' | 'float64';

const DESCR: Record<NpyDtype, [string, number]> = {
  int64: ['<i8', 8], int32: ['<i4', 4], uint32: ['<u4', 4], float32: ['<f4', 4], float64: ['<f8', 8],
};

/** The header of an .npy file (magic, version 1.0, dict, padding): the data bytes follow (streamed writers). */
export function npyHeader(shape: number[], dtype: NpyDtype): Uint8Array {
  const descr = DESCR[dtype][0];
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // Magic (6) + version (2) + length (2) + header + padding + '\n' is a multiple of 64.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

/** The bytes of an .npy file; `data` values are converted to the dtype (int64 from any integer). */
export function encodeNpy(data: ArrayLike<number> | BigInt64Array, shape: number[], dtype: NpyDtype): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape ${shape.join('x')} needs ${count} values, got ${data.length}`);
  const size = DESCR[dtype][1];
  const head = npyHeader(shape, dtype);
  const out = new Uint8Array(head.length + count * size);
  out.set(head, 0);
  const body = out.subarray(head.length);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    switch (dtype) {
      case 'int64': view.setBigInt64(i * 8, typeof v === 'bigint' ? v : BigInt(Math.round(v)), true); break;
      case 'int32': view.setInt32(i * 4, Number(v), true); break;
      case 'uint32': view.setUint32(i * 4, Number(v), true); break;
      case 'float32': view.setFloat32(i * 4, Number(v), true); break;
      case 'float64': view.setFloat64(i * 8, Number(v), true); break;
    }
  }
  return out;
}

export function writeNpy(file: string, data: ArrayLike<number> | BigInt64Array, shape: number[], dtype: NpyDtype): void {
  writeFileAtomic(file, encodeNpy(data, shape, dtype));
}

/** Read back an .npy (one decoder for the app: src/main/io/common/npy.ts). */
export function decodeNpy(buf: Uint8Array, file = '.npy file'): { dtype: string; shape: number[]; values: number[] } {
  return decodeNpyBuffer(buf, file);
}
