import { describe, expect, it } from 'vitest';
import { RunProgressTracker } from './run-progress';

const stageWeight = (s: string): number => ({ filter: 1, detect: 0.6 } as Record<string, number>)[s] ?? 1;

describe('RunProgressTracker', () => {
  it('aggregates per-worker progress into channels done, a weighted fraction and an ETA', async () => {
    const steps = ['filter', 'detect'];
    const w = steps.reduce((a, s) => a + stageWeight(s), 0);
    const t = new RunProgressTracker('r', 2, 2 * w, stageWeight);
    t.taskStarted(0, 7, 0, steps);
    t.taskStarted(1, 7, 1, steps);
    t.message(0, 7, 0, 'detect', 0.5, 100);
    t.message(1, 7, 1, 'filter', 1, 120);
    expect(t.fraction()).toBeCloseTo((stageWeight('filter') + 0.5 * stageWeight('detect') + stageWeight('filter')) / (2 * w));
    await new Promise((r) => setTimeout(r, 250));
    const eta = t.etaS();
    expect(eta).toBeGreaterThan(0);
    expect(Number.isFinite(eta)).toBe(true);
    t.taskEnded(0, true);
    const snap = t.snapshot();
    expect(snap.channelsDone).toBe(1);
    // The snapshot carries the weighted fraction: channel 0's task whole, channel 1's filter.
    expect(snap.fraction).toBeCloseTo((w + stageWeight('filter')) / (2 * w));
    expect(snap.workers).toEqual([
      { worker: 0, pid: 7, channel: 0, stage: 'done', fraction: 1, rssMB: 100 },
      { worker: 1, pid: 7, channel: 1, stage: 'filter', fraction: 1, rssMB: 120 },
    ]);
    // A failed task's work leaves the total, so the run can still reach 100 %.
    t.taskAborted(1);
    t.adjustTotal(-w);
    expect(t.fraction()).toBe(1);
    expect(t.snapshot('done').etaS).toBe(0);
    expect(t.snapshot().workers[1]).toMatchObject({ channel: 1, stage: 'filter failed' });
    t.taskStarted(0, 7, 2, steps);
    t.taskAborted(0, true);
    expect(t.snapshot().workers[0]).toMatchObject({ channel: 2, stage: 'filter cancelled' });
    expect(t.snapshot()).not.toHaveProperty('channelsFailed');
    t.channelFailed(1);
    t.channelFailed(1);
    expect(t.snapshot('done').channelsFailed).toBe(1);
    expect([...t.peakRss.entries()]).toEqual([[0, 100], [1, 120]]);
  });
});
