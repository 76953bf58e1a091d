// One recording of a batch, in two phases that every executor runs the same way:
//   compute: open the recording and run the workflow through the run engine (stage cache beside
//            the recording, so a re-run skips what is finished);
//   export:  write the same files as the single-recording command into DIR/<name>/.
// Both phases leave a small JSON record under DIR/.batch/, which is how the Slurm executor's
// array tasks hand results back to the submitting process.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError, toErrorInfo } from '../../shared/errors';
import { autoDecim, type PipelineSpec, type TfParams } from '../../shared/params';
import { runPeakMB, type RunProgress, type RunReport } from '../../shared/progress';
import type { RecordingMeta } from '../../shared/recording';
import { openSource } from '../io';
import { writeFileAtomic } from '../io/atomic';
import { writeSortFolder } from '../export/sort-output';
import { exportCorrectedSource } from '../export/corrected-source';
import type { Engine } from '../pipeline/engine';
import { openResultSource } from '../pipeline/result-source';
import { loadSortResult } from '../pipeline/sort-result';
import { loadTfResult } from '../pipeline/tf-result';
import { writeTfFolder } from '../export/tf-folder';
import { readSession } from '../pipeline/session-store';
import type { BatchItem } from './inputs';
import type { BatchJob } from './job';

export type RecordingState = 'queued' | 'running' | 'done' | 'partial' | 'failed' | 'cancelled';

export interface RecordingResult {
  name: string;
  path: string;
  state: RecordingState;
  /** Wall time of compute + export, seconds. */
  wallS: number;
  /** Largest resident set of a worker that ran this recording's tasks, MB. */
  peakMB: number;
  /** Every stage came from the cache (a re-run of a finished recording). */
  cached: boolean;
  units: number | null;
  spikes: number | null;
  /** Workflow metrics (correction: triggers, epochs). */
  metrics: Record<string, number>;
  /** Output files relative to the recording's folder. */
  files: string[];
  error: string | null;
  /** Log of the task that ran it (Slurm), when there is one. */
  log: string | null;
}

export interface ComputeRecord {
  name: string;
  report: RunReport | null;
  sessionDir: string | null;
  /** Includes the channel-group tasks' time when the recording was split. */
  wallS: number;
  error: string | null;
  /** Channel-group tasks (Slurm) ran stages of this recording before its compute task. */
  partsRan?: boolean;
}

/** What a channel-group array task left: its run's report (or error) and time. */
export interface GroupRecord { name: string; task: number; channels: number[]; report: RunReport | null; wallS: number; error: string | null }

export function stateDir(outDir: string): string { return path.join(outDir, '.batch'); }
export function computeFile(outDir: string, name: string): string { return path.join(stateDir(outDir), 'tasks', `${name}.compute.json`); }
export function groupRecordFile(outDir: string, name: string, task: number): string { return path.join(stateDir(outDir), 'tasks', `${name}.group-${task}.json`); }
export function resultFile(outDir: string, name: string): string { return path.join(stateDir(outDir), 'tasks', `${name}.result.json`); }
export function recordingOutDir(outDir: string, name: string): string { return path.join(outDir, name); }

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(file: string): T | null {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as T; } catch { return null; }
}

/**
 * The run of `job` on one recording: `meta` sets the decim when the job's is automatic (null: none
 * opened; the parameters' decim stands, for figures that only size the batch).
 */
export function specFor(job: BatchJob, jobs: number, meta: Pick<RecordingMeta, 'sampleRate'> | null): PipelineSpec {
  const mode = { ...job.mode, jobs: job.mode.kind === 'fast' ? Math.max(1, jobs) : 1 };
  if (job.workflow === 'sort') return { workflow: 'sort', params: job.params as never, mode };
  if (job.workflow === 'correct') return { workflow: 'correct', params: job.params as never, mode };
  if (job.workflow === 'tf') {
    const p = job.params as TfParams;
    return { workflow: 'tf', params: job.autoDecim && meta ? { ...p, decim: autoDecim(meta.sampleRate, Math.max(...p.freqs)) } : p, mode };
  }
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `workflow '${String(job.workflow)}' cannot run in a batch`, fix: 'use sort, correct or tf' });
}

export async function openMeta(item: BatchItem): Promise<RecordingMeta> {
  const src = await openSource(item.path, item.open);
  try { return src.meta; } finally { src.close(); }
}

/** Phase 1: run the workflow into the stage cache. Never throws: a failure is recorded. */
export async function computeRecording(item: BatchItem, job: BatchJob, engine: Engine, outDir: string, jobs: number,
  hooks: { onProgress?: (p: RunProgress) => void; onStart?: (runId: string) => void } = {},
  parts?: GroupRecord[]): Promise<ComputeRecord> {
  const t0 = performance.now();
  let rec: ComputeRecord;
  try {
    const meta = await openMeta(item);
    const started = engine.start(specFor(job, jobs, meta), { path: item.path, open: item.open }, meta, (p) => hooks.onProgress?.(p));
    hooks.onStart?.(started.runId);
    const report = await started.done;
    rec = { name: item.name, report, sessionDir: engine.sessionDir(meta.path), wallS: (performance.now() - t0) / 1000, error: null };
  } catch (e) {
    const info = toErrorInfo(e);
    rec = { name: item.name, report: null, sessionDir: null, wallS: (performance.now() - t0) / 1000, error: `${info.code}: ${info.message}${info.fix ? ` (${info.fix})` : ''}` };
  }
  if (parts?.length) {
    rec.wallS += parts.reduce((s, p) => s + p.wallS, 0);
    rec.partsRan = parts.some((p) => (p.report?.stagesRun.length ?? 0) > 0);
  }
  writeJson(computeFile(outDir, item.name), rec);
  return rec;
}

