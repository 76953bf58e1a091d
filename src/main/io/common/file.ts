// Positional, synchronous file access for the readers: open once, read exactly the bytes a
// block needs (readSync with a position), and turn short reads into FILE_TRUNCATED errors.

import * as fs from 'node:fs';
import { fsError, ioError, truncated } from './errors';

export class BlockFile {
  private fd: number | null;

  private constructor(readonly path: string, fd: number, readonly size: number) {
    this.fd = fd;
  }

  static open(path: string): BlockFile {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (e) {
      throw fsError(e, path);
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      return new BlockFile(path, fd, st.size);
    } catch (e) {
      fs.closeSync(fd);
      throw fsError(e, path);
    }
  }

  /** Fill `into` (or a new buffer of `length`) from byte `pos`; a short read is FILE_TRUNCATED. */
  readAt(pos: number, length: number, into?: Buffer): Buffer {
    if (this.fd === null) throw ioError('BAD_REQUEST', this.path, 'The file was already closed', 'Open the recording again.');
    const buf = into ?? Buffer.allocUnsafe(length);
    if (pos + length > this.size) {
      throw truncated(this.path, `Needs bytes ${pos}..${pos + length} but the file has ${this.size} bytes`);
    }
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = fs.readSync(this.fd, buf, done, length - done, pos + done);
      } catch (e) {
        throw fsError(e, this.path);
      }
      if (n === 0) throw truncated(this.path, `The file ended at byte ${pos + done} while reading ${length} bytes at ${pos}`);
      done += n;
    }
    return buf;
  }

  /** Up to `max` bytes from the start (for magic-byte detection). */
  head(max: number): Buffer {
    return this.readAt(0, Math.min(max, this.size));
  }

  close(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** A buffer whose ArrayBuffer starts at offset 0, so typed-array views over it are aligned. */
export function alignedBuffer(bytes: number): Buffer {
  return Buffer.from(new ArrayBuffer(Math.max(8, Math.ceil(bytes / 8) * 8)), 0, bytes);
}

/** Read a whole (small) sidecar text file, decoding UTF-8 or, when invalid, Latin-1. */
export function readText(path: string, maxBytes = 16 * 1024 * 1024): string {
  let buf: Buffer;
  try {
    const st = fs.statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (st.size > maxBytes) {
      throw ioError('FORMAT_CORRUPT', path, `Text header is ${st.size} bytes, larger than any valid header`, 'Check that you opened the header file, not the data file.');
    }
    buf = fs.readFileSync(path);
  } catch (e) {
    throw fsError(e, path);
  }
  return decodeText(buf);
}

export function decodeText(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    return buf.toString('latin1');
  }
}

export function exists(path: string): boolean {
  try {
    fs.statSync(path);
    return true;
  } catch {
    return false;
  }
}
