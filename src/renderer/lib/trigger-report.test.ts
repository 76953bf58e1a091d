import { describe, expect, it } from 'vitest';
import type { TriggerReport } from '../../shared/api';
import { hiddenCount, overlayWindow, reportHeadline, reportRows, rowsIn } from './trigger-report';

const base: TriggerReport = {
  found: 981, used: 980, added: [125_000], removed: [60_123], unresolved: [], addedCount: 1, removedCount: 1, volumes: 49, slicesPerVolume: 20, warnings: [],
};

describe('trigger report (correction view)', () => {
  it('lists added, removed and unfilled triggers in time order with their times', () => {
    const rows = reportRows({ ...base, unresolved: [90_000] }, 5000);
    expect(rows.map((r) => r.kind)).toEqual(['removed', 'unresolved', 'added']);
    expect(rows[0].timeS).toBeCloseTo(12.0246, 4);
    expect(rows[2].text).toBe('25.000 s: added (missing, found by template match)');
  });

  it('says what changed in one line, and says so when nothing changed', () => {
    expect(reportHeadline(base)).toBe('Triggers: 1 trigger added, 1 removed as spurious (980 used of 981 found) · 49 volumes x 20 slices');
    expect(reportHeadline({ ...base, added: [], removed: [], addedCount: 0, removedCount: 0, found: 980, volumes: 1 })).toBe('Triggers: no trigger added or removed (980 used of 980 found)');
    expect(reportHeadline({ ...base, addedCount: 3, added: [1, 2, 3], unresolved: [7] })).toContain('3 triggers added, 1 removed as spurious, 1 missing and not filled');
  });

  it('counts the entries the capped lists leave out', () => {
    expect(hiddenCount(base)).toBe(0);
    expect(hiddenCount({ ...base, addedCount: 250, added: Array.from({ length: 200 }, (_, i) => i) })).toBe(50);
  });

  it('centres the overlay on a chosen trigger and marks only what is inside', () => {
    const trig = Array.from({ length: 50 }, (_, i) => 1000 + i * 485);
    const w = overlayWindow(trig, 486, 5000, 125_000);
    expect(w.startS).toBeCloseTo(25 - (4 * 486) / 5000 / 2, 9);
    expect(w.endS - w.startS).toBeCloseTo((4 * 486) / 5000, 9);
    const rows = reportRows(base, 5000);
    expect(rowsIn(rows, w.startS, w.endS).map((r) => r.kind)).toEqual(['added']);
    // Unfocused: from the 11th trigger; a focus near the start never goes below 0 s.
    expect(overlayWindow(trig, 486, 5000, null).startS).toBeCloseTo(trig[10] / 5000, 9);
    expect(overlayWindow(trig, 486, 5000, 100).startS).toBe(0);
  });
});
