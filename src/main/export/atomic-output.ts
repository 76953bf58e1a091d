// All-or-nothing export targets. An export is built under a hidden temp name next to the target
// (same folder, so the final rename stays on one file system), then renamed into place. A
// failure or a cancel removes the temp, so nothing that looks complete is ever left under the
// final name; an existing target is only replaced when the caller said so.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import { writeFailed } from '../io/atomic';

export type OutputKind = 'file' | 'dir';

let counter = 0;

export function outputExists(target: string): SpikeDeskError {
  return new SpikeDeskError({
    code: 'OUTPUT_EXISTS', file: target, message: 'The export target already exists',
    fix: 'Choose another name, or confirm overwriting (--force on the command line).',
  });
}

/**
 * A failure while writing the export is the output's fault, never the input's: an HDF5 error raised
 * on the temp output (h5wasm reports a full disk as a damaged file) becomes WRITE_FAILED, with one
 * line of reason instead of the library's error stack.
 */
function failed(target: string, e: unknown, temp?: string): SpikeDeskError {
  if (e instanceof SpikeDeskError && temp && e.file && (e.file === target || e.file.startsWith(temp))
    && (e.code === 'FORMAT_CORRUPT' || e.code === 'FILE_TRUNCATED' || e.code === 'INTERNAL')) {
    return writeFailed(target, new Error(e.message), 'write the export');
  }
  if (e instanceof SpikeDeskError) return e;
  return writeFailed(target, e, 'write the export');
}

function tempName(target: string, tag: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}-${process.pid}-${Date.now()}-${counter++}`);
}

function fsyncPath(p: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch { /* folders cannot be opened on some platforms; the data files were synced already */ } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** Fail early (before any work) when the target exists and may not be replaced. */
export function checkTarget(target: string, overwrite: boolean, kind: OutputKind): void {
  if (!fs.existsSync(path.dirname(target))) {
    throw new SpikeDeskError({ code: 'WRITE_FAILED', file: target, message: 'The folder of the export target does not exist', fix: 'Create the folder or choose another one.' });
  }
  if (!fs.existsSync(target)) return;
  if (!overwrite) throw outputExists(target);
  const isDir = fs.statSync(target).isDirectory();
  if (isDir !== (kind === 'dir')) {
    throw new SpikeDeskError({
      code: 'OUTPUT_EXISTS', file: target, message: `The target exists and is a ${isDir ? 'folder' : 'file'}, but this export writes a ${kind === 'dir' ? 'folder' : 'file'}`,
      fix: 'Choose another name.',
    });
  }
}

/**
 * Build an output at a temp path with `fill(tempPath)`, then move it to `target`. For a 'dir'
 * the temp folder is created first; for a 'file' fill creates the file. A replaced target is
 * moved aside first and deleted only after the new output is in place.
 */
export async function withAtomicOutput<T>(target: string, kind: OutputKind, overwrite: boolean,
  fill: (tempPath: string) => Promise<T> | T): Promise<T> {
  checkTarget(target, overwrite, kind);
  const temp = tempName(target, 'partial');
  let result: T;
  try {
    if (kind === 'dir') fs.mkdirSync(temp);
    result = await fill(temp);
    if (kind === 'file') fsyncPath(temp);
    else for (const f of fs.readdirSync(temp)) fsyncPath(path.join(temp, f));
    // Re-check: another process may have created the target while we were writing.
    checkTarget(target, overwrite, kind);
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw failed(target, e, temp);
  }
  let aside: string | null = null;
  try {
    if (kind === 'dir' && fs.existsSync(target)) {
      // A folder cannot be renamed over a non-empty folder: move the old one aside first.
      aside = tempName(target, 'old');
      fs.renameSync(target, aside);
    }
    fs.renameSync(temp, target);
  } catch (e) {
    if (aside && !fs.existsSync(target)) fs.renameSync(aside, target);
    fs.rmSync(temp, { recursive: true, force: true });
    throw failed(target, e);
  }
  if (aside) fs.rmSync(aside, { recursive: true, force: true });
  fsyncPath(path.dirname(target));
  return result;
}

/** Throw CANCELLED when the signal fired (checked between units and files). */
export function checkCancel(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SpikeDeskError({ code: 'CANCELLED', message: 'The export was cancelled' });
}
