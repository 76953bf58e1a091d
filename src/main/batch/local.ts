// Local batch executor: session-level parallelism. All recordings share one run engine over one
// set of task slots (the worker pool), so channel tasks of several recordings interleave and the
// total number of concurrent tasks never exceeds the slot count. The slot count itself is capped
// by the memory budget using the run estimates (a task holds one whole channel in fast mode, one
// streamed block in low-memory mode).

import os from 'node:os';
import type { RunProgress } from '../../shared/progress';
import type { RecordingMeta } from '../../shared/recording';
import type { Engine } from '../pipeline/engine';
import { estimateRun } from '../pipeline/estimate';
import type { BatchItem } from './inputs';
import type { BatchJob, BatchPlan } from './job';
import { computeRecording, exportRecording, openMeta, specFor, type RecordingResult, type RecordingState } from './recording';

export interface BatchEvents {
  /** A recording changed state (queued -> running -> done/partial/failed/cancelled). */
  onState?(name: string, state: RecordingState, result?: RecordingResult): void;
  onProgress?(name: string, p: RunProgress): void;
  onWarning?(message: string): void;
}

/** Process baseline (main + runtime) the budget must leave room for, MB (as estimate.ts). */
const BASE_MB = 90;

export interface SlotPlan {
  /** Concurrent tasks allowed (<= jobs). */
  slots: number;
  /** Largest per-task memory among the recordings, MB. */
  taskMB: number;
  reason: string;
  /** Channel-samples of the whole batch and its channel tasks (for the serial/parallel choice). */
  samples: number;
  tasks: number;
  /** The recordings that opened (for choices that depend on their sizes, e.g. the tf split). */
  metas: RecordingMeta[];
}

/**
 * How many tasks may run at once: at most `jobs`, and no more than the memory budget holds given
 * the largest task of the batch (from the estimates of each recording).
 */
export async function planSlots(items: BatchItem[], job: BatchJob, jobs: number, memoryBudgetMB: number): Promise<SlotPlan> {
  let taskMB = 0, samples = 0, tasks = 0;
  const metas: RecordingMeta[] = [];
  for (const it of items) {
    try {
      const meta = await openMeta(it);
      metas.push(meta);
      samples += meta.nSamples * meta.channels.length;
      tasks += meta.channels.length;
      const est = estimateRun(specFor(job, 1, meta), meta, 1);
      const one = job.mode.kind === 'fast' ? est.fast.peakMB : est.lowMemory.peakMB;
      taskMB = Math.max(taskMB, one - BASE_MB);
    } catch { /* an unreadable recording fails in its own run, it does not size the pool */ }
  }
  const fit = taskMB > 0 ? Math.floor((memoryBudgetMB - BASE_MB) / taskMB) : jobs;
  const slots = Math.max(1, Math.min(jobs, fit));
  const reason = slots < jobs
    ? `memory: ${memoryBudgetMB} MB budget holds ${slots} task(s) of up to ${Math.round(taskMB)} MB`
    : `${jobs} job(s), largest task ~${Math.round(taskMB)} MB within the ${memoryBudgetMB} MB budget`;
  return { slots, taskMB, reason, samples, tasks, metas };
}

export function defaultMemoryBudgetMB(): number {
  return Math.round(os.totalmem() / 1048576 / 2);
}

export interface LocalStats {
  /** Most recordings computing at one time. */
  maxRecordings: number;
}

export class LocalBatchExecutor {
  readonly kind = 'local';
  private cancelledAll = false;
  private cancelled = new Set<string>();
  private runIds = new Map<string, string>();
  readonly stats: LocalStats = { maxRecordings: 0 };
  private runningRecordings = 0;

  /**
   * `slots` = concurrent tasks of the engine's executor; that many recordings are kept in flight.
   * `recordingJobs` = concurrent tasks of one recording: `slots` spreads each recording's channels
   * over every worker; 1 is the by-recording split (each recording's channels in order on one lane).
   */
  constructor(private readonly engine: Engine, private readonly slots: number, private readonly recordingJobs = slots) {}

  async run(plan: BatchPlan, outDir: string, events: BatchEvents = {}): Promise<RecordingResult[]> {
    const { items, job } = plan;
    const results: RecordingResult[] = new Array(items.length);
    for (const it of items) events.onState?.(it.name, 'queued');
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < items.length) {
        const i = next++;
        results[i] = await this.one(items[i], job, outDir, events);
      }
    };
    // As many recordings in flight as task slots: each keeps at least one task busy, and the
    // engine's per-run limit plus the shared slots keep the total at `slots`.
    await Promise.all(Array.from({ length: Math.min(this.slots, items.length) }, lane));
    return results;
  }

  private async one(item: BatchItem, job: BatchJob, outDir: string, events: BatchEvents): Promise<RecordingResult> {
    if (this.cancelledAll || this.cancelled.has(item.name)) {
      const r = await exportRecording(item, job, outDir, { name: item.name, report: null, sessionDir: null, wallS: 0, error: 'cancelled' });
      r.state = 'cancelled';
      events.onState?.(item.name, 'cancelled', r);
      return r;
    }
    events.onState?.(item.name, 'running');
    this.runningRecordings++;
    this.stats.maxRecordings = Math.max(this.stats.maxRecordings, this.runningRecordings);
    let computed;
    try {
      computed = await computeRecording(item, job, this.engine, outDir, this.recordingJobs, {
        onProgress: (p) => events.onProgress?.(item.name, p),
        onStart: (runId) => {
          this.runIds.set(item.name, runId);
          if (this.cancelledAll || this.cancelled.has(item.name)) this.engine.cancel(runId);
        },
      });
    } finally {
      this.runningRecordings--;
      this.runIds.delete(item.name);
    }
    const r = await exportRecording(item, job, outDir, computed);
    events.onState?.(item.name, r.state, r);
    return r;
  }

  /** Cancel one recording (by name) or, without a name, the whole batch. */
  cancel(name?: string): void {
    if (name === undefined) this.cancelledAll = true;
    else this.cancelled.add(name);
    for (const [n, runId] of this.runIds) if (name === undefined || n === name) this.engine.cancel(runId);
  }
}
