// Shared plumbing of the CLI commands: exit codes, opening the input, the worker pool, and
// running a spec with progress bars, Ctrl+C handling and the run report.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpikeDeskError, toErrorInfo, type ErrorCode } from '../shared/errors';
import type { ExecutionMode, PipelineSpec } from '../shared/params';
import type { RunReport } from '../shared/progress';
import type { OpenOptions, RecordingMeta, SourceRef } from '../shared/recording';
import { openSource } from '../main/io';
import { ensureDemo } from '../main/demo';
import { defaultDemoDir } from '../main/compose';
import type { Source } from '../main/io/source';
import { Engine } from '../main/pipeline/engine';
import type { InjectedFault } from '../main/pipeline/task';
import { Pool, defaultPoolSize } from '../main/pool/pool';
import { ThreadHost } from '../main/pool/thread-host';
import { num, str, UsageError, type ParsedArgs } from './args';
import { ProgressBars } from './progress-bar';
import { capJobs } from '../main/jobs';
import { Calibration } from '../main/pipeline/calibration';
import * as os from 'node:os';
import { checkWritable } from '../main/io/writable';
import { outputExists } from '../main/export/atomic-output';

export const EXIT = { ok: 0, usage: 1, badInput: 2, runFailed: 3, cancelled: 130 } as const;

const INPUT_CODES: ErrorCode[] = ['FILE_NOT_FOUND', 'FILE_UNREADABLE', 'FILE_EMPTY', 'FILE_TRUNCATED', 'FORMAT_UNKNOWN',
  'FORMAT_CORRUPT', 'FORMAT_UNSUPPORTED', 'HEADER_MISMATCH', 'BAD_SAMPLES', 'NO_TRIGGERS', 'NOT_FOUND'];

/** Exit code for anything thrown by a command. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  const info = toErrorInfo(e);
  if (info.code === 'BAD_PARAMETER' || info.code === 'BAD_REQUEST' || info.code === 'OUTPUT_EXISTS') return EXIT.usage;
  if (INPUT_CODES.includes(info.code)) return EXIT.badInput;
  if (info.code === 'CANCELLED') return EXIT.cancelled;
  return EXIT.runFailed;
}

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  json: boolean;
}

/** Folder of the demo recordings for the CLI (set by --demo-dir). */
let demoDir = defaultDemoDir();
export function setDemoDir(dir: string | undefined): void { if (dir) demoDir = path.resolve(dir); }

export async function openInput(file: string | undefined, open: OpenOptions): Promise<Source> {
  if (!file) throw new UsageError('give the recording file');
  if (file === 'demo' || file === 'demo:spikes' || file === 'demo:eeg') {
    return openSource(await ensureDemo(file === 'demo:eeg' ? 'eeg' : 'spikes', demoDir), open);
  }
  if (!fs.existsSync(file)) throw new SpikeDeskError({ code: 'FILE_NOT_FOUND', message: 'the file does not exist', file, fix: 'check the path' });
  try {
    return await openSource(path.resolve(file), open);
  } catch (e) {
    // The io layer's fix speaks of fields; on the command line they are options.
    const info = toErrorInfo(e);
    if (info.code === 'BAD_PARAMETER' && /raw binary/i.test(info.message)) {
      throw new SpikeDeskError({ ...info, fix: 'give --channels N --rate HZ (and --dtype int16|uint16|float32, --gain UV_PER_BIT, --offset BYTES as needed), e.g. --channels 32 --rate 30000 --gain 0.195; or keep the SpikeGLX .meta or Open Ephys structure.oebin next to the data file' });
    }
    throw e;
  }
}

/**
 * Before a long run that ends in writing `out`: refuse an existing output unless --force (the same
 * rule as export), and fail now, not after the run, when its folder cannot be written.
 */
export function checkOutput(out: string, kind: 'file' | 'dir', force: boolean): void {
  const target = path.resolve(out);
  const exists = fs.existsSync(target) && (kind === 'file' || fs.readdirSync(target).length > 0);
  if (exists && !force) throw outputExists(target);
  checkWritable(kind === 'dir' ? path.join(target, 'params.py') : target, { createFolders: true });
}

/** The worker entry: the built one next to a bundled CLI, else the TypeScript source via tsx. */
export function workerEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, 'worker.js'), path.join(here, '../main/pool/worker.js'), path.join(here, '../main/pool/worker.ts')]) {
    if (fs.existsSync(c)) return c;
  }
  throw new SpikeDeskError({ code: 'INTERNAL', message: 'worker entry not found next to the CLI' });
}

