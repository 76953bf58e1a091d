// Issue #11, medium 7: the fallback session folder lived in a predictable, shared $TMPDIR folder that
// another user could pre-create. It now lives under the user's data dir, mode 0700, with ownership
// and mode verified before use.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sessionDirFor } from '../../src/main/pipeline/cache';
import { ensurePrivateDir, userDataDir } from '../../src/main/security/private-dir';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sd-fallback-'));

describe('fallback session folder', () => {
  it('is under the user data dir (XDG), not $TMPDIR', () => {
    expect(userDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/spikedesk');
    expect(userDataDir({ XDG_DATA_HOME: '/data/u' }, 'linux', '/home/u')).toBe('/data/u/spikedesk');
    expect(userDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.local/share/spikedesk');
    expect(userDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/SpikeDesk');
    expect(userDataDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u')).toContain('SpikeDesk');
  });

  it('is used when the folder beside the recording cannot be made, with mode 0700', () => {
    const d = tmp();
    const rec = path.join(d, 'rec.dat');
    fs.writeFileSync(rec, 'x');
    fs.writeFileSync(`${rec}.spikedesk`, 'a file where the session folder would go');
    const root = path.join(d, 'data', 'spikedesk', 'sessions');
    const s = sessionDirFor(rec, root);
    expect(path.dirname(s)).toBe(root);
    expect(fs.statSync(s).mode & 0o777).toBe(0o700);
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
  });

  it('tightens a folder of ours that others could write, refuses a symlink or a folder of another user', () => {
    const d = tmp();
    const loose = path.join(d, 'loose');
    fs.mkdirSync(loose, { mode: 0o777 });
    fs.chmodSync(loose, 0o777);
    ensurePrivateDir(loose);
    expect(fs.statSync(loose).mode & 0o777).toBe(0o700);
    const target = path.join(d, 'elsewhere');
    fs.mkdirSync(target);
    const link = path.join(d, 'link');
    fs.symlinkSync(target, link);
    expect(() => ensurePrivateDir(link)).toThrow(expect.objectContaining({ code: 'WRITE_FAILED' }));
    if (process.getuid?.() === 0) {
      // As root (CI) we can play the other user who pre-created the folder.
      const theirs = path.join(d, 'theirs');
      fs.mkdirSync(theirs, { mode: 0o700 });
      fs.chownSync(theirs, 12345, 12345);
      expect(() => ensurePrivateDir(theirs)).toThrow(/belongs to another user/);
      const rec = path.join(d, 'victim.dat');
      fs.writeFileSync(rec, 'x');
      fs.writeFileSync(`${rec}.spikedesk`, 'blocker');
      expect(() => sessionDirFor(rec, theirs)).toThrow(/belongs to another user/);
    }
  });
});
