// Logic of the correction view's trigger report (kept out of the component so it is unit-tested):
// the rows a user sees (added, removed as spurious, expected but unfilled), the headline, and the
// overlay window that shows one of them with its neighbours.
import type { TriggerReport } from '../../shared/api';
import { plural } from './format';

export type ReportKind = 'added' | 'removed' | 'unresolved';

export interface ReportRow { kind: ReportKind; sample: number; timeS: number; text: string }

const WHAT: Record<ReportKind, string> = {
  added: 'added (missing, found by template match)',
  removed: 'removed (spurious)',
  unresolved: 'missing, not filled (no match)',
};

/** Every reported trigger as a row, in time order. */
export function reportRows(r: TriggerReport, fs: number): ReportRow[] {
  const rows: ReportRow[] = [];
  const push = (kind: ReportKind, list: number[]): void => {
    for (const sample of list) rows.push({ kind, sample, timeS: sample / fs, text: `${(sample / fs).toFixed(3)} s: ${WHAT[kind]}` });
  };
  push('added', r.added);
  push('removed', r.removed);
  push('unresolved', r.unresolved);
  return rows.sort((a, b) => a.sample - b.sample);
}

/** One line: what completion changed, and how many triggers the correction used. */
export function reportHeadline(r: TriggerReport): string {
  const parts: string[] = [];
  if (r.addedCount) parts.push(`${plural(r.addedCount, 'trigger')} added`);
  if (r.removedCount) parts.push(`${r.removedCount} removed as spurious`);
  if (r.unresolved.length) parts.push(`${r.unresolved.length} missing and not filled`);
  const what = parts.length ? parts.join(', ') : 'no trigger added or removed';
  const vols = r.volumes > 1 ? ` · ${r.volumes} volumes x ${r.slicesPerVolume} slices` : '';
  return `Triggers: ${what} (${r.used} used of ${r.found} found)${vols}`;
}

/** Rows not listed because the report caps its lists. */
export function hiddenCount(r: TriggerReport): number {
  return Math.max(0, r.addedCount - r.added.length) + Math.max(0, r.removedCount - r.removed.length);
}

/**
 * Overlay window in seconds: about four epochs around `focus` (a sample), or starting at the 11th
 * trigger when nothing is focused; never longer than 1 s.
 */
export function overlayWindow(triggers: ArrayLike<number>, epochLength: number, fs: number, focus: number | null): { startS: number; endS: number } {
  const span = Math.min(1, (4 * epochLength) / fs);
  if (focus !== null) {
    const startS = Math.max(0, focus / fs - span / 2);
    return { startS, endS: startS + span };
  }
  const startS = triggers.length ? triggers[Math.min(triggers.length - 1, 10)] / fs : 0;
  return { startS, endS: startS + span };
}

/** Rows whose time lies in [t0, t1] (seconds), for marking them on the overlay. */
export function rowsIn(rows: ReportRow[], t0: number, t1: number): ReportRow[] {
  return rows.filter((r) => r.timeS >= t0 && r.timeS <= t1);
}
