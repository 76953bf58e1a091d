// Executor on the local worker pool: one task per worker. Cancelling a run kills only the workers
// running that run's tasks (the pool replaces them) and drops its queued tasks.

import { SpikeDeskError } from '../../shared/errors';
import type { RssScope } from '../../shared/progress';
import type { Pool } from '../pool/pool';
import type { Executor, ProgressEvent, SubmitOptions } from './executor';
import { isTaskProgress, type TaskResult, type WorkerTask } from './task';

export class PoolExecutor implements Executor {
  readonly kind = 'pool';
  /** Run ids cancelled (kept so a task queued behind the cancel never starts). */
  private cancelled = new Set<string>();
  /**
   * Slot -> run id and pool task number of the task running there. The entry outlives the task by a
   * moment (it is removed after the pool has freed the slot, maybe already for the next task), so
   * a cancel kills a slot only while that very task runs there (Pool.killSlot's task). Without the
   * number, cancelling the start-up estimate's probe once killed the user's run's next task on the
   * slot the probe had just left (the desktop scenario: the channel failed its retry as well).
   */
  private running = new Map<number, { runId: string; task: number }>();

  constructor(readonly pool: Pool) {}

  get slots(): number {
    return this.pool.size;
  }

  /** Thread workers share this process's memory; utility processes have their own. */
  get rssScope(): RssScope {
    return this.pool.hostKind === 'threads' ? 'process' : 'worker';
  }

  submit(task: WorkerTask, opts: SubmitOptions = {}): Promise<TaskResult> {
    const cancelledError = (): SpikeDeskError => new SpikeDeskError({ code: 'CANCELLED', message: 'run cancelled' });
    if (this.cancelled.has(task.runId)) return Promise.reject(cancelledError());
    let slotUsed = -1;
    let poolTask = -1;
    return this.pool.run(async (api, slot, pid, n) => {
      if (this.cancelled.has(task.runId)) throw cancelledError();
      slotUsed = slot;
      poolTask = n;
      this.running.set(slot, { runId: task.runId, task: n });
      opts.onStart?.(slot, pid);
      return api.runTask(task);
    }, opts.prefer).finally(() => {
      if (slotUsed >= 0 && this.running.get(slotUsed)?.task === poolTask) this.running.delete(slotUsed);
    });
  }

  cancel(runId: string): void {
    this.cancelled.add(runId);
    for (const [slot, r] of this.running) if (r.runId === runId) this.pool.killSlot(slot, r.task);
  }

  onProgress(cb: (e: ProgressEvent) => void): () => void {
    return this.pool.onMessage((m) => {
      if (isTaskProgress(m.data)) cb({ slot: m.slot, pid: m.pid, message: m.data });
    });
  }
}
