// Shared plumbing of the CLI commands: exit codes, opening the input, the execution mode, the
// --params file, and running a spec with progress bars, Ctrl+C handling and the run report.
// Everything in main is reached through the headless services (src/main/headless.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError, toErrorInfo, type ErrorCode } from '../shared/errors';
import type { CorrectParams, ExecutionMode, PipelineSpec } from '../shared/params';
import { peakSaid, runPeakMB, type RunReport } from '../shared/progress';
import type { OpenOptions } from '../shared/recording';
import { defaultDemoDir, jobsFor, openRecording, RunTrace, startRun, type OpenedRecording, type RunOutcome, type TriggerSummary } from '../main/headless';
import { num, str, UsageError, type ParsedArgs } from './args';
import { ProgressBars } from './progress-bar';

export const EXIT = { ok: 0, usage: 1, badInput: 2, runFailed: 3, cancelled: 130 } as const;

const INPUT_CODES: ErrorCode[] = ['FILE_NOT_FOUND', 'FILE_UNREADABLE', 'FILE_EMPTY', 'FILE_TRUNCATED', 'FORMAT_UNKNOWN',
  'FORMAT_CORRUPT', 'FORMAT_UNSUPPORTED', 'HEADER_MISMATCH', 'BAD_SAMPLES', 'NON_FINITE', 'NO_TRIGGERS', 'NOT_FOUND'];

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
export function currentDemoDir(): string { return demoDir; }

/** The timeline of this command (--trace FILE or SPIKEDESK_TRACE=FILE), written when it ends. */
let trace: RunTrace | null = null;
export function startTrace(): RunTrace { trace = new RunTrace(); return trace; }
export function currentTrace(): RunTrace | null { return trace; }

/** Runs fn as a main-process span of the trace (when tracing). */
export async function traced<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  return trace ? trace.timeAsync(name, async () => fn()) : fn();
}

/**
 * Opens FILE (or the demo) with the raw-binary options of the command line. note: where the
 * reader's notes on the file go (a run command prints them as `info` does, e.g. bytes that do not
 * fill a frame, which hint at a wrong --channels, or a missing --gain).
 */
export async function openInput(file: string | undefined, open: OpenOptions, note?: (line: string) => void): Promise<OpenedRecording> {
  if (!file) throw new UsageError('give the recording file');
  try {
    const rec = await traced('open', () => openRecording(file, open, demoDir));
    for (const n of rec.meta.notes ?? []) note?.(`note: ${n}`);
    return rec;
  } catch (e) {
    // The io layer's fix speaks of fields; on the command line they are options.
    const info = toErrorInfo(e);
    if (info.code === 'BAD_PARAMETER' && /raw binary/i.test(info.message)) {
      throw new SpikeDeskError({ ...info, fix: 'give --channels N --rate HZ (and --dtype int16|uint16|float32, --gain UV_PER_BIT, --offset BYTES as needed), e.g. --channels 32 --rate 30000 --gain 0.195; or keep the SpikeGLX .meta or Open Ephys structure.oebin next to the data file' });
    }
    throw e;
  }
}

