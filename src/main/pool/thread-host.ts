// ProcessHost on worker_threads. TypeScript entries run through a tiny bootstrap that registers
// tsx inside the worker (Node 20 does not apply --import loaders to a worker's main module).

import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from 'comlink';
import { nodePortEndpoint } from '../../workers/endpoint';
import { WORKER_V8_FLAGS, type ProcessHost, type SpawnOptions, type WorkerHandle } from './process-host';

const bootstrap = fileURLToPath(new URL('./ts-bootstrap.mjs', import.meta.url));

export class ThreadHost implements ProcessHost {
  readonly kind = 'threads' as const;

  async spawn(opts: SpawnOptions): Promise<WorkerHandle> {
    // V8 flags are per process; an isolate reads these when it is created, so setting them before
    // a worker starts gives that worker's isolate the flags (the host's own isolate keeps its own).
    for (const f of WORKER_V8_FLAGS) setFlagsFromString(f);
    const isTs = opts.entry.endsWith('.ts');
    const worker = new Worker(isTs ? bootstrap : opts.entry, {
      workerData: isTs ? { entry: opts.entry } : {},
      name: opts.name,
      resourceLimits: opts.maxHeapMB ? { maxOldGenerationSizeMb: opts.maxHeapMB } : undefined,
      stdout: false,
      stderr: false,
    });
    const exitCbs: ((code: number | null, reason: string) => void)[] = [];
    let exited = false;
    let lastError = '';
    const exitPromise = new Promise<void>((resolve) => {
      worker.on('error', (e) => { lastError = e instanceof Error ? e.message : String(e); });
      worker.on('exit', (code) => {
        exited = true;
        const reason = lastError || (code === 0 ? 'exited' : `exited with code ${code}`);
        for (const cb of exitCbs) cb(code, reason);
        resolve();
      });
    });
    // Wait until the worker's module has loaded and announced itself.
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: unknown) => {
        if ((m as { type?: string })?.type === 'ready') { worker.off('message', onMsg); resolve(); }
      };
      worker.on('message', onMsg);
      worker.once('exit', (code) => reject(new Error(`worker ${opts.name} exited during start-up (code ${code}): ${lastError}`)));
    });
    return {
      pid: process.pid,
      tid: worker.threadId,
      endpoint: nodePortEndpoint(worker) as Endpoint,
      onMessage: (cb) => { worker.on('message', (m) => { if (!(m as { id?: unknown })?.id) cb(m); }); },
      onExit: (cb) => { if (exited) cb(null, 'exited'); else exitCbs.push(cb); },
      kill: () => { void worker.terminate(); },
      waitForExit: async (ms) => {
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref());
        if ((await Promise.race([exitPromise.then(() => 'exit' as const), timer])) === 'timeout') await worker.terminate();
      },
    };
  }
}
