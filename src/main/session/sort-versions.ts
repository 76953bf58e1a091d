// Named versions of a curated sort. Re-running a sort replaces the result the curation applies
// to; before that happens the curated result is kept under a name in the session folder
// (versions/<name>.json: every unit's channel, label and spike samples, plus a copy of the
// curation journal that produced it), written crash-safe. After the new sort, labels are
// carried over to the new units that match an old labelled unit by spike overlap, the way phy
// users re-apply their labels after a re-sort. A kept version can also be reopened whole (its
// sort result is still in the cache; its journal copy becomes the journal again), after the
// result shown then was kept in turn, so a reopen is itself undone by reopening that one.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabelMatch, SortVersionInfo } from '../../shared/api';
import type { Label } from '../../shared/curation';
import { isLabel } from '../../shared/curation';
import { SpikeDeskError } from '../../shared/errors';
import { writeFileAtomic } from '../io/atomic';
import { JOURNAL_FILE } from './journal';

export const VERSIONS_DIR = 'versions';

export interface VersionUnit { id: number; channel: number; label: Label; samples: number[] }

export interface SortVersionFile {
  version: 1;
  name: string;
  runId: string;
  createdAt: string;
  /** Curation records (actions, undo, redo) in the journal when the version was kept. */
  journalRecords: number;
  units: VersionUnit[];
}


/** What a curated sort looks like from outside: enough to keep it and to match units against it. */
export interface CuratedSortView {
  runId: string;
  journalRecords: number;
  journalPath: string;
  units: { id: number; channel: number; label: Label; samples: Int32Array }[];
}

function versionsDir(sessionDir: string): string {
  return path.join(sessionDir, VERSIONS_DIR);
}

function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 80);
  if (!s) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `"${name}" is not usable as a version name`, fix: 'use letters, digits, dots, dashes or underscores' });
  return s;
}

function info(v: SortVersionFile): SortVersionInfo {
  return { name: v.name, runId: v.runId, createdAt: v.createdAt, units: v.units.length, labelled: v.units.filter((u) => u.label !== 'unsorted').length, journalRecords: v.journalRecords };
}

/** Default name: curated-<run id>, with -2, -3... when that exists already. */
function freeName(sessionDir: string, base: string): string {
  const dir = versionsDir(sessionDir);
  let name = base;
  for (let i = 2; fs.existsSync(path.join(dir, `${name}.json`)); i++) name = `${base}-${i}`;
  return name;
}

/** Keep the curated sort as a named version; returns what was kept. */
export function keepVersion(sessionDir: string, sort: CuratedSortView, now: Date = new Date(), name?: string): SortVersionInfo {
  const dir = versionsDir(sessionDir);
  fs.mkdirSync(dir, { recursive: true });
  const chosen = name !== undefined ? safeName(name) : freeName(sessionDir, safeName(`curated-${sort.runId}`));
  const file: SortVersionFile = {
    version: 1, name: chosen, runId: sort.runId, createdAt: now.toISOString(), journalRecords: sort.journalRecords,
    units: sort.units.map((u) => ({ id: u.id, channel: u.channel, label: u.label, samples: Array.from(u.samples) })),
  };
  // The journal copy first: a crash between the two writes leaves no version file pointing at nothing.
  if (fs.existsSync(sort.journalPath)) writeFileAtomic(path.join(dir, `${chosen}.${JOURNAL_FILE}`), fs.readFileSync(sort.journalPath));
  writeFileAtomic(path.join(dir, `${chosen}.json`), `${JSON.stringify(file)}\n`);
  return info(file);
}

export function readVersion(sessionDir: string, name: string): SortVersionFile {
  const file = path.join(versionsDir(sessionDir), `${safeName(name)}.json`);
  let v: SortVersionFile;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8')) as SortVersionFile;
  } catch {
    throw new SpikeDeskError({ code: 'NOT_FOUND', file, message: `there is no kept version "${name}"`, fix: 'choose one of the versions listed for this recording' });
  }
  if (v.version !== 1 || !Array.isArray(v.units) || v.units.some((u) => !isLabel(u.label) || !Array.isArray(u.samples))) {
    throw new SpikeDeskError({ code: 'FORMAT_CORRUPT', file, message: 'the kept version is not readable', fix: 'the file was changed outside SpikeDesk; delete it' });
  }
  return v;
}

/** Put a kept version's curation journal back as the session's journal (without one: a fresh curation). */
export function restoreJournal(sessionDir: string, name: string): void {
  const copy = path.join(versionsDir(sessionDir), `${safeName(name)}.${JOURNAL_FILE}`);
  const target = path.join(sessionDir, JOURNAL_FILE);
  if (fs.existsSync(copy)) writeFileAtomic(target, fs.readFileSync(copy));
  else fs.rmSync(target, { force: true });
}

export function listVersions(sessionDir: string): SortVersionInfo[] {
  const dir = versionsDir(sessionDir);
  if (!fs.existsSync(dir)) return [];
  const out: SortVersionInfo[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try { out.push(info(readVersion(sessionDir, f.slice(0, -5)))); } catch { /* unreadable files are skipped, not fatal */ }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}


/**
 * Match the units of a new sort to the labelled units of a kept version. A new unit takes the
 * label of the old unit that holds the largest share of its spikes (a spike matches when an old
 * spike on the same channel lies within `toleranceSamples`), if that share is at least
 * `minOverlap`. Old units labelled 'unsorted' carry nothing.
 */
export function matchLabels(old: VersionUnit[], next: { id: number; channel: number; samples: Int32Array }[],
  toleranceSamples: number, minOverlap = 0.5): LabelMatch[] {
  const byChannel = new Map<number, { t: Int32Array; unit: Int32Array }>();
  const channels = new Set(next.map((u) => u.channel));
  for (const c of channels) {
    const spikes: [number, number][] = [];
    old.forEach((u, k) => { if (u.channel === c) for (const s of u.samples) spikes.push([s, k]); });
    spikes.sort((a, b) => a[0] - b[0]);
    byChannel.set(c, { t: Int32Array.from(spikes, (s) => s[0]), unit: Int32Array.from(spikes, (s) => s[1]) });
  }
  const out: LabelMatch[] = [];
  for (const u of next) {
    const ref = byChannel.get(u.channel);
    if (!ref || ref.t.length === 0 || u.samples.length === 0) continue;
    const counts = new Map<number, number>();
    for (const s of u.samples) {
      const k = nearest(ref.t, s);
      if (k >= 0 && Math.abs(ref.t[k] - s) <= toleranceSamples) counts.set(ref.unit[k], (counts.get(ref.unit[k]) ?? 0) + 1);
    }
    let best = -1, bestN = 0;
    for (const [k, n] of counts) if (n > bestN) { best = k; bestN = n; }
    if (best < 0) continue;
    const overlap = bestN / u.samples.length;
    const from = old[best];
    if (overlap >= minOverlap && from.label !== 'unsorted') out.push({ id: u.id, label: from.label, from: from.id, overlap });
  }
  return out;
}

function nearest(a: Int32Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < v) lo = m + 1; else hi = m; }
  if (lo >= a.length) return a.length - 1;
  if (lo > 0 && v - a[lo - 1] <= a[lo] - v) return lo - 1;
  return lo;
}