/** Phase 2: write the recording's output folder from the compute record. Never throws. */
export async function exportRecording(item: BatchItem, job: BatchJob, outDir: string, computed: ComputeRecord | null): Promise<RecordingResult> {
  const t0 = performance.now();
  const base: RecordingResult = {
    name: item.name, path: item.path, state: 'failed', wallS: computed?.wallS ?? 0, peakMB: 0, cached: false,
    units: null, spikes: null, metrics: {}, files: [], error: null, log: null,
  };
  const r = computed?.report;
  if (!computed || !r || !computed.sessionDir) {
    const result = { ...base, error: computed?.error ?? 'the compute phase left no record' };
    writeJson(resultFile(outDir, item.name), result);
    return result;
  }
  base.peakMB = runPeakMB(r);
  base.cached = r.stagesRun.length === 0 && !computed.partsRan;
  const failures = r.failed.map((f) => `channel ${f.channel}: ${f.reason}${f.fix ? ` (fix: ${f.fix})` : ''}`);
  let result: RecordingResult;
  if (r.state === 'cancelled' || r.state === 'failed') {
    result = { ...base, state: r.state, error: r.state === 'cancelled' ? 'cancelled' : failures.join('; ') || 'the run failed' };
  } else {
    try {
      const dir = recordingOutDir(outDir, item.name);
      const out = job.workflow === 'sort' ? exportSort(dir, computed.sessionDir, r, item, job)
        : job.workflow === 'tf' ? await exportTf(dir, computed.sessionDir, item) : await exportCorrect(dir, computed.sessionDir, r, job);
      result = { ...base, ...out, state: failures.length ? 'partial' : 'done', error: failures.length ? failures.join('; ') : null };
    } catch (e) {
      const info = toErrorInfo(e);
      result = { ...base, state: 'failed', error: `export: ${info.code}: ${info.message}` };
    }
  }
  result.wallS = Math.round((computed.wallS + (performance.now() - t0) / 1000) * 1000) / 1000;
  writeJson(resultFile(outDir, item.name), result);
  return result;
}

/** Sort: the phy folder plus spikes.tsv and units.tsv, as `spikedesk sort --out`. */
function exportSort(dir: string, sessionDir: string, r: RunReport, item: BatchItem, job: BatchJob): Partial<RecordingResult> {
  // The same folder as `spikedesk sort --out` (a recording without units still gets its empty tables).
  const f = writeSortFolder(dir, loadSortResult(sessionDir, r.runId), { path: item.path, open: item.open }, readSession(sessionDir)?.params.sort ?? null, { labelRule: job.labelRule });
  return { units: f.units, spikes: f.spikes, files: f.files.map((x) => path.relative(dir, x)).sort() };
}

/** Time-frequency: the npy/TSV folder of `spikedesk tf --out` (replaced as a whole on a re-run). */
async function exportTf(dir: string, sessionDir: string, item: BatchItem): Promise<Partial<RecordingResult>> {
  const r = loadTfResult(sessionDir);
  const files = await writeTfFolder(dir, r, item.path, true);
  return { files: files.map((f) => path.relative(dir, path.resolve(dir, f))).sort(), metrics: { channels: r.channels.length, frequencies: r.params.freqs.length, times: r.nOut } };
}

/** Correction: the corrected recording as EDF+ (with its provenance record), as `spikedesk correct --out F.edf`. */
async function exportCorrect(dir: string, sessionDir: string, r: RunReport, job: BatchJob): Promise<Partial<RecordingResult>> {
  const corrected = openResultSource(sessionDir, 'corrected');
  if (!corrected) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'the corrected channels are missing from the cache' });
  fs.mkdirSync(dir, { recursive: true });
  try {
    const rep = await exportCorrectedSource(corrected, job.params, 'edf', path.join(dir, 'corrected.edf'), { overwrite: true });
    const run = readSession(sessionDir)?.runs.find((x) => x.runId === r.runId);
    const trig = run?.summary.triggers as { count?: number } | undefined;
    const epochs = Object.values(run?.summary ?? {}).map((v) => (v as { epochs?: number }).epochs).filter((e): e is number => typeof e === 'number');
    const metrics: Record<string, number> = { channels: rep.channels };
    if (typeof trig?.count === 'number') metrics.triggers = trig.count;
    if (epochs.length) metrics.epochs = Math.min(...epochs);
    return { files: rep.files.map((f) => path.relative(dir, f)).sort(), metrics };
  } finally {
    corrected.close();
  }
}
