// Main accepts only paths the user opened (dialog, drag-and-drop, recent list, command line) or
// paths inside their session folders and the demo folder. Everything crossing into main is
// checked here first.

import path from 'node:path';
import fs from 'node:fs';
import { SpikeDeskError } from '../../shared/errors';

export class PathAllowList {
  private files = new Set<string>();
  private roots = new Set<string>();
  /** How a user of this host gets a file allowed (hosts differ: Electron has a dialog and drop, the web host --root). */
  private fixHint: (roots: string[]) => string = () => 'open the file with File > Open (or drag it onto the window)';

  /** Word the PATH_NOT_ALLOWED fix for the host (the current roots are passed in). */
  setFixHint(fn: (roots: string[]) => string): void {
    this.fixHint = fn;
  }

  /** Allow one file the user chose (and its sidecars in the same folder with the same stem). */
  allowFile(p: string): void {
    this.files.add(canonical(p));
  }

  /** Allow everything inside a folder (session folders, the demo folder, a web host root). */
  allowRoot(p: string): void {
    this.roots.add(canonical(p));
  }

  isAllowed(p: string): boolean {
    if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) return false;
    const c = canonical(p);
    if (this.files.has(c)) return true;
    for (const r of this.roots) {
      const rel = path.relative(r, c);
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return true;
    }
    return false;
  }

  /** True when p lies inside root (after resolving both). */
  isInsideRoot(p: string, root: string): boolean {
    const rel = path.relative(canonical(root), canonical(p));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  }

  /** Throws PATH_NOT_ALLOWED unless allowed; returns the canonical path. */
  check(p: unknown): string {
    if (typeof p !== 'string' || !this.isAllowed(p)) {
      throw new SpikeDeskError({
        code: 'PATH_NOT_ALLOWED',
        message: `SpikeDesk may only open files you chose yourself; "${String(p)}" was not`,
        fix: this.fixHint([...this.roots]),
        file: typeof p === 'string' ? p : undefined,
      });
    }
    return canonical(p);
  }
}

/** Absolute, normalised, with symlinks resolved where the path exists (so links cannot escape a root). */
function canonical(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    // Not existing yet: resolve the parent so the path still compares by its real folder.
    try {
      return path.join(fs.realpathSync.native(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}
