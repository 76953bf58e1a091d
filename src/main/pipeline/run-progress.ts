// Aggregates the workers' progress messages of one run into RunProgress: one entry per pool
// slot, channels done, and an ETA from the weighted fraction of work done so far.

import type { RssScope, RunProgress, WorkerProgress } from '../../shared/progress';

/** Relative cost of a stage for the ETA (its descriptor's weight). */
export type StageWeight = (stage: string) => number;

interface Running {
  steps: string[];
  weight: number;
  done: number;
}

export class RunProgressTracker {
  private workers = new Map<number, WorkerProgress>();
  private running = new Map<number, Running>();
  private failed = new Set<number>();
  private doneWeight = 0;
  private readonly t0 = performance.now();
  channelsDone = 0;
  peakRss = new Map<number, number>();

  constructor(readonly runId: string, readonly channelsTotal: number, private totalWeight: number, private readonly stageWeight: StageWeight,
    private readonly rssScope: RssScope = 'process') {}

  /** Total work changes when a phase finds cached channels or failures drop downstream work. */
  adjustTotal(delta: number): void {
    this.totalWeight = Math.max(0, this.totalWeight + delta);
  }

  taskStarted(slot: number, pid: number, channel: number, steps: string[]): void {
    const weight = steps.reduce((a, s) => a + this.stageWeight(s), 0);
    this.running.set(slot, { steps, weight, done: 0 });
    this.workers.set(slot, { worker: slot, pid, channel, stage: steps[0] ?? '', fraction: 0, rssMB: this.workers.get(slot)?.rssMB ?? 0 });
  }

  message(slot: number, pid: number, channel: number, stage: string, fraction: number, rssMB: number): void {
    const r = this.running.get(slot);
    if (r) {
      const i = r.steps.indexOf(stage);
      if (i >= 0) r.done = r.steps.slice(0, i).reduce((a, s) => a + this.stageWeight(s), 0) + fraction * this.stageWeight(stage);
    }
    this.workers.set(slot, { worker: slot, pid, channel, stage, fraction, rssMB });
    this.notePeak(slot, rssMB);
  }

  notePeak(slot: number, rssMB: number): void {
    this.peakRss.set(slot, Math.max(this.peakRss.get(slot) ?? 0, rssMB));
  }

  /** A task succeeded: its whole weight counts as done (`completedChannel`: its channel's last phase). */
  taskEnded(slot: number, completedChannel: boolean): void {
    const r = this.running.get(slot);
    if (r) this.doneWeight += r.weight;
    this.running.delete(slot);
    const w = this.workers.get(slot);
    // Keep the finished task's bar full (stage 'done') until the worker takes its next task.
    if (w) this.workers.set(slot, { ...w, stage: 'done', fraction: 1 });
    if (completedChannel) this.channelsDone++;
  }

  /** A channel failed for good (its error is in the run report): counted in the progress line. */
  channelFailed(channel: number): void {
    this.failed.add(channel);
  }

  /**
   * A task attempt failed (it is retried once) or was cancelled: its partial progress is lost, and
   * its worker's bar says so ("filter failed", "filter cancelled") until the worker takes its next
   * task, instead of staying at the stage it stopped in as if still at work.
   */
  taskAborted(slot: number, cancelled = false): void {
    this.running.delete(slot);
    const w = this.workers.get(slot);
    if (w) this.workers.set(slot, { ...w, stage: `${w.stage} ${cancelled ? 'cancelled' : 'failed'}` });
  }

  fraction(): number {
    if (this.totalWeight <= 0) return 1;
    let w = this.doneWeight;
    for (const r of this.running.values()) w += r.done;
    return Math.min(1, w / this.totalWeight);
  }

  etaS(): number {
    const f = this.fraction();
    if (f >= 1) return 0;
    const elapsed = (performance.now() - this.t0) / 1000;
    if (f < 0.01 || elapsed < 0.2) return NaN;
    return (elapsed * (1 - f)) / f;
  }

  snapshot(state: RunProgress['state'] = 'running'): RunProgress {
    return {
      runId: this.runId,
      workers: [...this.workers.values()].sort((a, b) => a.worker - b.worker),
      channelsDone: this.channelsDone,
      channelsTotal: this.channelsTotal,
      ...(this.failed.size ? { channelsFailed: this.failed.size } : {}),
      fraction: this.fraction(),
      etaS: state === 'running' ? this.etaS() : 0,
      state,
      rssScope: this.rssScope,
    };
  }
}
