import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PathAllowList } from './path-allow-list';
import { newToken, tokenMatches } from './token';
import { SpikeDeskError } from '../../shared/errors';

describe('PathAllowList', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-allow-'));
  const chosen = path.join(dir, 'chosen.edf');
  const other = path.join(dir, 'other.edf');
  fs.writeFileSync(chosen, 'x');
  fs.writeFileSync(other, 'y');
  const session = path.join(dir, 'chosen.spikedesk');
  fs.mkdirSync(session);

  it('allows chosen files and files inside allowed roots only', () => {
    const l = new PathAllowList();
    l.allowFile(chosen);
    l.allowRoot(session);
    expect(l.isAllowed(chosen)).toBe(true);
    expect(l.isAllowed(path.join(session, 'cache', 'a.f32'))).toBe(true);
    expect(l.isAllowed(other)).toBe(false);
    expect(l.isAllowed('/etc/passwd')).toBe(false);
  });

  it('refuses traversal, symlink escapes, NUL bytes and non-strings', () => {
    const l = new PathAllowList();
    l.allowRoot(session);
    expect(l.isAllowed(path.join(session, '..', 'other.edf'))).toBe(false);
    const link = path.join(session, 'escape');
    fs.symlinkSync(other, link);
    expect(l.isAllowed(link)).toBe(false);
    expect(l.isAllowed(`${session}/a\0b`)).toBe(false);
    expect(() => l.check(42)).toThrow(SpikeDeskError);
    try { l.check(other); } catch (e) { expect((e as SpikeDeskError).code).toBe('PATH_NOT_ALLOWED'); expect((e as SpikeDeskError).fix).toMatch(/Open/); }
  });
});

describe('web token', () => {
  it('is random and compared exactly', () => {
    const t = newToken();
    expect(t.length).toBeGreaterThanOrEqual(32);
    expect(newToken()).not.toBe(t);
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, t.slice(1))).toBe(false);
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches(t, `${t.slice(0, -1)}A`)).toBe(t.endsWith('A'));
  });
});
