// A tiny container for one channel's stage result: a JSON header (scalars and array layout)
// followed by the raw bytes of a few typed arrays. Written atomically, so an existing bundle
// is never half-written; its completion record (size + sha256, cache.ts) says it is the one written.

import * as fs from 'node:fs';
import { writeOutputAtomicSync } from './cache';

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;
const CTORS = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;
type Tag = keyof typeof CTORS;

function tagOf(a: Typed): Tag {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

const MAGIC = 'SDBUNDLE';

export interface Bundle {
  info: Record<string, unknown>;
  arrays: Record<string, Typed>;
}

export function encodeBundle(b: Bundle): Buffer {
  const layout: { name: string; tag: Tag; offset: number; length: number }[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(b.arrays)) {
    offset = Math.ceil(offset / 8) * 8; // keep every array aligned for zero-copy views
    layout.push({ name, tag: tagOf(a), offset, length: a.length });
    offset += a.byteLength;
  }
  const header = Buffer.from(JSON.stringify({ info: b.info, layout }), 'utf8');
  const headerLen = Math.ceil((16 + header.length) / 8) * 8;
  const out = Buffer.alloc(headerLen + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 16);
  for (const l of layout) {
    const a = b.arrays[l.name];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, headerLen + l.offset);
  }
  return out;
}

export function decodeBundle(buf: Buffer, file = 'bundle'): Bundle {
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a cache bundle`);
  const hlen = buf.readUInt32LE(8);
  const { info, layout } = JSON.parse(buf.toString('utf8', 16, 16 + hlen)) as {
    info: Record<string, unknown>; layout: { name: string; tag: Tag; offset: number; length: number }[];
  };
  const base = Math.ceil((16 + hlen) / 8) * 8;
  const arrays: Record<string, Typed> = {};
  for (const l of layout) {
    const C = CTORS[l.tag];
    const bytes = l.length * C.BYTES_PER_ELEMENT;
    // Copy into a fresh buffer: Node's pooled Buffers are not aligned for every element size.
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(base + l.offset, base + l.offset + bytes));
    arrays[l.name] = new C(copy.buffer);
  }
  return { info, arrays };
}

export function writeBundle(file: string, b: Bundle): void {
  writeOutputAtomicSync(file, encodeBundle(b));
}

export function readBundle(file: string): Bundle {
  return decodeBundle(fs.readFileSync(file), file);
}
