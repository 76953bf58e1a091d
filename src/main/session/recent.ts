// Recently opened recordings, persisted as JSON (atomically) in the user's settings folder.
// Paths in the list count as user-chosen for the path allow-list.

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic';

export class RecentFiles {
  private items: string[] = [];

  constructor(private file: string, private max = 10) {
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: number; recent?: unknown };
      if (data.version === 1 && Array.isArray(data.recent)) this.items = data.recent.filter((p): p is string => typeof p === 'string').slice(0, max);
    } catch { /* first start or unreadable: start empty, never crash */ }
  }

  list(): string[] {
    return [...this.items];
  }

  add(p: string): void {
    const abs = path.resolve(p);
    this.items = [abs, ...this.items.filter((x) => x !== abs)].slice(0, this.max);
    this.save();
  }

  /** Drop entries whose file no longer exists. */
  prune(): void {
    const before = this.items.length;
    this.items = this.items.filter((p) => fs.existsSync(p));
    if (this.items.length !== before) this.save();
  }

  clear(): void {
    this.items = [];
    this.save();
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify({ version: 1, recent: this.items }, null, 2));
  }
}
