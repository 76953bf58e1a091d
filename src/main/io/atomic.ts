// Crash-safe file writing for every output of the app (exports, session files, corrected
// recordings): data goes to a temp file in the target's folder, is fsynced, then renamed over
// the target, and the folder is fsynced. A crash or an error leaves either the old file or
// the new one, never a half-written file under the final name; abort() removes the temp.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';

export interface AtomicOptions {
  /** Replace an existing target (default true); false gives OUTPUT_EXISTS. */
  overwrite?: boolean;
}

let counter = 0;

/** A typed WRITE_FAILED error naming the file, what failed and a fix for the usual causes. */
export function writeFailed(file: string, e: unknown, what: string): SpikeDeskError {
  if (e instanceof SpikeDeskError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = condense(e instanceof Error ? e.message : String(e));
  const full = code === 'ENOSPC' || /no space left|disk full|file write failed|write failed/i.test(msg);
  // h5wasm's heap (2 GB) or the process ran out: the disk is not the problem.
  const memory = /exceeds maximum memory|out of memory|allocation failed|Array buffer allocation/i.test(msg);
  const fix = full ? 'The disk is full (or the write was refused); free some space or choose another folder.'
    : memory ? 'The export did not fit in memory; export fewer channels, or decimate the result (tf: --decim), then try again.'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'Choose a folder you can write to.'
      : code === 'ENOENT' ? 'The folder does not exist; create it or choose another one.'
        : 'Check the disk and the folder permissions, then try again.';
  return new SpikeDeskError({ code: 'WRITE_FAILED', file, message: `Could not ${what} (${msg})`, fix });
}

/** One line out of a library's error text: HDF5 prints a whole error stack; keep its innermost "minor:" reason. */
export function condense(msg: string): string {
  const minors = [...msg.matchAll(/minor: ([^\n]+)/g)].map((m) => m[1].trim());
  const majors = [...msg.matchAll(/major: ([^\n]+)/g)].map((m) => m[1].trim());
  const line = minors.length ? `${majors[majors.length - 1] ?? 'HDF5'}: ${minors[minors.length - 1]}` : msg.split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

export class AtomicFileWriter {
  private fd: number | null;
  private written = 0;

  private constructor(readonly target: string, readonly tempPath: string, fd: number) {
    this.fd = fd;
  }

  static open(target: string, opts: AtomicOptions = {}): AtomicFileWriter {
    if (opts.overwrite === false && fs.existsSync(target)) {
      throw new SpikeDeskError({ code: 'OUTPUT_EXISTS', file: target, message: 'The output file already exists', fix: 'Choose another name, or allow overwriting.' });
    }
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
    try {
      return new AtomicFileWriter(target, temp, fs.openSync(temp, 'wx'));
    } catch (e) {
      throw writeFailed(target, e, 'create a temporary file next to the output');
    }
  }

  get bytesWritten(): number {
    return this.written;
  }

  write(chunk: Uint8Array | string): void {
    if (this.fd === null) throw new SpikeDeskError({ code: 'INTERNAL', file: this.target, message: 'Write after commit or abort' });
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    try {
      let off = 0;
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
      this.written += buf.length;
    } catch (e) {
      this.abort();
      throw writeFailed(this.target, e, 'write the output');
    }
  }

  /** fsync, close, rename over the target, fsync the folder. */
  commit(): void {
    if (this.fd === null) throw new SpikeDeskError({ code: 'INTERNAL', file: this.target, message: 'Commit after commit or abort' });
    try {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = null;
      fs.renameSync(this.tempPath, this.target);
    } catch (e) {
      this.abort();
      throw writeFailed(this.target, e, 'finish the output');
    }
    syncDir(path.dirname(this.target));
  }

  /** Close and delete the temp file; safe to call more than once. */
  abort(): void {
    if (this.fd !== null) {
      try { fs.closeSync(this.fd); } catch { /* already failing; the unlink below matters more */ }
      this.fd = null;
    }
    try { fs.unlinkSync(this.tempPath); } catch { /* gone already or never created */ }
  }
}

function syncDir(dir: string): void {
  // Makes the rename itself durable; some platforms cannot open a folder, which is harmless.
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch { /* not supported here */ } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

export function writeFileAtomic(target: string, data: Uint8Array | string, opts: AtomicOptions = {}): void {
  const w = AtomicFileWriter.open(target, opts);
  w.write(data);
  w.commit();
}

/** Run `fill` against a writer and commit, or abort on any error (then rethrow). */
export async function withAtomicFile<T>(target: string, fill: (w: AtomicFileWriter) => Promise<T> | T,
  opts: AtomicOptions = {}): Promise<T> {
  const w = AtomicFileWriter.open(target, opts);
  try {
    const r = await fill(w);
    w.commit();
    return r;
  } catch (e) {
    w.abort();
    throw e;
  }
}
