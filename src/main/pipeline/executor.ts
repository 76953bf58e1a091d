// The Executor seam: where tasks run. The engine plans stages and submits plain-JSON tasks; an
// executor runs them - inline in this process (serial), on the local worker pool, or (later) as
// cluster jobs - reports progress, and cancels the tasks of one run without touching other runs.

import type { RssScope } from '../../shared/progress';
import type { TaskProgressMessage, TaskResult, WorkerTask } from './task';

/** What a task needs, from the run estimate (a cluster executor turns it into --mem / --cpus-per-task). */
export interface ResourceNeeds {
  memoryMB: number;
  cpus: number;
}

export interface SubmitOptions {
  needs?: ResourceNeeds;
  /** Called when the task starts on a slot (a worker, or 0 inline). */
  onStart?(slot: number, pid: number): void;
  /**
   * Run on this slot when it is free (the worker that holds what the task reads next, e.g. raw
   * channels decoded ahead); any free slot otherwise. A hint: never changes a result.
   */
  prefer?: number;
}

export interface ProgressEvent {
  slot: number;
  pid: number;
  message: TaskProgressMessage;
}

export interface Executor {
  readonly kind: string;
  /** Tasks that can run at the same time. */
  readonly slots: number;
  /** Whether its workers share this process's memory ('process', the default) or each have their own. */
  readonly rssScope?: RssScope;
  /** Runs a task; rejects with CANCELLED after cancel(task.runId), WORKER_FAILED when its worker dies. */
  submit(task: WorkerTask, opts?: SubmitOptions): Promise<TaskResult>;
  /** Stops the tasks of one run (running and queued); other runs keep going. */
  cancel(runId: string): void;
  /** Progress messages of every task; returns an unsubscribe function. */
  onProgress(cb: (e: ProgressEvent) => void): () => void;
}
