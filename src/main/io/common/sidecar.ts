// Files that a header names (BrainVision DataFile/MarkerFile, Open Ephys folder_name, SpikeGLX
// .meta, NWB external links) are sidecars of the file the user chose: they may only be read when,
// after resolving symlinks, they lie inside the chosen file's own folder. The path allow-list
// (src/main/security/path-allow-list.ts) admits the chosen file; this rule extends it to exactly its
// folder, so "DataFile=/elsewhere/secret.bin", "../outside/x.eeg" or a symlink pointing out of the
// folder cannot make SpikeDesk read (and serve as traces) a file the user never chose.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ioError } from './errors';

function real(p: string): string {
  try { return fs.realpathSync.native(p); } catch { return path.resolve(p); }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real folder that sidecars of `header` must lie in. */
export function sidecarRoot(header: string): string {
  return real(path.dirname(path.resolve(header)));
}

/**
 * Resolve a file named by `header` (relative names against the header's folder) and throw
 * PATH_NOT_ALLOWED unless its real path lies inside `root` (default: the header's real folder).
 * Returns the resolved (not symlink-resolved) path for opening and messages.
 */
export function sidecarPath(header: string, named: string, what: string, root = sidecarRoot(header)): string {
  const p = path.resolve(path.dirname(path.resolve(header)), named);
  if (named.includes('\0') || !inside(root, real(p))) {
    throw ioError('PATH_NOT_ALLOWED', header,
      `${what} names "${named}", which is outside the recording's folder`,
      'Keep the data and marker files in the folder of the header file (and fix the header if it names another folder); '
      + 'SpikeDesk does not follow header paths or links out of that folder.');
  }
  return p;
}

/** True when p (after resolving symlinks) lies inside root's real path. */
export function insideRoot(root: string, p: string): boolean {
  return inside(real(root), real(p));
}
