// Checks made before any long work that ends in a write (a sort, a correction, an export): the
// output's folder exists (missing folders are created where the caller allows it) and can be
// written to. A run that can only fail at its end must fail at its start, with one WRITE_FAILED
// that names the folder and says what to do.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import { writeFailed } from './atomic';

/** The nearest folder at or above p that exists. */
function existingAncestor(p: string): string {
  let d = path.resolve(p);
  while (!fs.existsSync(d)) {
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

/**
 * Create the missing folders above target. `mayCreate(dir)` decides whether a folder may be
 * created (the backend passes its allow-list, so only folders inside allowed roots are made);
 * folders it refuses stay missing and the later check reports them.
 */
export function ensureParentFolder(target: string, mayCreate: (dir: string) => boolean = () => true): void {
  const dir = path.dirname(path.resolve(target));
  if (fs.existsSync(dir) || !mayCreate(dir)) return;
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw writeFailed(target, e, `create the folder ${dir}`);
  }
}

/**
 * Throw WRITE_FAILED unless a file can be created in target's folder (a probe file is created
 * and removed). With `createFolders` a missing folder counts as writable when its nearest
 * existing ancestor is (the folder will be created at write time).
 */
export function checkWritable(target: string, opts: { createFolders?: boolean } = {}): void {
  const dir = path.dirname(path.resolve(target));
  let probeDir = dir;
  if (!fs.existsSync(dir)) {
    if (!opts.createFolders) {
      throw new SpikeDeskError({ code: 'WRITE_FAILED', file: target, message: `The output folder ${dir} does not exist`, fix: 'Create the folder first, or choose an output in an existing folder.' });
    }
    probeDir = existingAncestor(dir);
  }
  if (!fs.statSync(probeDir).isDirectory()) {
    throw new SpikeDeskError({ code: 'WRITE_FAILED', file: target, message: `${probeDir} is a file, not a folder`, fix: 'Choose an output path inside a folder.' });
  }
  const probe = path.join(probeDir, `.spikedesk-write-probe-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(probe, '');
  } catch (e) {
    const err = writeFailed(target, e, `write in ${probeDir}`);
    throw new SpikeDeskError({ code: 'WRITE_FAILED', file: target, message: `The output folder ${probeDir} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`, fix: err.fix });
  } finally {
    fs.rmSync(probe, { force: true });
  }
}
