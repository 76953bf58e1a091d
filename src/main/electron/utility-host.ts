// ProcessHost on Electron utilityProcess: one OS process per worker, wrapped in one class with
// exit events, log tags and waitForExit (the shape VS Code uses for its utility processes).

import { utilityProcess, type UtilityProcess } from 'electron';
import { PROCESS_V8_FLAGS, type ProcessHost, type SpawnOptions, type WorkerHandle } from '../pool/process-host';
import { utilityChildEndpoint } from '../../workers/endpoint';

const isPort = (x: unknown): boolean => (x as { constructor?: { name?: string } })?.constructor?.name === 'MessagePortMain';

class UtilityWorker implements WorkerHandle {
  readonly tid = 0;
  readonly endpoint;
  private exited = false;
  private exitCbs: ((code: number | null, reason: string) => void)[] = [];
  private exitPromise: Promise<void>;

  constructor(private child: UtilityProcess, private name: string) {
    this.endpoint = utilityChildEndpoint(child, isPort);
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exited = true;
        const reason = code === 0 ? 'exited' : `exited with code ${code}`;
        console.log(`[${this.name}] ${reason}`);
        for (const cb of this.exitCbs) cb(code, reason);
        resolve();
      });
    });
  }

  get pid(): number { return this.child.pid ?? -1; }

  onMessage(cb: (data: unknown) => void): void {
    this.child.on('message', (m: unknown) => { if (!(m as { id?: unknown })?.id) cb(m); });
  }

  onExit(cb: (code: number | null, reason: string) => void): void {
    if (this.exited) cb(null, 'exited'); else this.exitCbs.push(cb);
  }

  kill(): void { this.child.kill(); }

  async waitForExit(ms: number): Promise<void> {
    const timeout = new Promise<'t'>((r) => setTimeout(() => r('t'), ms));
    if ((await Promise.race([this.exitPromise, timeout])) === 't') this.child.kill();
  }
}

export class UtilityHost implements ProcessHost {
  readonly kind = 'utility' as const;

  async spawn(opts: SpawnOptions): Promise<WorkerHandle> {
    const execArgv = [...PROCESS_V8_FLAGS, ...(opts.maxHeapMB ? [`--max-old-space-size=${opts.maxHeapMB}`] : [])];
    const child = utilityProcess.fork(opts.entry, [], { serviceName: `SpikeDesk ${opts.name}`, execArgv, stdio: 'inherit' });
    const handle = new UtilityWorker(child, opts.name);
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: unknown) => { if ((m as { type?: string })?.type === 'ready') { child.off('message', onMsg); resolve(); } };
      child.on('message', onMsg);
      child.once('exit', (code) => reject(new Error(`${opts.name} exited during start-up (code ${code})`)));
    });
    return handle;
  }
}
