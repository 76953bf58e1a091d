// A tiny container for one channel's stage result: a JSON header (scalars and array layout)
// followed by the raw bytes of a few typed arrays. Written atomically, so an existing bundle
// is never half-written; its completion record (size + sha256, cache.ts) says it is the one written.

import * as fs from 'node:fs';
import { AtomicStream } from './cache';

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

interface Layout { name: string; tag: Tag; offset: number; length: number }

/** The header bytes (magic, JSON length, JSON, padding to 8) and each array's offset after it. */
function layoutOf(b: Bundle): { head: Buffer; layout: Layout[] } {
  const layout: Layout[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(b.arrays)) {
    offset = Math.ceil(offset / 8) * 8; // keep every array aligned for zero-copy views
    layout.push({ name, tag: tagOf(a), offset, length: a.length });
    offset += a.byteLength;
  }
  const header = Buffer.from(JSON.stringify({ info: b.info, layout }), 'utf8');
  const head = Buffer.alloc(Math.ceil((16 + header.length) / 8) * 8);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(header.length, 8);
  header.copy(head, 16);
  return { head, layout };
}

/** The bundle's bytes in order: header, then each array after zero padding to its offset. */
function pieces(b: Bundle, emit: (bytes: Uint8Array) => void): void {
  const { head, layout } = layoutOf(b);
  emit(head);
  let at = 0;
  for (const l of layout) {
    if (l.offset > at) emit(new Uint8Array(l.offset - at));
    const a = b.arrays[l.name];
    emit(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    at = l.offset + a.byteLength;
  }
}

interface Header {
  info: Record<string, unknown>;
  layout: Layout[];
  /** Where the arrays start (bytes from the file's start). */
  base: number;
}

/** The header of a bundle from its first bytes (`head` holds at least 16; `more` reads the JSON). */
function parseHeader(head: Buffer, file: string, more: (from: number, to: number) => Buffer): Header {
  if (head.length < 16 || head.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a cache bundle`);
  const hlen = head.readUInt32LE(8);
  const { info, layout } = JSON.parse(more(16, 16 + hlen).toString('utf8')) as Omit<Header, 'base'>;
  return { info, layout, base: Math.ceil((16 + hlen) / 8) * 8 };
}

export function decodeBundle(buf: Buffer, file = 'bundle'): Bundle {
  const { info, layout, base } = parseHeader(buf, file, (a, b) => buf.subarray(a, b));
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

/** Written piece by piece (the arrays are not copied into one buffer first: a tf channel is tens of MB). */
export function writeBundle(file: string, b: Bundle): void {
  const out = new AtomicStream(file);
  try {
    pieces(b, (x) => out.write(x));
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

export function readBundle(file: string): Bundle {
  return decodeBundle(fs.readFileSync(file), file);
}

/** One array of a bundle file, located from the header alone. */
export interface BundleArray {
  tag: Tag;
  length: number;
  /** Byte offset in the file. */
  start: number;
  bytes: number;
}

function readAt(fd: number, buf: Uint8Array, position: number, file: string): void {
  let off = 0;
  while (off < buf.length) {
    const n = fs.readSync(fd, buf, off, buf.length - off, position + off);
    if (n === 0) throw new Error(`${file} ends early (a cache bundle cut short)`);
    off += n;
  }
}

/**
 * A bundle's scalars and where its arrays lie, and a reader that copies one array to `write` in
 * pieces of at most `piece` bytes through one reused buffer: for exports of outputs too large to
 * hold whole (a time-frequency channel is freqs x times float32; decoding one copies it twice).
 */
export function openBundleStream(file: string): {
  info: Record<string, unknown>;
  arrays: Record<string, BundleArray>;
  copy(name: string, write: (bytes: Uint8Array) => void, piece?: number): void;
  /** Fills `into` with the array's bytes from element `from` on (random access, nothing else read). */
  read(name: string, from: number, into: Uint8Array): void;
  close(): void;
} {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (a: number, b: number): Buffer => { const x = Buffer.alloc(b - a); readAt(fd, x, a, file); return x; };
    const h = parseHeader(read(0, Math.min(16, size)), file, read);
    const arrays: Record<string, BundleArray> = {};
    for (const l of h.layout) {
      const bytes = l.length * CTORS[l.tag].BYTES_PER_ELEMENT;
      const start = h.base + l.offset;
      if (start + bytes > size) throw new Error(`${file} ends early (a cache bundle cut short)`);
      arrays[l.name] = { tag: l.tag, length: l.length, start, bytes };
    }
    const arrayOf = (name: string): BundleArray => arrays[name] ?? (() => { throw new Error(`${file} has no array ${name}`); })();
    return {
      info: h.info, arrays,
      copy(name, write, piece = 1 << 22) {
        const a = arrayOf(name);
        const buf = new Uint8Array(Math.min(piece, Math.max(1, a.bytes)));
        for (let at = 0; at < a.bytes; at += buf.length) {
          const n = Math.min(buf.length, a.bytes - at);
          const view = n === buf.length ? buf : buf.subarray(0, n);
          readAt(fd, view, a.start + at, file);
          write(view);
        }
      },
      read(name, from, into) {
        const a = arrayOf(name);
        const at = from * CTORS[a.tag].BYTES_PER_ELEMENT;
        if (!(at >= 0 && at + into.length <= a.bytes)) throw new Error(`${file}: bytes ${at}-${at + into.length} are outside array ${name} (${a.bytes} bytes)`);
        readAt(fd, into, a.start + at, file);
      },
      close: () => fs.closeSync(fd),
    };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}
