// Executor that runs tasks in this process, one at a time (serial). For small work where starting
// workers costs more than the work, and for environments without worker threads. Cancel is
// cooperative: a cancelled task stops at its next progress report.
// A task's compute is synchronous, so the process's event loop (the web host's socket, the app's IPC)
// only turns between tasks: each task first yields a macrotask turn, or a cancel or a status request
// sent during a serial batch would wait for the whole batch.

import { SpikeDeskError } from '../../shared/errors';
import type { Executor, ProgressEvent, SubmitOptions } from './executor';
import { runTask } from './run-task';
import { isTaskProgress, type TaskResult, type WorkerTask } from './task';

export class InlineExecutor implements Executor {
  readonly kind = 'inline';
  readonly slots = 1;
  readonly rssScope = 'process';
  private cancelled = new Set<string>();
  private listeners = new Set<(e: ProgressEvent) => void>();
  private chain: Promise<unknown> = Promise.resolve();

  submit(task: WorkerTask, opts: SubmitOptions = {}): Promise<TaskResult> {
    const run = async (): Promise<TaskResult> => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.cancelled.has(task.runId)) throw new SpikeDeskError({ code: 'CANCELLED', message: 'run cancelled' });
      opts.onStart?.(0, process.pid);
      return runTask(task, (m) => {
        if (!isTaskProgress(m)) return;
        for (const l of this.listeners) l({ slot: 0, pid: process.pid, message: m });
      }, { cancelled: () => this.cancelled.has(task.runId) });
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  cancel(runId: string): void {
    this.cancelled.add(runId);
  }

  onProgress(cb: (e: ProgressEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}
