// A fixed-size pool of worker processes behind a ProcessHost. Each slot runs one task at a time;
// a worker that exits (crash, OOM, kill on cancel) is replaced in its slot and the task that was
// running on it rejects with WORKER_FAILED so the run engine can retry it.

import os from 'node:os';
import { wrap, type Remote } from 'comlink';
import { SpikeDeskError } from '../../shared/errors';
import { installRpcErrorHandler } from '../../shared/rpc';
import type { ProcessHost, WorkerHandle } from './process-host';
import type { WorkerApi } from './worker';

export function defaultPoolSize(cores = os.availableParallelism?.() ?? os.cpus().length): number {
  return Math.max(1, cores - 1);
}

export interface WorkerMessage { slot: number; pid: number; data: unknown }

interface Slot {
  index: number;
  handle: WorkerHandle;
  api: Remote<WorkerApi>;
  busy: boolean;
  /** Rejects the running task when the worker dies. */
  failRunning?: (e: Error) => void;
  retiring: boolean;
  /** The worker has exited; the slot waits for its replacement. */
  dead: boolean;
  /** Number of the task running here (Pool.run), so a kill meant for one task never hits the next. */
  task?: number;
}

export interface PoolOptions {
  size?: number;
  /** JS heap limit per worker (MB). */
  maxHeapMB?: number;
}

export class Pool {
  private slots: Slot[] = [];
  private queue: { resolve: (s: Slot) => void; reject: (e: Error) => void }[] = [];
  private messageListeners = new Set<(m: WorkerMessage) => void>();
  private disposed = false;
  private targetSize: number;

  constructor(private host: ProcessHost, private entry: string, private opts: PoolOptions = {}) {
    installRpcErrorHandler();
    this.targetSize = opts.size ?? defaultPoolSize();
  }

  get size(): number { return this.targetSize; }

  /** Threads of this process, or processes of their own (utility). */
  get hostKind(): ProcessHost['kind'] { return this.host.kind; }

  async start(): Promise<void> {
    await this.resize(this.targetSize);
  }

  /** Change the number of workers; idle extra workers are stopped, busy ones after their task. */
  async resize(n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 1 || n > 256) {
      throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `pool size ${n} is not a whole number from 1 to 256`, fix: `use 1 to ${os.cpus().length}` });
    }
    this.targetSize = n;
    const spawns: Promise<void>[] = [];
    for (let i = this.slots.length; i < n; i++) spawns.push(this.spawnInto(i));
    await Promise.all(spawns);
    for (const slot of this.slots.slice(n)) {
      slot.retiring = true;
      if (!slot.busy) slot.handle.kill();
    }
    this.slots = this.slots.slice(0, n).concat(this.slots.slice(n).filter((s) => s.busy));
    return n;
  }

  onMessage(cb: (m: WorkerMessage) => void): () => void {
    this.messageListeners.add(cb);
    return () => this.messageListeners.delete(cb);
  }

  workers(): { slot: number; pid: number; tid: number; busy: boolean }[] {
    return this.slots.filter((s) => !s.retiring && !s.dead).map((s) => ({ slot: s.index, pid: s.handle.pid, tid: s.handle.tid, busy: s.busy }));
  }

  /**
   * Run fn on the next free worker (slot `prefer` when it is free). Rejects with WORKER_FAILED if
   * that worker dies meanwhile.
   */
  async run<T>(fn: (api: Remote<WorkerApi>, slot: number, pid: number, task: number) => Promise<T>, prefer?: number): Promise<T> {
    const slot = await this.acquire(prefer);
    const task = ++this.tasks;
    slot.task = task;
    try {
      return await new Promise<T>((resolve, reject) => {
        slot.failRunning = reject;
        fn(slot.api, slot.index, slot.handle.pid, task).then(resolve, reject);
      });
    } finally {
      slot.failRunning = undefined;
      slot.task = undefined;
      slot.busy = false;
      if (slot.retiring) slot.handle.kill();
      this.pump();
    }
  }

  /**
   * Kill the worker in one slot (cancel of the run whose task it runs); it is replaced. With `task`
   * (the number run() gave that task's fn), only while that task still runs there: a slot freed by
   * the task and handed to another run's task in the meantime is left alone.
   */
  killSlot(index: number, task?: number): void {
    const s = this.slots.find((x) => x.index === index && x.busy && (task === undefined || x.task === task));
    if (!s) return;
    this.killed++;
    s.handle.kill();
  }

  /** Workers killed by killSlot so far (tests: a cancel kills only its own run's workers). */
  killed = 0;
  /** Tasks started by run() so far (each task's number). */
  private tasks = 0;

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const q of this.queue) q.reject(new SpikeDeskError({ code: 'CANCELLED', message: 'the worker pool was shut down' }));
    this.queue = [];
    await Promise.all(this.slots.map(async (s) => { s.handle.kill(); await s.handle.waitForExit(2000); }));
    this.slots = [];
  }

  private acquire(prefer?: number): Promise<Slot> {
    if (this.disposed) return Promise.reject(new SpikeDeskError({ code: 'CANCELLED', message: 'the worker pool was shut down' }));
    const usable = (s: Slot): boolean => !s.busy && !s.retiring && !s.dead;
    const free = this.slots.find((s) => s.index === prefer && usable(s)) ?? this.slots.find(usable);
    if (free) { free.busy = true; return Promise.resolve(free); }
    return new Promise((resolve, reject) => this.queue.push({ resolve, reject }));
  }

  private pump(): void {
    while (this.queue.length) {
      const free = this.slots.find((s) => !s.busy && !s.retiring && !s.dead);
      if (!free) return;
      free.busy = true;
      this.queue.shift()!.resolve(free);
    }
  }

  private async spawnInto(index: number): Promise<void> {
    const slot = await this.makeSlot(index);
    this.slots[index] = slot;
    this.pump();
  }

  private async makeSlot(index: number): Promise<Slot> {
    const handle = await this.host.spawn({ entry: this.entry, name: `worker-${index}`, maxHeapMB: this.opts.maxHeapMB });
    const slot: Slot = { index, handle, api: wrap<WorkerApi>(handle.endpoint), busy: false, retiring: false, dead: false };
    handle.onMessage((data) => { for (const l of this.messageListeners) l({ slot: index, pid: handle.pid, data }); });
    this.watchExit(slot);
    return slot;
  }

  private watchExit(slot: Slot): void {
    slot.handle.onExit((_code, reason) => {
      slot.failRunning?.(new SpikeDeskError({ code: 'WORKER_FAILED', message: `worker ${slot.index} (pid ${slot.handle.pid}) stopped: ${reason}` }));
      slot.dead = true;
      const pos = this.slots.indexOf(slot);
      if (this.disposed || slot.retiring || pos < 0) return;
      void this.replace(slot);
    });
  }

  /** Replace a dead worker in the same slot; the slot stays busy until the replacement is ready. */
  private async replace(old: Slot): Promise<void> {
    let fresh: Slot;
    try {
      fresh = await this.makeSlot(old.index);
    } catch {
      // Could not start a replacement: drop the slot rather than spin.
      this.slots = this.slots.filter((s) => s !== old);
      return;
    }
    if (this.disposed) { fresh.handle.kill(); return; }
    const pos = this.slots.indexOf(old);
    if (pos < 0) { fresh.handle.kill(); return; }
    this.slots[pos] = fresh;
    this.pump();
  }
}
