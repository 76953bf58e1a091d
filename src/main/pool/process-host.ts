// One interface hides how worker processes are made: worker_threads in the Node hosts (CLI, web
// host, tests), Electron utilityProcess in the desktop app (src/main/electron/utility-host.ts).

import type { Endpoint } from 'comlink';

/**
 * V8 flags of the worker isolates. No concurrent recompilation: a worker's hot kernels (peeling,
 * clustering) run long loops, and with background compilation V8 kept compiling them again
 * (on-stack replacement while a job was pending, then discarded jobs): measured with
 * `spikedesk sort --trace` on 16 ch x 30 kHz x 160 s, background threads used 3.1 s of CPU
 * with 1 worker and 5.0 s with 2 (a fifth of the run), while compiling on the worker's own thread
 * cost it no measurable time. Those threads compete with the other worker for the cores, so they
 * capped the 2-worker speed-up. Compilation never changes what JavaScript computes.
 */
export const WORKER_V8_FLAGS = ['--no-concurrent-recompilation'];

/**
 * Flags of workers that are processes of their own (Electron utility processes): also V8's garbage
 * collection on the worker's own thread. The CLI re-launches itself with it for the same reason
 * (src/cli/relaunch.ts): the parallel GC's helper threads used 0.65-0.8 s of CPU per bench sort,
 * taken from the other worker when workers fill the cores. Thread workers cannot have it (set at run
 * time it aborted V8; it is a whole-process flag).
 */
export const PROCESS_V8_FLAGS = [...WORKER_V8_FLAGS, '--single-threaded-gc'];

export interface SpawnOptions {
  /** Worker entry module (a .ts file in development, a built .js file in the app). */
  entry: string;
  /** Tag for logs, e.g. 'worker-2'. */
  name: string;
  /** Heap limit in MB for the worker's JavaScript heap (fault tests use a small one). */
  maxHeapMB?: number;
}

export interface WorkerHandle {
  /** OS process id (for threads: the host process id; see tid). */
  readonly pid: number;
  /** Thread id for worker_threads, 0 for processes. */
  readonly tid: number;
  /** comlink endpoint for request/response. */
  readonly endpoint: Endpoint;
  /** Plain messages (progress) that are not comlink responses. */
  onMessage(cb: (data: unknown) => void): void;
  /** Called once when the worker is gone, expected or not. */
  onExit(cb: (code: number | null, reason: string) => void): void;
  /** Stop at once (used for cancel and crash tests). */
  kill(): void;
  /** Resolves when the worker has exited or after ms (then it is killed). */
  waitForExit(ms: number): Promise<void>;
}

export interface ProcessHost {
  readonly kind: 'threads' | 'utility';
  spawn(opts: SpawnOptions): Promise<WorkerHandle>;
}
