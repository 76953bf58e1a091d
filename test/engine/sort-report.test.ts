// bench/sortquality.bench.ts report(): the pass rule issue 13's acceptance is read from.
import { describe, expect, it } from 'vitest';
import { report } from '../../bench/sortquality.bench';
import type { EvalRow } from './sort-eval';

function unit(set: string, accuracy: number, bound: number, separated: boolean): EvalRow {
  return {
    set, seed: 1, channel: 0, snr: 8, separated, trueId: 0, foundId: 0, accuracy, bound, pairDip: 5, pairSeparation: 4, joinedBound: bound,
    nTrue: 100, hits: 90, notDetected: 5, unassigned: 0, misclassified: 5, splitOff: 0, falseFromUnit: 0, falseFromBackground: 0,
  };
}

describe('sortquality report', () => {
  const row = (rows: EvalRow[], py: number) => {
    const log = console.table; console.table = () => {};
    try { return report(rows, [{ set: rows[0].set, snr: 8, accuracy: py }], 'test')[0]; } finally { console.table = log; }
  };
  it('holds well-separated sets to 0.93 where the bound reaches it', () => {
    expect(row([unit('easy', 0.92, 0.97, true)], 0.5).pass).toBe(false);
    expect(row([unit('easy', 0.94, 0.97, true)], 0.5).pass).toBe(true);
  });
  it('holds them to 0.9 of the bound where the bound is below 0.93, and says so', () => {
    const r = row([unit('easy', 0.85, 0.88, true)], 0.5);
    expect(r.pass).toBe(true);
    expect(r.target).toContain('out of reach');
    expect(row([unit('easy', 0.78, 0.88, true)], 0.5).pass).toBe(false);
  });
  it('fails a set below 0.9 of the bound or below the python reference', () => {
    expect(row([unit('difficult', 0.5, 0.6, false)], 0.2).pass).toBe(false);
    expect(row([unit('difficult', 0.58, 0.6, false)], 0.59).pass).toBe(false);
    expect(row([unit('difficult', 0.58, 0.6, false)], 0.2).pass).toBe(true);
  });
});
