// The session cache: where a recording's session folder lives, how a stage result is keyed, and
// crash-safe writes. A stage key hashes its parameters, everything upstream and the identity of
// the source file, so a changed clustering parameter leaves the filter and detect entries valid.

import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SourceRef } from '../../shared/recording';

/** Bump when a stage's algorithm changes so old cache entries stop matching. */
export const CACHE_VERSION = 1;

export interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha1 of the first and the last MB of the file. */
  headTail: string;
}

const MB = 1 << 20;

export function sourceIdentity(file: string): SourceIdentity {
  const abs = path.resolve(file);
  const st = fs.statSync(abs);
  const h = createHash('sha1');
  const fd = fs.openSync(abs, 'r');
  try {
    const n = Math.min(MB, st.size);
    const buf = Buffer.alloc(n);
    fs.readSync(fd, buf, 0, n, 0);
    h.update(buf);
    if (st.size > MB) {
      const m = Math.min(MB, st.size - MB);
      const tail = Buffer.alloc(m);
      fs.readSync(fd, tail, 0, m, st.size - m);
      h.update(tail);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { path: abs, size: st.size, mtimeMs: st.mtimeMs, headTail: h.digest('hex') };
}

/** Stable JSON (sorted keys) so equal parameter objects always hash alike. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function hashOf(...parts: unknown[]): string {
  return createHash('sha256').update(stableJson([CACHE_VERSION, ...parts])).digest('hex').slice(0, 16);
}

/** Key of everything that identifies the input samples: file identity plus how it is opened. */
export function sourceKey(id: SourceIdentity, ref: SourceRef): string {
  return hashOf('source', id, ref.open ?? {});
}

function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    fs.writeFileSync(probe, '');
    fs.unlinkSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * The session folder `<recording>.spikedesk/` next to the recording; when that folder cannot be
 * written (read-only media, shared drive) a per-user folder keyed by the recording's path.
 */
export function sessionDirFor(recordingPath: string, fallbackRoot = path.join(os.tmpdir(), 'spikedesk-sessions')): string {
  const abs = path.resolve(recordingPath);
  const beside = `${abs}.spikedesk`;
  if (writable(beside)) return beside;
  const tag = createHash('sha1').update(abs).digest('hex').slice(0, 12);
  const alt = path.join(fallbackRoot, `${path.basename(abs)}-${tag}`);
  if (!writable(alt)) throw new Error(`cannot create a session folder at ${beside} or ${alt}`);
  return alt;
}

/** Temp name next to the target, unique per writer, recognisable for clean-up. */
export function tempNameFor(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

export function isTempName(name: string): boolean {
  return /\.tmp-\d+-[0-9a-f]+$/.test(name);
}

/** Write a whole file crash-safely: temp file, fsync, rename, so readers never see half a file. */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempNameFor(target);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
}

/** Streamed variant for large per-channel results: append blocks, then commit (fsync + rename). */
export class AtomicStream {
  private fd: number | null;
  readonly tmp: string;

  constructor(readonly target: string) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    this.tmp = tempNameFor(target);
    this.fd = fs.openSync(this.tmp, 'w');
  }

  write(data: ArrayBufferView): void {
    if (this.fd === null) throw new Error('stream already closed');
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
  }

  commit(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
    fs.renameSync(this.tmp, this.target);
  }

  abort(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(this.tmp, { force: true });
  }
}

/**
 * Remove temp files a killed worker left behind: every temp file of the given targets, or with
 * no targets every temp file of the folder (only when nothing else writes there).
 */
export function removeTempFiles(dir: string, targets?: string[]): number {
  let n = 0;
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { return 0; }
  const bases = targets?.map((t) => `${path.basename(t)}.tmp-`);
  for (const name of names) {
    if (!isTempName(name)) continue;
    if (bases && !bases.some((b) => name.startsWith(b))) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    n++;
  }
  return n;
}
