// utilityProcess.fork: a Node child process with process.parentPort (utility-child.cjs).
// Main side: 'spawn', bare-message 'message' events (Electron's UtilityProcess emits the message
// itself, the child's parentPort emits {data, ports}), 'exit' with a numeric code, kill(), pid.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmuEmitter } from './emitter';
import { checkTransfer } from './ports';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'utility-child.cjs');

export interface UtilityRecord {
  serviceName: string;
  modulePath: string;
  pid: number | undefined;
  alive: boolean;
  exitCode: number | null;
  proc: UtilityProcess;
}

/** Every utility process the app started, for the tests. */
export const utilityRecords: UtilityRecord[] = [];

export interface ForkOptions {
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  cwd?: string;
  stdio?: 'pipe' | 'ignore' | 'inherit' | string[];
  serviceName?: string;
}

export class UtilityProcess extends EmuEmitter {
  private child: ChildProcess | null;
  private record: UtilityRecord;

  constructor(modulePath: string, args?: string[] | ForkOptions, options?: ForkOptions) {
    super('UtilityProcess');
    // Argument checks of lib/browser/api/utility-process.ts.
    if (!modulePath) throw new Error('Missing UtilityProcess entry script.');
    if (args != null && !Array.isArray(args)) { options = args; args = []; }
    const opts: ForkOptions = { ...(options ?? {}) };
    if (opts.execArgv != null && !Array.isArray(opts.execArgv)) throw new Error('execArgv must be an array of strings.');
    if (opts.serviceName != null && typeof opts.serviceName !== 'string') throw new Error('serviceName must be a string.');
    if (opts.cwd != null && typeof opts.cwd !== 'string') throw new Error('cwd path must be a string.');
    let out: 'inherit' | 'ignore' | 'pipe' = 'inherit';
    if (typeof opts.stdio === 'string') {
      if (!['inherit', 'ignore', 'pipe'].includes(opts.stdio)) throw new Error('stdio must be of the following values: inherit, pipe, ignore');
      out = opts.stdio as typeof out;
    } else if (Array.isArray(opts.stdio)) {
      if (opts.stdio[0] !== 'ignore') throw new Error('stdin value other than ignore is not supported.');
      out = opts.stdio[1] as typeof out;
    }
    // stdin is always ignored in a utility process.
    this.child = fork(CHILD, [modulePath, ...((args as string[] | undefined) ?? [])], {
      execArgv: opts.execArgv ?? [],
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', out, out, 'ipc'],
      serialization: 'advanced',
    });
    this.record = { serviceName: opts.serviceName ?? 'Node Utility Process', modulePath, pid: undefined, alive: true, exitCode: null, proc: this };
    utilityRecords.push(this.record);
    this.child.once('spawn', () => { this.record.pid = this.child?.pid; this.fire('spawn'); });
    this.child.on('message', (m: { k?: string; data?: unknown }) => { if (m?.k === 'msg') this.fire('message', m.data); });
    this.child.on('error', () => undefined); // spawn failures surface as 'exit'
    this.child.once('exit', (code, signal) => {
      // Electron reports a number (waitpid status); a signal death maps to 128 + signal number.
      const n = code ?? 128 + (signal ? os.constants.signals[signal] ?? 0 : 0);
      this.record.alive = false;
      this.record.exitCode = n;
      this.child = null;
      this.fire('exit', n);
    });
  }

  get pid(): number | undefined { return this.child?.pid; }
  get stdout(): null { return null; }
  get stderr(): null { return null; }

  postMessage(message: unknown, transfer?: unknown): void {
    const ports = checkTransfer(transfer);
    if (ports.length) throw new Error('emulation: transferring MessagePortMain objects to a utility process is not emulated');
    if (!this.child?.connected) return;
    this.child.send({ k: 'msg', data: message });
  }

  kill(): boolean {
    if (!this.child) return false;
    return this.child.kill('SIGTERM');
  }
}

export const utilityProcess = {
  fork(modulePath: string, args?: string[] | ForkOptions, options?: ForkOptions): UtilityProcess {
    return new UtilityProcess(modulePath, args, options);
  },
};
