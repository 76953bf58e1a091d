// Scheduling of a run's per-channel tasks on the executor's slots: a fixed number of lanes (one per
// worker) pull jobs from one queue, highest priority first (first come first served among equals),
// and a job may add jobs (a channel's next task once its first one is done). Order only: which task
// runs when never changes what a task computes.

interface Job {
  priority: number;
  seq: number;
  run(lane: number): Promise<void>;
}

export class PriorityLanes {
  private queue: Job[] = [];
  private seq = 0;
  private waiters: (() => void)[] = [];

  add(priority: number, run: (lane: number) => Promise<void>): void {
    this.queue.push({ priority, seq: this.seq++, run });
    this.notify();
  }

  /** Runs every job (and those they add) on `lanes` lanes; stops starting jobs once stop() is true. */
  async drain(lanes: number, stop: () => boolean): Promise<void> {
    let active = 0;
    const lane = async (i: number): Promise<void> => {
      for (;;) {
        if (stop()) return;
        const job = this.pop();
        if (!job) {
          if (active === 0) { this.notify(); return; }
          await new Promise<void>((resolve) => this.waiters.push(resolve));
          continue;
        }
        active++;
        try {
          await job.run(i);
        } finally {
          active--;
          this.notify();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, lanes) }, (_, i) => lane(i)));
  }

  private pop(): Job | undefined {
    let best = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i], b = this.queue[best];
      if (best < 0 || q.priority > b.priority || (q.priority === b.priority && q.seq < b.seq)) best = i;
    }
    return best < 0 ? undefined : this.queue.splice(best, 1)[0];
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Run items with at most `limit` in flight, in order; stop starting new ones once `stop()` is true. */
export async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stop()) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Extra raw channels a fast-mode task may decode ahead: held in the worker until their task runs. */
const PREFETCH_MAX_MB = 256;

/**
 * Channels per fast-mode batch: up to 4, while every lane still gets at least 4 batches (the last
 * batch decides how unevenly the lanes finish; 2 when cost-ordered tasks follow, which fill the
 * lanes' ends), and never more raw data held ahead than PREFETCH_MAX_MB. 16 channels on 2
 * workers: batches of 2 (4 when followed), so the interleaved file is read 8 (4) times.
 */
export function readBatch(channels: number, jobs: number, nSamples: number, followed = false): number {
  const byCount = Math.max(1, Math.min(4, Math.floor(channels / ((followed ? 2 : 4) * Math.max(1, jobs)))));
  const byMemory = 1 + Math.floor((PREFETCH_MAX_MB * 1048576) / Math.max(1, nSamples * 4));
  return Math.max(1, Math.min(byCount, byMemory));
}
