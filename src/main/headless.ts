// The headless services: what a host without a window (the `spikedesk` CLI, a Slurm array task)
// may ask of main, as plain functions over plain values. The CLI imports main only through this
// module (eslint.config.js keeps it so); it parses arguments and prints, nothing else. Runs go
// through the same pool -> engine composition as createServices (compose.ts), and every export
// through the one path per format of src/main/export (the app's menu uses the same functions).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpikeDeskError } from '../shared/errors';
import type { CorrectedExportFormat, ExportReport, SortedExportFormat } from '../shared/export';
import {
  DEFAULT_CORRECT, DEFAULT_SORT, autoDecim, formatBytes, mergeParams, tfDefaultsFor, tfOutputBytes, validateSpec,
  type CorrectParams, type ExecutionMode, type PipelineSpec, type SortParams, type TfParams,
} from '../shared/params';
import { CorrectParamsSchema, SortParamsSchema, TfParamsSchema } from '../shared/schema/params-schema';
import { parseWith } from '../shared/schema/fields';
import type { RunProgress, RunReport } from '../shared/progress';
import type { OpenOptions, RecordingMeta, SourceRef } from '../shared/recording';
import { defaultDemoDir, defaultSettingsDir } from './compose';
import { ensureDemo } from './demo';
import { openSource } from './io';
import { checkWritable } from './io/writable';
import { capJobs, coreCount, type JobsDecision } from './jobs';
import { Calibration } from './pipeline/calibration';
import { sessionDirFor } from './pipeline/cache';
import { Engine } from './pipeline/engine';
import { openResultSource } from './pipeline/result-source';
import { readSession } from './pipeline/session-store';
import { loadSortResult, unitIdsOf } from './pipeline/sort-result';
import type { InjectedFault } from './pipeline/task';
import { loadTfResult } from './pipeline/tf-result';
import { planChannels } from './pipeline/planner';
import { RunTrace } from './pipeline/trace';
import { writeTrace, type TraceSummary } from './pipeline/trace-file';
import { Pool, defaultPoolSize } from './pool/pool';
import { ThreadHost } from './pool/thread-host';
import { checkTarget, outputExists, withAtomicOutput } from './export/atomic-output';
import { exportCorrectedSource } from './export/corrected-source';
import { exportSorted, fromSortFolder, fromSortSession, labelByRule } from './export';
import { writeSortFolder } from './export/sort-output';
import { writeTfFolder } from './export/tf-folder';
import { writeTfNwb } from './export/tf-nwb';
import { SortSession } from './session/workbench';
import { startBatch, type BatchHandle, type BatchOptions } from './batch/run-batch';
import { makeJob, type BatchJob, type JobOptions, type ParallelChoice } from './batch/job';
import { defaultMemoryBudgetMB } from './batch/local';
import { runBatchTask } from './batch/task';
import { defaultCliEntry } from './batch/slurm';

export { defaultDemoDir, defaultPoolSize, defaultMemoryBudgetMB, defaultCliEntry, RunTrace };
export type { TraceSummary };
export type { BatchHandle, BatchJob, ParallelChoice, JobsDecision };
export type { RecordingState, RecordingResult } from './batch/recording';
export type { SplitChannels } from './batch/split';

// ---- parameters: the user's partial object over the defaults, checked field by field ----

type Workflow = PipelineSpec['workflow'];
type ParamsOf<W extends Workflow> = Extract<PipelineSpec, { workflow: W }>['params'];

/**
 * A `--params` file's object (the workflow's parameters, any subset) deep-merged over the
 * defaults, then parsed by the workflow's schema: every unknown field, wrong type or value out of
 * bounds is named in one BAD_PARAMETER error (never an INTERNAL one).
 */
export function userParams(workflow: 'sort', partial: unknown): SortParams;
export function userParams(workflow: 'correct', partial: unknown): CorrectParams;
export function userParams(workflow: 'tf', partial: unknown): TfParams;
export function userParams(workflow: 'sort' | 'correct' | 'tf', partial: unknown): SortParams | CorrectParams | TfParams {
  const what = `the ${workflow} parameters are invalid`;
  if (workflow === 'sort') return parseWith(SortParamsSchema, mergeParams(DEFAULT_SORT, partial), what);
  if (workflow === 'correct') return parseWith(CorrectParamsSchema, mergeParams(DEFAULT_CORRECT, partial), what);
  return parseWith(TfParamsSchema, mergeParams(tfDefaultsFor(partial), partial), what);
}

/** The spec of a run, checked against the recording (Nyquist, channel count, cross-field rules). */
export function runSpecFor<W extends Workflow>(workflow: W, params: ParamsOf<W>, mode: ExecutionMode, meta: RecordingMeta, channels?: number[]): PipelineSpec {
  return validateSpec({ workflow, params, mode, channels }, { sampleRate: meta.sampleRate, nChannels: meta.channels.length });
}

