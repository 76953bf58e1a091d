// Worker entry: detects its host (worker_threads or Electron utilityProcess), exposes the worker
// API over comlink and posts progress as plain messages. It lives under main/ because a worker
// opens recordings itself (main/io) and writes its results into the session cache.

import { expose } from 'comlink';
import { parentPort } from 'node:worker_threads';
import { installRpcErrorHandler } from '../../shared/rpc';
import { electronPortEndpoint, nodePortEndpoint, type ElectronPortLike } from '../../workers/endpoint';
import { runTask } from '../pipeline/run-task';
import type { WorkerTask, TaskResult } from '../pipeline/task';
import { decimateTask, gmmSplitTask, type DecimateTask, type DecimateResult } from '../session/workbench-tasks';
import { ensureDemo, type DemoKind, type DemoProgress } from '../demo';

type Post = (m: unknown) => void;
let post: Post = () => undefined;

const api = {
  ping(): { pid: number; at: number } {
    return { pid: process.pid, at: Date.now() };
  },
  rssMB(): number {
    return process.memoryUsage.rss() / 1048576;
  },
  runTask(task: WorkerTask): Promise<TaskResult> {
    return runTask(task, (m) => post(m));
  },
  /** Workbench: min/max columns of a trace window (the worker reads the samples itself). */
  decimate(task: DecimateTask): Promise<DecimateResult> {
    return decimateTask(task);
  },
  /** Workbench: GMM sub-labels for re-clustering one cluster into k parts. */
  gmmSplit(X: Float32Array, n: number, d: number, k: number, seed: number): Int32Array {
    return gmmSplitTask(X, n, d, k, seed);
  },
  /** The demo recording, generated here rather than on the host's event loop (src/main/demo.ts). */
  generateDemo(kind: DemoKind, demoDir: string): Promise<string> {
    let last = -1;
    return ensureDemo(kind, demoDir, (fraction) => {
      const pct = Math.floor(fraction * 100);
      if (pct !== last) { last = pct; post({ type: 'demo-progress', kind, fraction } satisfies DemoProgress); }
    });
  },
  /** Fault injection for tests: throw, crash the process or exhaust the heap. */
  fault(kind: 'throw' | 'exit' | 'oom'): void {
    if (kind === 'throw') throw new Error('injected fault');
    if (kind === 'exit') process.exit(3);
    const hog: Float64Array[] = [];
    for (;;) hog.push(new Float64Array(1 << 20).fill(1));
  },
};

export type WorkerApi = typeof api;

installRpcErrorHandler();
const electronParent = (process as unknown as { parentPort?: ElectronPortLike }).parentPort;
if (parentPort) {
  expose(api, nodePortEndpoint(parentPort));
  post = (m) => parentPort!.postMessage(m);
  post({ type: 'ready' });
} else if (electronParent) {
  expose(api, electronPortEndpoint(electronParent));
  post = (m) => electronParent.postMessage(m);
  post({ type: 'ready' });
}
