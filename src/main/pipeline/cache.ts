// The session cache: where a recording's session folder lives, how a stage result is keyed, and
// crash-safe writes. A stage key hashes its parameters, everything upstream and the identity of
// the source file, so a changed clustering parameter leaves the filter and detect entries valid.

import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceRef } from '../../shared/recording';
import { ensurePrivateDir, fallbackSessionRoot } from '../security/private-dir';

/** Bump when the cache's layout changes so old entries stop matching (an algorithm change bumps its stage's version). */
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
export function sessionDirFor(recordingPath: string, fallbackRoot = fallbackSessionRoot()): string {
  const abs = path.resolve(recordingPath);
  const beside = `${abs}.spikedesk`;
  if (writable(beside)) return beside;
  const tag = createHash('sha1').update(abs).digest('hex').slice(0, 12);
  // Under the user's own data dir, mode 0700, ownership and mode verified (never a shared $TMPDIR folder).
  ensurePrivateDir(fallbackRoot);
  const alt = ensurePrivateDir(path.join(fallbackRoot, `${path.basename(abs)}-${tag}`));
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

/**
 * Write a whole file crash-safely: temp file, fsync, rename, so readers never see half a file.
 * `durable: false` skips the fsync: only for cache outputs, whose completion record (size +
 * sha256, checked before every reuse) already turns a file torn by a power loss into a recompute.
 */
export function writeFileAtomicSync(target: string, data: string | Uint8Array, opts: { durable?: boolean } = {}): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempNameFor(target);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    if (opts.durable !== false) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
}

/**
 * Streamed variant for large per-channel results: append blocks, then commit (rename + completion
 * record). No fsync: these are derived cache entries, verified by their completion record's sha256
 * before reuse, so a crash costs a recompute, never a wrong result; fsyncing hundreds of MB per
 * run serialised the workers on the disk (the 2-vs-1 worker scaling of issue 12).
 */
export class AtomicStream {
  private fd: number | null;
  readonly tmp: string;
  private readonly hash = createHash('sha256');
  private size = 0;

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
    this.hash.update(bytes);
    this.size += bytes.length;
  }

  commit(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    fs.renameSync(this.tmp, this.target);
    writeCompletion(this.target, this.size, this.hash.digest('hex'));
  }

  abort(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(this.tmp, { force: true });
  }
}

// ---- completion records: size + sha256 of every cache output, verified before reuse ----

/** The completion record of a cache output: written (atomically) only after the output itself. */
export function completionPath(file: string): string {
  return `${file}.done`;
}

interface Completion { v: 1; size: number; sha256: string }

export function writeCompletion(file: string, size: number, sha256: string): void {
  // A lost or torn record only means the output is computed again (verifyOutput), so no fsync.
  writeFileAtomicSync(completionPath(file), JSON.stringify({ v: 1, size, sha256 } satisfies Completion), { durable: false });
}

/** Write a whole cache output atomically (no fsync, see AtomicStream), then its completion record. */
export function writeOutputAtomicSync(file: string, data: Uint8Array): void {
  writeFileAtomicSync(file, data, { durable: false });
  writeCompletion(file, data.byteLength, createHash('sha256').update(data).digest('hex'));
}

export function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * MB);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * True when `file` is complete: its completion record exists and the file has the recorded size
 * and sha256. A truncated, damaged or unrecorded output (and its record) is removed, so the stage
 * is computed again instead of being trusted because it exists.
 */
export function verifyOutput(file: string): boolean {
  let rec: Completion | null = null;
  try { rec = JSON.parse(fs.readFileSync(completionPath(file), 'utf8')) as Completion; } catch { rec = null; }
  let ok = false;
  try {
    ok = !!rec && rec.v === 1 && fs.statSync(file).size === rec.size && sha256File(file) === rec.sha256;
  } catch {
    ok = false;
  }
  if (!ok) {
    fs.rmSync(file, { force: true });
    fs.rmSync(completionPath(file), { force: true });
  }
  return ok;
}

/**
 * Whether `file` looks like a finished cache entry (its completion record and size match), without
 * hashing it or removing anything: for estimates before a run; the run itself uses verifyOutput.
 */
export function looksCached(file: string): boolean {
  try {
    const rec = JSON.parse(fs.readFileSync(completionPath(file), 'utf8')) as Completion;
    return rec.v === 1 && fs.statSync(file).size === rec.size;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * On opening a session: delete temp files (`*.tmp-<pid>-<hex>`) whose writer process is gone,
 * anywhere under the session folder. Temp files of live processes (another run) are left alone.
 */
export function removeOrphanTemps(dir: string, depth = 4): number {
  let n = 0;
  let entries: fs.Dirent[] = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return 0; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && depth > 0) { n += removeOrphanTemps(p, depth - 1); continue; }
    const m = /\.tmp-(\d+)-[0-9a-f]+$/.exec(e.name);
    if (!m || !e.isFile() || pidAlive(Number(m[1]))) continue;
    fs.rmSync(p, { force: true });
    n++;
  }
  return n;
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