/** Above this a tf run's output size is worth a note before it starts. */
const LARGE_TF_BYTES = 1 << 30;

/**
 * Before a tf run whose power output passes 1 GB: how large it is (it is held in the session cache
 * and written again by each export) and, when decimation would help, the --decim that keeps the
 * output rate at 8x the top frequency and what size that gives. null for other runs.
 */
export function tfSizeNote(spec: PipelineSpec, meta: RecordingMeta): string | null {
  if (spec.workflow !== 'tf') return null;
  const p = spec.params;
  const ch = planChannels(spec, meta).length;
  const bytes = tfOutputBytes(p, ch, meta.nSamples);
  if (bytes < LARGE_TF_BYTES) return null;
  const d = autoDecim(meta.sampleRate, Math.max(...p.freqs));
  const what = `${ch} x ${p.freqs.length} x ${Math.ceil(meta.nSamples / p.decim)} float32${p.phase ? ', with the phase' : ''}`;
  const hint = d > p.decim ? `; --decim ${d} keeps 1 sample in ${d} (${+(meta.sampleRate / d).toFixed(1)} Hz, 8x the top frequency): ${formatBytes(tfOutputBytes({ ...p, decim: d }, ch, meta.nSamples))}` : '';
  return `note: the power is ${formatBytes(bytes)} (${what}), kept in the session cache and written again by each export${hint}`;
}

// ---- recordings ----

export interface OpenedRecording { ref: SourceRef; meta: RecordingMeta }

/** Writes the demo recording once (deterministic) and returns its path. */
export function demoRecording(kind: 'spikes' | 'eeg', demoDir: string, onProgress?: (f: number) => void): Promise<string> {
  return ensureDemo(kind, demoDir, onProgress);
}

/** Opens a recording ('demo', 'demo:spikes', 'demo:eeg' or a path), reads its header and closes it. */
export async function openRecording(file: string, open: OpenOptions, demoDir: string): Promise<OpenedRecording> {
  let p: string;
  if (file === 'demo' || file === 'demo:spikes' || file === 'demo:eeg') p = await ensureDemo(file === 'demo:eeg' ? 'eeg' : 'spikes', demoDir);
  else {
    if (!fs.existsSync(file)) throw new SpikeDeskError({ code: 'FILE_NOT_FOUND', message: 'the file does not exist', file, fix: 'check the path' });
    p = path.resolve(file);
  }
  const src = await openSource(p, open);
  const meta = src.meta;
  src.close();
  return { ref: { path: meta.path, open: Object.keys(open).length ? open : undefined }, meta };
}

/** The session folder of a recording (beside it, or the per-user fallback). */
export function sessionDirOf(recordingPath: string): string {
  return sessionDirFor(recordingPath);
}

// ---- outputs ----

/**
 * Before a long run that ends in writing `out`: refuse an existing output unless `force` (the
 * rule of every export), and fail now, not after the run, when its folder cannot be written.
 */
export function checkOutput(out: string, kind: 'file' | 'dir', force: boolean): void {
  const target = path.resolve(out);
  const exists = fs.existsSync(target) && (kind === 'file' || fs.readdirSync(target).length > 0);
  if (exists && !force) throw outputExists(target);
  checkWritable(kind === 'dir' ? path.join(target, 'params.py') : target, { createFolders: true });
}

/** As checkOutput, for outputs written whole under their final name (tf folder, NWB file). */
export function checkExportTarget(out: string, force: boolean, kind: 'file' | 'dir'): void {
  checkTarget(path.resolve(out), force, kind);
}

// ---- runs ----

/** The worker count for a command-line request: capped at the cores unless forced (the warning says
 * why). Without a request every core runs a worker: a headless run's main thread only reads and
 * dispatches (0.5 s of a 13 s two-worker sort in the stage bench), so keeping a core free for it, as the
 * app's pool does for its window, would halve a 2-core machine's speed. */
export function jobsFor(requested: number | undefined, force: boolean, flag = '--force-jobs', cores = coreCount()): JobsDecision {
  return requested === undefined ? { jobs: Math.max(1, cores), warning: null } : capJobs(requested, cores, force, flag);
}

/** The worker entry: the built one next to a bundled host (out/node/), else the TypeScript source. */
export function workerEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, 'worker.js'), path.join(here, 'pool/worker.js'), path.join(here, 'pool/worker.ts')]) {
    if (fs.existsSync(c)) return c;
  }
  throw new SpikeDeskError({ code: 'INTERNAL', message: 'worker entry not found next to the CLI' });
}