export function modeFrom(a: ParsedArgs, warn: (line: string) => void = () => undefined): ExecutionMode {
  const kind = str(a, 'mode') ?? 'fast';
  if (kind !== 'fast' && kind !== 'low-memory') throw new UsageError(`--mode ${kind}: use fast or low-memory`);
  const asked = num(a, 'jobs', (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'a whole number of workers');
  const d = jobsFor(asked, a.flags.has('force-jobs'));
  if (d.warning) warn(`warning: ${d.warning}`);
  const memoryBudgetMB = num(a, 'memory', (n) => n >= 64, 'a memory budget of at least 64 MB') ?? 512;
  return { kind, jobs: kind === 'fast' ? d.jobs : 1, memoryBudgetMB };
}

/**
 * The --params JSON (any subset of the workflow's parameters), or undefined: a file, or the JSON
 * itself when the value starts with "{" (--params '{"cluster":{"kMax":4}}') and names no file.
 */
export function readParamsFile(a: ParsedArgs): unknown {
  const file = str(a, 'params');
  if (file === undefined) return undefined;
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch {
    if (!file.trimStart().startsWith('{')) throw new UsageError(`--params ${file}: cannot read the file (give a JSON file, or the JSON itself in quotes: --params '{"cluster":{"kMax":4}}')`);
    text = file;
  }
  try { return JSON.parse(text); } catch (e) {
    throw new UsageError(`--params ${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** Run a spec on a fresh pool with progress bars on a TTY; Ctrl+C cancels the run. */
export async function runSpec(spec: PipelineSpec, rec: OpenedRecording, io: Io, showProgress: boolean): Promise<RunOutcome> {
  const bars = showProgress && !io.json && io.stderr.isTTY ? new ProgressBars(io.stderr) : null;
  const run = startRun(spec, rec, {
    trace: trace ?? undefined,
    onProgress: (p) => bars?.update(p),
    onEstimate: (e) => {
      if (!io.json) io.stderr.write(`${spec.workflow}: ${spec.mode.kind} mode, ${spec.mode.jobs} worker(s); ${startEstimate(e)}\n`);
    },
  });
  // Ctrl+C from here on cancels the run (and a run not started yet never starts).
  const onSigint = (): void => run.cancel();
  process.on('SIGINT', onSigint);
  try {
    const out = await run.done;
    bars?.finish();
    const { report, estimate: e } = out;
    if (!io.json && report.state === 'done') io.stderr.write(`${estimateVsActual(e, report)}\n`);
    return out;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * The start line's estimate. A full run's figures, unless the cache already holds part of the run:
 * then the time left is scaled by the share still to compute (stage weights), and the line says so.
 */
export function startEstimate(e: { seconds: number; peakMB: number; measured: boolean; cached?: { share: number; stages: string[] } }): string {
  const unmeasured = e.measured ? '' : ' (not yet measured on this machine)';
  const share = e.cached?.share ?? 0;
  if (share >= 1) return `every stage is in the cache, so little is left to compute (a full run is estimated at ~${Math.round(e.seconds)} s${e.measured ? '' : ', not yet measured on this machine'})`;
  const peak = `estimated peak ${Math.round(e.peakMB)} MB`;
  if (share <= 0) return `${peak}, ~${Math.round(e.seconds)} s${unmeasured}`;
  const left = e.seconds * (1 - share);
  const stages = e.cached?.stages.length ? ` (${e.cached.stages.join(', ')} from the cache)` : '';
  return `${peak}, ~${left < 10 ? left.toFixed(1) : Math.round(left)} s for the ${Math.round((1 - share) * 100)} % of the work not in the cache${stages}; a full run ~${Math.round(e.seconds)} s${unmeasured}`;
}

/**
 * The start estimate against the run. The estimate is for running every stage: stages taken from
 * the cache make a run faster than it says, so such a run says so instead of looking mis-estimated.
 */
export function estimateVsActual(e: { seconds: number; peakMB: number }, r: Pick<RunReport, 'wallS' | 'peakRssMB' | 'rssScope' | 'stagesRun' | 'stagesCached'>): string {
  const n = r.stagesRun.length + r.stagesCached.length;
  if (r.stagesCached.length && !r.stagesRun.length) return `every stage came from the cache: ${r.wallS.toFixed(1)} s (a full run was estimated at ~${e.seconds.toFixed(1)} s)`;
  const line = `estimate vs actual: ~${e.seconds.toFixed(1)} s vs ${r.wallS.toFixed(1)} s, ~${Math.round(e.peakMB)} MB vs ${Math.round(runPeakMB(r))} MB peak`;
  return r.stagesCached.length ? `${line} (${r.stagesCached.length} of ${n} stages from the cache; the estimate is for running them all)` : line;
}

export function reportExit(r: RunReport): number {
  if (r.state === 'cancelled') return EXIT.cancelled;
  if (r.state === 'failed' || r.failed.length) return EXIT.runFailed;
  return EXIT.ok;
}

export function describeReport(r: RunReport): string {
  const lines = [
    `${r.workflow} ${r.state} in ${r.wallS.toFixed(1)} s (${r.mode}, ${r.jobs} worker(s)); ${peakSaid(r)}`,
    `stages run: ${r.stagesRun.join(', ') || 'none'}; from cache: ${r.stagesCached.join(', ') || 'none'}`,
  ];
  for (const f of r.failed) lines.push(`channel ${f.channel} FAILED: ${f.reason}${f.fix ? `. Fix: ${f.fix}` : ''}`);
  return lines.join('\n');
}

/** --trigger-channel / --trigger-regex over correction parameters (correct, tf --corrected, batch). */
export function withTriggerFlags(a: ParsedArgs, c: CorrectParams): CorrectParams {
  const tc = str(a, 'trigger-channel'), tr = str(a, 'trigger-regex');
  if (tc && tr) throw new UsageError('give either --trigger-channel or --trigger-regex, not both');
  if (tc) return { ...c, triggers: { ...c.triggers, source: 'channel', channel: tc } };
  if (tr) return { ...c, triggers: { ...c.triggers, source: 'events', regex: tr } };
  return c;
}

/** The lines that say which triggers a correction used (its warnings too): correct, tf --corrected. */
export function triggerLines(trig: TriggerSummary | null): string[] {
  if (!trig) return [];
  return [
    `triggers: ${trig.count} from ${trig.source} (${trig.reason})${trig.added ? `, ${trig.added} completed by template matching` : ''}`,
    ...trig.warnings.map((w) => `warning: ${w}`),
  ];
}
