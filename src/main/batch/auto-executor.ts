// Serial or parallel execution, chosen by work size, and the fall-back to serial when workers keep
// dying.
//
// - chooseExecution: `serial` runs every task inline (no worker is started), `parallel` on the
//   worker pool, `auto` inline below the crossover, on workers above it. The crossover comes from
//   costs measured by bench/batch-crossover.ts (worker start-up, per-task cost: crossover.ts), the
//   workflow's measured rate, and the cores free right now (load average).
// - FallbackExecutor: tasks go to the pool; a task whose retry also lost its worker (WORKER_FAILED
//   on attempt >= 1) runs inline instead, and so does every task submitted after it, with one
//   warning. Inline and pool run the same task code, so the results are the same.

import os from 'node:os';
import { toErrorInfo } from '../../shared/errors';
import type { RssScope } from '../../shared/progress';
import type { Executor, ProgressEvent, SubmitOptions } from '../pipeline/executor';
import type { TaskResult, WorkerTask } from '../pipeline/task';
import { CROSSOVER } from './crossover';
import type { ParallelChoice } from './job';

export interface ExecutionChoice {
  parallel: boolean;
  reason: string;
}

/**
 * Cores free for workers now: the core count less the load of other processes (1-minute load
 * average), at least 1. Measured at decision time, because on a shared machine the same worker
 * count can be twice as fast or no faster at all.
 */
export function freeCores(): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, Math.min(cores, Math.round(cores - os.loadavg()[0])));
}

/**
 * Predicted wall time of `samples` (channel x samples, summed over the work) at `samplesPerCpuS`:
 * inline = work / rate + per-task cost; on k workers = start-up of k workers + work / (rate x k')
 * + per-task cost / k', where k' = min(workers, tasks, free cores).
 */
export function predictSeconds(samples: number, samplesPerCpuS: number, tasks: number, workers: number, cores = freeCores()): { serial: number; parallel: number } {
  const k = Math.max(1, Math.min(workers, tasks, cores));
  const cpu = samples / samplesPerCpuS;
  return {
    serial: cpu + tasks * CROSSOVER.inlineTaskS,
    parallel: CROSSOVER.workerStartS(workers) + cpu / k + (tasks * CROSSOVER.poolTaskS) / k,
  };
}

/** Work size (channel-samples of the workflow's reference rate) above which workers win, for `workers` workers. */
export function crossoverSamples(samplesPerCpuS: number, workers: number, tasks: number, cores = freeCores()): number {
  const k = Math.max(1, Math.min(workers, tasks, cores));
  const gain = 1 - 1 / k;
  if (gain <= 0) return Infinity;
  const fixed = CROSSOVER.workerStartS(workers) + (tasks * CROSSOVER.poolTaskS) / k - tasks * CROSSOVER.inlineTaskS;
  return Math.max(0, (fixed * samplesPerCpuS) / gain);
}

export function chooseExecution(choice: ParallelChoice, samples: number, samplesPerCpuS: number, tasks: number, workers: number, cores = freeCores()): ExecutionChoice {
  if (choice === 'serial') return { parallel: false, reason: 'serial (asked for)' };
  if (choice === 'parallel') return { parallel: true, reason: `parallel on ${workers} worker(s) (asked for)` };
  if (workers <= 1) return { parallel: false, reason: 'auto: one job, a worker cannot be faster than inline' };
  if (Math.min(workers, tasks, cores) <= 1) return { parallel: false, reason: `auto: ${cores} free core(s) for ${tasks} task(s): workers would not run at the same time` };
  const p = predictSeconds(samples, samplesPerCpuS, tasks, workers, cores);
  const x = crossoverSamples(samplesPerCpuS, workers, tasks, cores);
  const mega = (n: number): string => `${(n / 1e6).toFixed(1)} M`;
  return p.parallel < p.serial
    ? { parallel: true, reason: `auto: ${mega(samples)} channel-samples is above the crossover (${mega(x)}): ~${p.parallel.toFixed(1)} s on ${workers} workers vs ~${p.serial.toFixed(1)} s inline` }
    : { parallel: false, reason: `auto: ${mega(samples)} channel-samples is below the crossover (${mega(x)}): ~${p.serial.toFixed(1)} s inline vs ~${p.parallel.toFixed(1)} s with worker start-up` };
}

export class FallbackExecutor implements Executor {
  readonly kind = 'fallback';
  private serial = false;

  constructor(private readonly primary: Executor, private readonly inline: Executor, private readonly warn: (m: string) => void) {}

  get slots(): number { return this.serial ? this.inline.slots : this.primary.slots; }

  get rssScope(): RssScope | undefined { return this.serial ? this.inline.rssScope : this.primary.rssScope; }

  /** True once the executor has fallen back to serial. */
  get fellBack(): boolean { return this.serial; }

  async submit(task: WorkerTask, opts?: SubmitOptions): Promise<TaskResult> {
    // Inline attempts are numbered after the pool's two (0 and 1), so a task's attempt number
    // keeps counting up whichever executor runs it.
    if (this.serial) return this.inline.submit({ ...task, attempt: task.attempt + 2 }, opts);
    try {
      return await this.primary.submit(task, opts);
    } catch (e) {
      const info = toErrorInfo(e);
      if (info.code !== 'WORKER_FAILED' || task.attempt < 1) throw e;
      if (!this.serial) {
        this.serial = true;
        this.warn(`a worker failed again on its retry (${info.message}); running the remaining tasks serially in this process`);
      }
      return this.inline.submit({ ...task, attempt: task.attempt + 2 }, opts);
    }
  }

  cancel(runId: string): void {
    this.primary.cancel(runId);
    this.inline.cancel(runId);
  }

  onProgress(cb: (e: ProgressEvent) => void): () => void {
    const a = this.primary.onProgress(cb), b = this.inline.onProgress(cb);
    return () => { a(); b(); };
  }
}

/**
 * Counts concurrent tasks through an executor (session-level parallelism is checked with it). A
 * slot runs one task at a time, so a task starting on a slot ends the one counted there before.
 */
export class CountingExecutor implements Executor {
  readonly kind: string;
  maxRunning = 0;
  /** Distinct runs (recordings) with a task running at the same time, at most. */
  maxRuns = 0;
  /** Tasks of one run (recording) running at the same time, at most. */
  maxPerRun = 0;
  private bySlot = new Map<number, { runId: string; id: number }>();
  private nextId = 0;

  constructor(private readonly inner: Executor) { this.kind = inner.kind; }

  get slots(): number { return this.inner.slots; }

  get rssScope(): RssScope | undefined { return this.inner.rssScope; }

  async submit(task: WorkerTask, opts: SubmitOptions = {}): Promise<TaskResult> {
    const id = this.nextId++;
    let slotUsed = -1;
    try {
      return await this.inner.submit(task, {
        ...opts,
        onStart: (slot, pid) => {
          slotUsed = slot;
          this.bySlot.set(slot, { runId: task.runId, id });
          this.maxRunning = Math.max(this.maxRunning, this.bySlot.size);
          const runs = [...this.bySlot.values()].map((v) => v.runId);
          this.maxRuns = Math.max(this.maxRuns, new Set(runs).size);
          this.maxPerRun = Math.max(this.maxPerRun, runs.filter((r) => r === task.runId).length);
          opts.onStart?.(slot, pid);
        },
      });
    } finally {
      if (this.bySlot.get(slotUsed)?.id === id) this.bySlot.delete(slotUsed);
    }
  }

  cancel(runId: string): void { this.inner.cancel(runId); }
  onProgress(cb: (e: ProgressEvent) => void): () => void { return this.inner.onProgress(cb); }
}