/** Test hook: SPIKEDESK_TEST_FAULT=channel:kind:attempts makes tasks fail (see InjectedFault). */
export function testFault(env: NodeJS.ProcessEnv = process.env): InjectedFault | undefined {
  const v = env.SPIKEDESK_TEST_FAULT;
  const m = v ? /^(\d+):(throw|exit|oom):(\d+)$/.exec(v) : null;
  return m ? { channel: Number(m[1]), kind: m[2] as InjectedFault['kind'], attempts: Number(m[3]) } : undefined;
}

export interface RunEstimate {
  /** A full run's time and peak (every stage computed). */
  seconds: number; peakMB: number; measured: boolean;
  /** Share of the run's work already in the cache (0-1) and the stages cached for every channel. */
  cached?: { share: number; stages: string[] };
}

export interface RunOutcome {
  report: RunReport;
  sessionDir: string;
  estimate: RunEstimate;
}

export interface RunHooks {
  onProgress?(p: RunProgress): void;
  /** Called once the estimate is known, before any work. */
  onEstimate?(e: RunEstimate): void;
  /** Records the run's timeline (see pipeline/trace.ts; written by writeRunTrace). */
  trace?: RunTrace;
}

export interface RunHandle {
  /** Cancels this run (a run not started yet never starts). */
  cancel(): void;
  done: Promise<RunOutcome>;
}

function calibration(): Calibration {
  return new Calibration(path.join(defaultSettingsDir(), 'calibration.json'));
}

/**
 * Runs a checked spec on a pool of its own (mode.jobs workers), then disposes of the pool. The
 * estimate comes from this machine's calibration when the app measured one (the run refines it).
 */
export function startRun(spec: PipelineSpec, rec: OpenedRecording, hooks: RunHooks = {}): RunHandle {
  let cancelled = false;
  let cancelRun = (): void => { cancelled = true; };
  const done = (async (): Promise<RunOutcome> => {
    const pool = new Pool(new ThreadHost(), workerEntry(), { size: spec.mode.jobs });
    const trace = hooks.trace;
    try {
      await (trace ? trace.timeAsync('pool start', () => pool.start()) : pool.start());
      const engine = new Engine(pool, { injectFault: testFault(), trace });
      const cal = calibration();
      const est = cal.estimate(spec, rec.meta);
      const e = spec.mode.kind === 'fast' ? est.fast : est.lowMemory;
      const estimate: RunEstimate = { seconds: e.seconds, peakMB: e.peakMB, measured: spec.mode.kind === 'fast' ? est.measured!.fast : est.measured!.lowMemory, cached: engine.cachePreview(spec, rec.ref, rec.meta) };
      hooks.onEstimate?.(estimate);
      if (cancelled) throw new SpikeDeskError({ code: 'CANCELLED', message: 'cancelled before the run started' });
      const started = engine.start(spec, rec.ref, rec.meta, (p) => hooks.onProgress?.(p));
      cancelRun = () => engine.cancel(started.runId);
      const report = await started.done;
      cal.learn(spec, rec.meta, report);
      return { report, sessionDir: engine.sessionDir(rec.meta.path), estimate };
    } finally {
      await (trace ? trace.timeAsync('pool dispose', () => pool.dispose()) : pool.dispose());
    }
  })();
  return { cancel: () => cancelRun(), done };
}

/** Writes a run's timeline: Chrome trace events plus the summary (serial time, worker idle, CPU). */
export function writeRunTrace(trace: RunTrace, file: string): TraceSummary {
  return writeTrace(trace, path.resolve(file));
}

// ---- results of a run ----

/** Units, the spikes assigned to them and the detections left unassigned (noise cluster). */
export interface SortCounts { units: number; spikes: number; unassigned: number }

export function sortCounts(sessionDir: string, runId: string): SortCounts {
  const sorted = loadSortResult(sessionDir, runId);
  let spikes = 0, unassigned = 0;
  for (const c of sorted.channels) for (const id of unitIdsOf(sorted, c)) { if (id >= 0) spikes++; else unassigned++; }
  return { units: sorted.units.length, spikes, unassigned };
}

/**
 * `sort --out DIR`: the Phy folder of a sort run plus spikes.tsv and units.tsv, built in a temp
 * folder beside the target and renamed into place (a full disk or a crash leaves no half-written
 * folder); an existing target is replaced whole only when `overwrite`.
 */
export async function writeSortOutput(out: string, sessionDir: string, runId: string, ref: SourceRef, overwrite: boolean, labelRule = false): Promise<{ dir: string; files: string[]; unassignedSpikes: number; notes: string[]; labelled?: { good: number; mua: number } }> {
  const sorted = loadSortResult(sessionDir, runId);
  const params = readSession(sessionDir)?.params.sort ?? null;
  const target = path.resolve(out);
  const written = await withAtomicOutput(target, 'dir', overwrite, (tmp) => {
    const f = writeSortFolder(tmp, sorted, ref, params, { labelRule });
    return { files: f.files.map((x) => path.basename(x)), unassignedSpikes: f.unassigned, notes: f.notes, ...(f.labelled ? { labelled: f.labelled } : {}) };
  });
  return { dir: target, ...written };
}

