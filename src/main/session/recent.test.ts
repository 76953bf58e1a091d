import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecentFiles } from './recent';

describe('RecentFiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-recent-'));
  const store = path.join(dir, 'settings', 'recent.json');

  it('keeps the newest first, without duplicates, capped, and persists', () => {
    const r = new RecentFiles(store, 3);
    for (const f of ['a', 'b', 'c', 'a', 'd']) r.add(path.join(dir, f));
    expect(r.list()).toEqual(['d', 'a', 'c'].map((f) => path.join(dir, f)));
    expect(new RecentFiles(store, 3).list()).toEqual(r.list());
  });

  it('prunes missing files and survives a corrupt store', () => {
    fs.writeFileSync(path.join(dir, 'exists.edf'), 'x');
    const r = new RecentFiles(store, 5);
    r.add(path.join(dir, 'exists.edf'));
    r.prune();
    expect(r.list()).toEqual([path.join(dir, 'exists.edf')]);
    fs.writeFileSync(store, '{ not json');
    expect(new RecentFiles(store).list()).toEqual([]);
  });
});
