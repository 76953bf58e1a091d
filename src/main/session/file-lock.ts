// OS-level lock files: created with O_EXCL (atomic on local file systems), holding the holder's pid,
// host and a random token. A lock whose holder process is gone (same host, pid not alive) is stale
// and taken over; a lock of a live process is respected. Used for one curator per session
// (session.lock) and for short read-modify-write sections (session.json).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

export interface LockHolder { pid: number; host: string; token: string; since: string; what: string }

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof h?.pid === 'number' && typeof h.token === 'string' ? h : null;
  } catch {
    return null;
  }
}

/**
 * The state of an existing lock file: 'gone' (released since the create failed: just retry),
 * 'stale' (its holder is certainly gone: same host, dead pid; or unreadable garbage for a while)
 * or 'held'. `content` is what was judged, so a taker can check it moved that very file aside.
 */
function lockState(file: string): { state: 'gone' | 'stale' | 'held'; content: string | null } {
  let content: string;
  try { content = fs.readFileSync(file, 'utf8'); } catch { return { state: 'gone', content: null }; }
  const h = readHolder(file);
  if (!h) {
    // Unparsable: a holder that crashed between create and write. Give it a moment before taking over.
    try { return { state: Date.now() - fs.statSync(file).mtimeMs > 2000 ? 'stale' : 'held', content }; } catch { return { state: 'gone', content: null }; }
  }
  return { state: h.host === os.hostname() && !alive(h.pid) ? 'stale' : 'held', content };
}

export class FileLock {
  private released = false;
  private constructor(readonly file: string, readonly holder: LockHolder) {}

  /** Take the lock, or return the live holder when another process has it. Stale locks are taken over. */
  static tryAcquire(file: string, what: string): FileLock | { heldBy: LockHolder | null } {
    const holder: LockHolder = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString(), what };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o600);
        try { fs.writeSync(fd, JSON.stringify(holder)); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
        return new FileLock(file, holder);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const seen = lockState(file);
        // Released in the meantime: retry the create. (Treating a vanished file as stale let a taker
        // move aside the lock another process created in between: two holders, a lost update.)
        if (seen.state === 'gone') continue;
        if (seen.state === 'held') return { heldBy: readHolder(file) };
        // Stale: move it away atomically (only one taker wins the rename), then retry the create.
        const aside = `${file}.stale-${holder.token}`;
        try { fs.renameSync(file, aside); } catch { continue; /* someone else took it over */ }
        let moved: string | null = null;
        try { moved = fs.readFileSync(aside, 'utf8'); } catch { /* unreadable: judged below as not the one seen */ }
        if (moved !== seen.content) {
          // Another taker replaced the stale lock with its own before our rename: put it back
          // (link fails if yet another lock exists, which then stands) and let it hold.
          try { fs.linkSync(aside, file); } catch { /* a newer lock is there */ }
          fs.rmSync(aside, { force: true });
          return { heldBy: readHolder(file) };
        }
        fs.rmSync(aside, { force: true });
      }
    }
    return { heldBy: readHolder(file) };
  }

  /** Take the lock, waiting up to timeoutMs for a live holder (short critical sections only). */
  static acquireSync(file: string, what: string, timeoutMs = 10_000): FileLock {
    const end = Date.now() + timeoutMs;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      const r = FileLock.tryAcquire(file, what);
      if (r instanceof FileLock) return r;
      if (Date.now() > end) {
        throw Object.assign(new Error(`${file} is locked by pid ${r.heldBy?.pid ?? '?'} (${r.heldBy?.what ?? 'unknown'})`), { code: 'ELOCKED' });
      }
      Atomics.wait(nap, 0, 0, 5 + Math.floor(Math.random() * 10));
    }
  }

  /** Remove the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readHolder(this.file)?.token === this.holder.token) fs.rmSync(this.file, { force: true });
  }
}

/** Run fn while holding the lock file `file` (waits for a live holder, takes over a stale one). */
export function withLockSync<T>(file: string, what: string, fn: () => T): T {
  const lock = FileLock.acquireSync(file, what);
  try { return fn(); } finally { lock.release(); }
}
