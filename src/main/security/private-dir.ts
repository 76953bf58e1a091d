// Per-user folders for data SpikeDesk keeps outside the recording's folder (the fallback session
// folder when <recording>.spikedesk cannot be written). A predictable folder in $TMPDIR could be
// pre-created by another user and feed a victim's run; these live under the user's own data dir,
// are created with mode 0700, and are used only when owned by this user and closed to others.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';

/** The user's data folder for SpikeDesk: $XDG_DATA_HOME/spikedesk (default ~/.local/share/spikedesk) or the platform's equivalent. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'SpikeDesk');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'SpikeDesk');
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdg, 'spikedesk');
}

/** Where fallback session folders go. */
export function fallbackSessionRoot(): string {
  return path.join(userDataDir(), 'sessions');
}

function refuse(dir: string, why: string): never {
  throw new SpikeDeskError({
    code: 'WRITE_FAILED', file: dir,
    message: `the private folder ${dir} ${why}, so SpikeDesk will not use it`,
    fix: `remove or fix ${dir} (it must be a folder owned by you with mode 0700), then try again`,
  });
}

/**
 * Create `dir` (and missing parents) with mode 0700 and verify it: a real folder (not a symlink),
 * owned by this user, not writable or readable by group/others. A folder of ours with a looser mode
 * is tightened; a folder of another user, or a symlink, is refused. Returns the folder.
 */
export function ensurePrivateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return dir; // ACLs of the user profile protect it
  const st = fs.lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) refuse(dir, 'is not a plain folder (a symlink or a file)');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) refuse(dir, `belongs to another user (uid ${st.uid})`);
  if ((st.mode & 0o077) !== 0) {
    fs.chmodSync(dir, 0o700);
    if ((fs.lstatSync(dir).mode & 0o077) !== 0) refuse(dir, 'cannot be closed to other users');
  }
  return dir;
}
