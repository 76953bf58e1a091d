// A timeline of one process's run, to find where wall time goes (`spikedesk sort --trace FILE`,
// or SPIKEDESK_TRACE=FILE): spans of the main process's serial phases (open, pool start, plan,
// results, export, pool shutdown), one span per task on its worker's lane, and inside it the
// worker's own spans (each stage, the raw read) with the CPU its thread spent. CPU comes from
// /proc/thread-self/schedstat (nanoseconds on a CPU and waiting for one; Linux only, else null),
// since Node 20 has no per-thread CPU clock and process.cpuUsage() sums every thread.
// Recording changes no result: it only reads clocks.

import * as fs from 'node:fs';

export interface Span {
  /** 'main' or 'w<slot>' (a worker's lane). */
  lane: string;
  name: string;
  /** Epoch milliseconds (performance.timeOrigin + performance.now(), comparable across threads). */
  t0: number;
  t1: number;
  /** CPU time of the span's thread during the span (ms), when known. */
  cpuMs?: number;
  /** Time the thread was runnable but waited for a CPU during the span (ms), when known. */
  waitMs?: number;
  channel?: number;
}

/** What a worker returns with a traced task: its spans and its thread's totals so far. */
export interface WorkerTrace {
  spans: Span[];
  threadCpuMs: number | null;
  threadWaitMs: number | null;
}

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** CPU and run-queue wait of the calling thread so far (ms), or null where /proc does not tell. */
export function threadClock(): { cpuMs: number; waitMs: number } | null {
  try {
    const [run, wait] = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isFinite(run) && Number.isFinite(wait)) return { cpuMs: run / 1e6, waitMs: wait / 1e6 };
  } catch { /* not Linux */ }
  return null;
}

/** Spans of one thread: time(name, fn) runs fn and records its wall and CPU time. */
export class SpanLog {
  readonly spans: Span[] = [];

  constructor(private readonly lane: string, private readonly channel?: number) {}

  time<T>(name: string, fn: () => T): T {
    const end = this.begin(name);
    try {
      return fn();
    } finally {
      end();
    }
  }

  /** As time(); the thread's CPU includes whatever else it ran meanwhile (a worker runs one task). */
  async timeAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const end = this.begin(name);
    try {
      return await fn();
    } finally {
      end();
    }
  }

  /** Starts a span; the returned function ends it. */
  begin(name: string): () => void {
    const c0 = threadClock();
    const t0 = nowMs();
    return () => {
      const t1 = nowMs();
      const c1 = threadClock();
      const span: Span = { lane: this.lane, name, t0, t1, channel: this.channel };
      if (c0 && c1) { span.cpuMs = c1.cpuMs - c0.cpuMs; span.waitMs = c1.waitMs - c0.waitMs; }
      this.spans.push(span);
    };
  }

  add(span: Span): void {
    this.spans.push(span);
  }
}

/** The whole process's trace: the main lane, the workers' spans, and per-worker thread totals. */
export class RunTrace extends SpanLog {
  /** Last known CPU / wait totals of each worker thread, by lane. */
  readonly workers = new Map<string, { cpuMs: number | null; waitMs: number | null }>();

  constructor() {
    super('main');
  }

  /** A task's span on its worker's lane (as main saw it) and the spans the worker recorded. */
  addTask(slot: number, name: string, t0: number, t1: number, channel: number, w: WorkerTrace | undefined): void {
    const lane = `w${slot}`;
    this.add({ lane, name, t0, t1, channel });
    if (!w) return;
    for (const s of w.spans) this.add({ ...s, lane });
    this.workers.set(lane, { cpuMs: w.threadCpuMs, waitMs: w.threadWaitMs });
  }
}