export function modeFrom(a: ParsedArgs, warn: (line: string) => void = () => undefined): ExecutionMode {
  const kind = str(a, 'mode') ?? 'fast';
  if (kind !== 'fast' && kind !== 'low-memory') throw new UsageError(`--mode ${kind}: use fast or low-memory`);
  const asked = num(a, 'jobs', (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'a whole number of workers');
  let jobs = asked ?? defaultPoolSize();
  if (asked !== undefined) {
    const d = capJobs(asked, undefined, a.flags.has('force-jobs'));
    if (d.warning) warn(`warning: ${d.warning}`);
    jobs = d.jobs;
  }
  const memoryBudgetMB = num(a, 'memory', (n) => n >= 64, 'a memory budget of at least 64 MB') ?? 512;
  return { kind, jobs: kind === 'fast' ? jobs : 1, memoryBudgetMB };
}

export function readParamsFile(a: ParsedArgs): unknown {
  const file = str(a, 'params');
  if (file === undefined) return undefined;
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch {
    throw new UsageError(`--params ${file}: cannot read the file`);
  }
  try { return JSON.parse(text); } catch (e) {
    throw new UsageError(`--params ${file}: not valid JSON (${(e as Error).message})`);
  }
}

export interface RunOutcome {
  report: RunReport;
  engine: Engine;
  meta: RecordingMeta;
}

/** Run a spec on a fresh pool with progress bars on a TTY; Ctrl+C cancels the run. */
export async function runSpec(spec: PipelineSpec, ref: SourceRef, meta: RecordingMeta, io: Io, showProgress: boolean): Promise<RunOutcome> {
  // Ctrl+C from here on cancels the run (and a run not started yet never starts).
  let interrupted = false;
  let cancel = (): void => { interrupted = true; };
  const onSigint = (): void => cancel();
  process.on('SIGINT', onSigint);
  const pool = new Pool(new ThreadHost(), workerEntry(), { size: spec.mode.jobs });
  try {
    await pool.start();
    const engine = new Engine(pool, { injectFault: testFault() });
    const bars = showProgress && !io.json && io.stderr.isTTY ? new ProgressBars(io.stderr) : null;
    // The app's calibration of this machine when it has one (the CLI refines it but never probes).
    const cal = new Calibration(path.join(process.env.SPIKEDESK_SETTINGS_DIR ?? path.join(os.homedir(), '.spikedesk'), 'calibration.json'));
    const est = cal.estimate(spec, meta);
    const e = spec.mode.kind === 'fast' ? est.fast : est.lowMemory;
    if (!io.json) io.stderr.write(`${spec.workflow}: ${spec.mode.kind} mode, ${spec.mode.jobs} worker(s); estimated peak ${Math.round(e.peakMB)} MB, ~${Math.round(e.seconds)} s${cal.measured(spec, meta) ? '' : ' (not yet measured on this machine)'}\n`);
    if (interrupted) throw new SpikeDeskError({ code: 'CANCELLED', message: 'cancelled before the run started' });
    const started = engine.start(spec, ref, meta, (p) => bars?.update(p));
    cancel = () => engine.cancel(started.runId);
    const report = await started.done;
    bars?.finish();
    cal.learn(spec, meta, report);
    if (!io.json && report.state === 'done') {
      io.stderr.write(`estimate vs actual: ~${e.seconds.toFixed(1)} s vs ${report.wallS.toFixed(1)} s, ~${Math.round(e.peakMB)} MB vs ${Math.round(Math.max(0, ...report.peakRssMB))} MB peak\n`);
    }
    return { report, engine, meta };
  } finally {
    process.off('SIGINT', onSigint);
    await pool.dispose();
  }
}

/** Test hook: SPIKEDESK_TEST_FAULT=channel:kind:attempts makes tasks fail (see InjectedFault). */
export function testFault(): InjectedFault | undefined {
  const v = process.env.SPIKEDESK_TEST_FAULT;
  const m = v ? /^(\d+):(throw|exit|oom):(\d+)$/.exec(v) : null;
  return m ? { channel: Number(m[1]), kind: m[2] as InjectedFault['kind'], attempts: Number(m[3]) } : undefined;
}

export function reportExit(r: RunReport): number {
  if (r.state === 'cancelled') return EXIT.cancelled;
  if (r.state === 'failed' || r.failed.length) return EXIT.runFailed;
  return EXIT.ok;
}

export function describeReport(r: RunReport): string {
  const lines = [
    `${r.workflow} ${r.state} in ${r.wallS.toFixed(1)} s (${r.mode}, ${r.jobs} worker(s)); peak RSS per worker: ${r.peakRssMB.map((m) => `${Math.round(m)} MB`).join(', ') || 'n/a'}`,
    `stages run: ${r.stagesRun.join(', ') || 'none'}; from cache: ${r.stagesCached.join(', ') || 'none'}`,
  ];
  for (const f of r.failed) lines.push(`channel ${f.channel} FAILED: ${f.reason}`);
  return lines.join('\n');
}