export interface TriggerSummary { source: string; reason: string; count: number; added: number; warnings: string[] }

/** What the triggers stage of a correction run found (null when it did not get that far). */
export function correctionTriggers(sessionDir: string, runId: string): TriggerSummary | null {
  const run = readSession(sessionDir)?.runs.find((r) => r.runId === runId);
  return (run?.summary.triggers as TriggerSummary | undefined) ?? null;
}

/**
 * The corrected channels of a session as EDF+ or BrainVision: the one corrected-export path
 * (atomic, with provenance, only the channels the correction produced; failed ones are left out
 * and reported).
 */
export async function exportCorrectedOf(sessionDir: string, format: CorrectedExportFormat, out: string, overwrite: boolean): Promise<ExportReport & { channels?: number }> {
  const corrected = openResultSource(sessionDir, 'corrected');
  if (!corrected) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'this session has no corrected recording', fix: 'run spikedesk correct first', file: sessionDir });
  try {
    return await exportCorrectedSource(corrected, readSession(sessionDir)?.params.correct ?? null, format, out, { overwrite });
  } finally {
    corrected.close();
  }
}

/** The curated sort of a session folder in a sorted-unit format. */
export async function exportSortedOfSession(sessionDir: string, format: SortedExportFormat, out: string, overwrite: boolean, labelRule = false): Promise<ExportReport> {
  const session = SortSession.open(sessionDir);
  try {
    const result = fromSortSession(session);
    if (labelRule) labelByRule(result); // the output only: the session's curation is not changed
    return await exportSorted(result, format, out, { overwrite });
  } finally {
    session.close();
  }
}

/** A `sort --out` folder (possibly curated in phy since) in a sorted-unit format. */
export function exportSortedOfFolder(dir: string, format: SortedExportFormat, out: string, overwrite: boolean, labelRule = false): Promise<ExportReport> {
  const result = fromSortFolder(dir);
  if (labelRule) labelByRule(result);
  return exportSorted(result, format, out, { overwrite });
}

/** What an export SOURCE folder is: a session, a `sort --out` folder, or neither. */
export function exportSourceKind(dir: string): 'session' | 'sort-folder' | null {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return null;
  if (fs.existsSync(path.join(dir, 'session.json'))) return 'session';
  if (fs.existsSync(path.join(dir, 'params.py')) && fs.existsSync(path.join(dir, 'spike_times.npy'))) return 'sort-folder';
  return null;
}

/** The session folder of a recording, which must hold at least one run. */
export function existingSessionOf(recordingPath: string, shownAs: string): string {
  const dir = sessionDirFor(recordingPath);
  if (!fs.existsSync(path.join(dir, 'session.json'))) {
    throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'this recording has no session yet', fix: 'run spikedesk sort or correct on it first', file: shownAs });
  }
  return dir;
}

/** `tf --out DIR` (npy/TSV folder) and `--nwb F` of the latest time-frequency run of a session. */
export async function writeTfOutputs(sessionDir: string, recordingPath: string, out: string | undefined, nwb: string | undefined, force: boolean): Promise<{ out?: { dir: string; files: string[]; shape: number[] }; nwb?: string }> {
  const r = loadTfResult(sessionDir);
  const res: { out?: { dir: string; files: string[]; shape: number[] }; nwb?: string } = {};
  if (out) {
    const files = await writeTfFolder(out, r, recordingPath, force);
    res.out = { dir: path.resolve(out), files, shape: [r.channels.length, r.params.freqs.length, r.nOut] };
  }
  if (nwb) {
    await writeTfNwb(nwb, r, recordingPath, force);
    res.nwb = path.resolve(nwb);
  }
  return res;
}

// ---- batches ----

export function batchJob(workflow: string, partialParams: unknown, mode: ExecutionMode, parallel: ParallelChoice, opts: JobOptions = {}): BatchJob {
  return makeJob(workflow, partialParams, mode, parallel, opts);
}

export function runBatch(o: Omit<BatchOptions, 'workerEntry' | 'injectFault'>): BatchHandle {
  return startBatch({ ...o, workerEntry: workerEntry(), injectFault: testFault() });
}

/** One phase of one recording of a Slurm batch plan (what an array task runs). */
export function runBatchPhase(plan: string, phase: 'group' | 'compute' | 'export', index: number, jobs: number, log: (line: string) => void): Promise<boolean> {
  return runBatchTask(path.resolve(plan), phase, index, jobs, workerEntry(), log);
}
