// The commands that run a worker pool (sort, correct, tf) run in a Node started with single-threaded
// garbage collection. Why: a worker's JavaScript heap stays small (about 10 MB; samples live in
// typed-array buffers outside it), yet V8's platform threads that mark, sweep and scavenge the heaps
// in parallel used 0.65-0.8 s of CPU per bench sort (16 ch x 30 kHz x 160 s) with 1 or 2 workers.
// With 2 workers on 2 cores those threads take the cores from the workers; on each isolate's own
// thread the same collections cost no measurable extra CPU (`spikedesk sort --trace`, same-run A/B:
// other threads 0.7-0.8 -> 0.09-0.13 s). The flag must be given when the process starts: set at run
// time (v8.setFlagsFromString, even as the entry's first statement) V8 aborted in a collection,
// since Node's C++ heap was set up for concurrent marking. Hence one re-launch of the CLI with it.
// Collection never changes what JavaScript computes.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export const PROCESS_GC_FLAGS = ['--single-threaded-gc'];
const POOL_COMMANDS = new Set(['sort', 'correct', 'tf']);

/** True when argv runs a pool and this process lacks the flags (SPIKEDESK_NO_RELAUNCH=1 opts out). */
export function wantsRelaunch(argv: string[]): boolean {
  return POOL_COMMANDS.has(argv[0]) && !process.env.SPIKEDESK_NO_RELAUNCH
    && !PROCESS_GC_FLAGS.every((f) => process.execArgv.includes(f));
}

/** Runs `node FLAGS entry argv` with this terminal; resolves with its exit code (128 + signal if killed). */
export function relaunch(entry: string, argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...PROCESS_GC_FLAGS, ...process.execArgv, entry, ...argv], {
      stdio: 'inherit', env: { ...process.env, SPIKEDESK_NO_RELAUNCH: '1' },
    });
    // Signals are passed on. Ctrl+C in a terminal reaches the child twice (its process group, then
    // from here): harmless, a second cancel of a run does nothing more.
    const onTerm = (s: NodeJS.Signals): void => { child.kill(s); };
    process.on('SIGINT', onTerm);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onTerm);
    const done = (code: number): void => {
      process.off('SIGINT', onTerm);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onTerm);
      resolve(code);
    };
    child.on('error', (e) => { process.stderr.write(`spikedesk: could not start ${process.execPath}: ${e.message}\n`); done(1); });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
  });
}
