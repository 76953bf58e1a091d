// The one NumPy .npy decoder (Open Ephys event timestamps and states, and the exporters' read-back
// of Phy folders through src/main/export/npy.ts, which holds the encoder): any header version,
// either byte order, C order only.

import * as fs from 'node:fs';
import { corrupt, fsError } from './errors';

const MAX_BYTES = 256 * 1024 * 1024;

export function readNpy1d(file: string): number[] {
  let buf: Buffer;
  try {
    if (fs.statSync(file).size > MAX_BYTES) throw corrupt(file, 'Event file is larger than expected');
    buf = fs.readFileSync(file);
  } catch (e) {
    throw fsError(e, file);
  }
  return parseNpy(buf, file);
}

/** The first `limit` values of a possibly large .npy file, reading only its first bytes. */
export function readNpyHead(file: string, limit: number): number[] {
  let buf: Buffer;
  let fd = -1;
  try {
    fd = fs.openSync(file, 'r');
    buf = Buffer.alloc(Math.min(fs.fstatSync(fd).size, 65536 + limit * 8));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    buf = buf.subarray(0, n);
  } catch (e) {
    throw fsError(e, file);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
  return parseNpy(buf, file, limit);
}

function parseNpy(buf: Buffer, file: string, limit = Infinity): number[] {
  return decodeNpyBuffer(buf, file, limit).values;
}

/** dtype (as written, e.g. '<i8'), shape and the first `limit` values of an .npy held in memory. */
export function decodeNpyBuffer(bytes: Uint8Array, file: string, limit = Infinity): { dtype: string; shape: number[]; values: number[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw corrupt(file, 'Not a NumPy .npy file (bad magic)');
  const major = buf[6];
  const hlen = major >= 2 ? (buf.length >= 12 ? buf.readUInt32LE(8) : -1) : buf.readUInt16LE(8);
  const hstart = major >= 2 ? 12 : 10;
  if (hlen < 0 || hstart + hlen > buf.length) throw corrupt(file, '.npy header runs past the end of the file');
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr'\s*:\s*'([<>|=]?)([a-z])(\d+)'/.exec(header);
  if (!descr) throw corrupt(file, '.npy header has no dtype');
  if (/'fortran_order'\s*:\s*True/.test(header)) throw corrupt(file, 'Fortran-ordered .npy is not expected here');
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  const dims = shape ? shape[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number) : [];
  const count = Math.min(limit, dims.reduce((a, b) => a * b, 1));
  const big = descr[1] === '>';
  const kind = descr[2];
  const size = Number(descr[3]);
  const data = hstart + hlen;
  if (!Number.isInteger(count) || count < 0 || data + count * size > buf.length) throw corrupt(file, '.npy data is shorter than its shape');
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const p = data + i * size;
    let v: number;
    if (kind === 'i' && size === 8) v = Number(big ? buf.readBigInt64BE(p) : buf.readBigInt64LE(p));
    else if (kind === 'u' && size === 8) v = Number(big ? buf.readBigUInt64BE(p) : buf.readBigUInt64LE(p));
    else if (kind === 'i' && size === 4) v = big ? buf.readInt32BE(p) : buf.readInt32LE(p);
    else if (kind === 'i' && size === 2) v = big ? buf.readInt16BE(p) : buf.readInt16LE(p);
    else if ((kind === 'i' || kind === 'u' || kind === 'b') && size === 1) v = kind === 'i' ? buf.readInt8(p) : buf[p];
    else if (kind === 'u' && size === 2) v = big ? buf.readUInt16BE(p) : buf.readUInt16LE(p);
    else if (kind === 'u' && size === 4) v = big ? buf.readUInt32BE(p) : buf.readUInt32LE(p);
    else if (kind === 'f' && size === 8) v = big ? buf.readDoubleBE(p) : buf.readDoubleLE(p);
    else if (kind === 'f' && size === 4) v = big ? buf.readFloatBE(p) : buf.readFloatLE(p);
    else throw corrupt(file, `Unsupported .npy dtype '${descr[1]}${descr[2]}${descr[3]}'`);
    out[i] = v;
  }
  return { dtype: `${descr[1]}${kind}${size}`, shape: dims, values: out };
}
