// Slurm batch executor. A batch becomes two job arrays, one array task per recording (three when
// a recording is large: split.ts):
//   group    `spikedesk batch-task --phase group` (only for large recordings): one array task per
//            channel group, computing its channels' per-channel stages into the shared cache;
//   compute  `spikedesk batch-task --phase compute`: the workflow into the stage cache on
//            --cpus-per-task workers, --mem from the run estimate;
//   export   `spikedesk batch-task --phase export`: the recording's output folder (1 CPU), with
//            --dependency=aftercorr:<compute> (afterok element by element: the export of a
//            recording starts once its own compute task succeeded; the cluster's
//            kill_invalid_depend drops the export of a failed one).
// With a group array, compute waits for it with --dependency=afterany:<group> (a failed piece does
// not fail the recording: its compute task runs the whole workflow and computes what is missing).
// The submitting process polls squeue, and at the end reads each recording's result record from
// DIR/.batch/tasks (scontrol for tasks that died without one: state and log path).
//
// Shared filesystem assumed: the recordings, their session folders (beside them), DIR, node and
// the spikedesk CLI must be visible at the same absolute paths on the compute nodes. Paths are
// checked before submitting; an array task that cannot see the plan fails with a message saying so.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpikeDeskError } from '../../shared/errors';
import { estimateRun } from '../pipeline/estimate';
import type { BatchItem } from './inputs';
import { planFile, writePlan, type BatchJob, type BatchPlan } from './job';
import { planGroupTasks, type SplitChannels } from './split';
import type { BatchEvents } from './local';
import { exportRecording, openMeta, readJson, resultFile, computeFile, groupRecordFile, specFor, stateDir, type ComputeRecord, type RecordingResult } from './recording';
import { exec, jobRecord, sbatch, scancel, squeueStates, type Exec } from './slurm-cli';

export interface SlurmOptions {
  /** CPUs (= local workers) per array task. */
  cpusPerTask?: number;
  partition?: string;
  /** Extra sbatch arguments (e.g. --account=lab). */
  sbatchArgs?: string[];
  /** The spikedesk CLI the array tasks run (default: bin/spikedesk.mjs of this installation). */
  cliEntry?: string;
  /** Node executable on the compute nodes (default: this one). */
  node?: string;
  pollMs?: number;
  exec?: Exec;
  /** Channel-group array tasks for large recordings (default auto). */
  splitChannels?: SplitChannels;
}

/** Memory headroom over the run estimate (the estimate is a mean over the engine bench). */
const MEM_HEADROOM = 1.5;
/** Memory an export task asks for at least, MB (one process, the sort result in memory). */
const EXPORT_MIN_MB = 256;

export function defaultCliEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, '../../../bin/spikedesk.mjs'), path.join(here, '../../bin/spikedesk.mjs'), path.join(here, '../bin/spikedesk.mjs')]) {
    if (fs.existsSync(c)) return path.resolve(c);
  }
  throw new SpikeDeskError({ code: 'INTERNAL', message: 'cannot find bin/spikedesk.mjs for the Slurm array tasks', fix: 'pass the CLI entry explicitly' });
}

export class SlurmBatchExecutor {
  readonly kind = 'slurm';
  private jobIds: string[] = [];
  private cancelledAll = false;
  private cancelled = new Set<string>();
  private items: BatchItem[] = [];
  private groupOf: number[] = [];
  private groupId: string | null = null;
  private readonly x: Exec;

  constructor(private readonly o: SlurmOptions = {}) {
    this.x = o.exec ?? exec;
  }

  /** sbatch arguments of both phases (exported for tests and documentation). */
  async submitArgs(plan: BatchPlan, outDir: string): Promise<{ group: string[] | null; compute: (groupId: string | null) => string[]; export: (computeId: string) => string[] }> {
    const cpus = Math.max(1, this.o.cpusPerTask ?? 1);
    const memMB = await requestMB(plan.items, plan.job, cpus);
    const node = this.o.node ?? process.execPath;
    const cli = this.o.cliEntry ?? defaultCliEntry();
    const logs = path.join(stateDir(outDir), 'logs');
    fs.mkdirSync(logs, { recursive: true });
    const nGroups = plan.groups?.length ?? 0;
    const base = [`--chdir=${outDir}`, '--kill-on-invalid-dep=yes',
      ...(this.o.partition ? [`--partition=${this.o.partition}`] : []), ...(this.o.sbatchArgs ?? []),
    ];
    const common = [`--array=0-${plan.items.length - 1}`, ...base];
    const task = (phase: string, n: number): string =>
      `exec ${sh(node)} ${sh(cli)} batch-task --plan ${sh(planFile(outDir))} --phase ${phase} --index "$SLURM_ARRAY_TASK_ID" --jobs ${n}`;
    return {
      group: nGroups ? [`--array=0-${nGroups - 1}`, ...base, '--job-name=spikedesk-group', `--cpus-per-task=${cpus}`, `--mem=${memMB}`,
        `--output=${path.join(logs, 'group-%A_%a.log')}`, `--wrap=${task('group', cpus)}`] : null,
      compute: (groupId) => [...common, '--job-name=spikedesk-compute', `--cpus-per-task=${cpus}`, `--mem=${memMB}`,
        ...(groupId ? [`--dependency=afterany:${groupId}`] : []),
        `--output=${path.join(logs, 'compute-%A_%a.log')}`, `--wrap=${task('compute', cpus)}`],
      export: (computeId) => [...common, '--job-name=spikedesk-export', '--cpus-per-task=1', `--mem=${Math.max(EXPORT_MIN_MB, Math.ceil(memMB / cpus))}`,
        `--dependency=aftercorr:${computeId}`, `--output=${path.join(logs, 'export-%A_%a.log')}`, `--wrap=${task('export', 1)}`],
    };
  }

  async run(plan: BatchPlan, outDir: string, events: BatchEvents = {}): Promise<RecordingResult[]> {
    this.items = plan.items;
    checkSharedPaths(plan, outDir, this.o.cliEntry ?? defaultCliEntry(), this.o.node ?? process.execPath);
    // Large recordings become channel-group tasks; the plan file tells the array tasks which.
    const cpus = Math.max(1, this.o.cpusPerTask ?? 1);
    plan = { ...plan, groups: await planGroupTasks(plan.items, plan.job, cpus, this.o.splitChannels ?? 'auto', (m) => events.onWarning?.(m)) };
    writePlan(outDir, plan);
    this.groupOf = plan.groups!.map((g) => g.item);
    // Records of an earlier run of this batch must not pass for this one's.
    for (const it of plan.items) for (const f of [computeFile(outDir, it.name), resultFile(outDir, it.name)]) fs.rmSync(f, { force: true });
    plan.groups!.forEach((g, k) => fs.rmSync(groupRecordFile(outDir, g.name, k), { force: true }));
    const args = await this.submitArgs(plan, outDir);
    for (const it of plan.items) events.onState?.(it.name, 'queued');
    if (this.cancelledAll) return this.collect(plan, outDir, events, null);
    if (args.group) {
      this.groupId = await sbatch(args.group, this.x);
      this.jobIds.push(this.groupId);
    }
    const computeId = await sbatch(args.compute(this.groupId), this.x);
    this.jobIds.push(computeId);
    const exportId = await sbatch(args.export(computeId), this.x);
    this.jobIds.push(exportId);
    if (this.cancelledAll) await scancel(this.jobIds, this.x);
    else if (this.cancelled.size) await scancel(this.elementIds([...this.cancelled]), this.x);
    const seen = new Map<string, string>();
    for (;;) {
      const states = await squeueStates(this.jobIds, this.x);
      plan.items.forEach((it, i) => {
        const c = states.get(`${computeId}_${i}`), e = states.get(`${exportId}_${i}`);
        const g = this.groupOf.some((item, k) => item === i && states.get(`${this.groupId}_${k}`) === 'RUNNING');
        const s = g || c === 'RUNNING' || e === 'RUNNING' || (c === undefined && e === 'PENDING') ? 'running' : c === 'PENDING' ? 'queued' : '';
        if (s && seen.get(it.name) !== s) { seen.set(it.name, s); events.onState?.(it.name, s as 'running' | 'queued'); }
      });
      if (!states.size) break;
      await new Promise((r) => setTimeout(r, this.o.pollMs ?? 1000));
    }
    return this.collect(plan, outDir, events, { computeId, exportId });
  }

  /** Each recording's result; for array tasks that left none, the scheduler's state and the log path. */
  private async collect(plan: BatchPlan, outDir: string, events: BatchEvents, ids: { computeId: string; exportId: string } | null): Promise<RecordingResult[]> {
    const out: RecordingResult[] = [];
    for (const [i, it] of plan.items.entries()) {
      let r = readJson<RecordingResult>(resultFile(outDir, it.name));
      const computeLog = ids ? logPath(outDir, 'compute', ids.computeId, i) : null;
      if (!r) {
        const computed = readJson<ComputeRecord>(computeFile(outDir, it.name));
        const userCancelled = this.cancelledAll || this.cancelled.has(it.name);
        let why: string;
        if (computed?.report && computed.report.state !== 'failed' && computed.report.state !== 'cancelled') {
          const erec = ids ? await jobRecord(`${ids.exportId}_${i}`, this.x) : null;
          why = `export task ${ids?.exportId}_${i} ended ${erec?.JobState ?? 'UNKNOWN'}${erec?.ExitCode ? ` (exit ${erec.ExitCode})` : ''} without a result; log ${ids ? logPath(outDir, 'export', ids.exportId, i) : '-'}`;
          r = await exportRecording(it, plan.job, outDir, { ...computed, report: null, error: why });
        } else if (computed) {
          r = await exportRecording(it, plan.job, outDir, computed);
        } else {
          const rec = ids ? await jobRecord(`${ids.computeId}_${i}`, this.x) : null;
          why = `compute task ${ids?.computeId ?? '-'}_${i} ended ${rec?.JobState ?? 'UNKNOWN'}${rec?.ExitCode ? ` (exit ${rec.ExitCode})` : ''} without a result`;
          r = await exportRecording(it, plan.job, outDir, { name: it.name, report: null, sessionDir: null, wallS: 0, error: why });
          if (rec?.JobState === 'CANCELLED') r.state = 'cancelled';
        }
        if (userCancelled && r.state !== 'done' && r.state !== 'partial') r.state = 'cancelled';
      }
      r.log = r.state === 'done' || r.state === 'partial' ? computeLog : (r.log ?? computeLog);
      out.push(r);
      events.onState?.(it.name, r.state, r);
    }
    return out;
  }

  private elementIds(names: string[]): string[] {
    const ids: string[] = [];
    for (const n of names) {
      const i = this.items.findIndex((it) => it.name === n);
      if (i < 0) continue;
      for (const j of this.jobIds) if (j !== this.groupId) ids.push(`${j}_${i}`);
      this.groupOf.forEach((item, k) => { if (item === i) ids.push(`${this.groupId}_${k}`); });
    }
    return ids;
  }

  /** Cancel one recording (its array tasks) or the whole batch (both arrays): scancel. */
  cancel(name?: string): void {
    if (name === undefined) this.cancelledAll = true;
    else this.cancelled.add(name);
    if (!this.jobIds.length) return;
    void scancel(name === undefined ? this.jobIds : this.elementIds([name]), this.x).catch(() => undefined);
  }
}

export function logPath(outDir: string, phase: 'compute' | 'export', jobId: string, index: number): string {
  return path.join(stateDir(outDir), 'logs', `${phase}-${jobId}_${index}.log`);
}

/** --mem for a compute task: the largest fast-mode estimate of the batch, with headroom. */
async function requestMB(items: BatchItem[], job: BatchJob, cpus: number): Promise<number> {
  let mb = 0;
  for (const it of items) {
    try {
      const meta = await openMeta(it);
      const est = estimateRun(specFor(job, cpus, meta), meta, cpus);
      mb = Math.max(mb, job.mode.kind === 'fast' ? est.fast.peakMB : est.lowMemory.peakMB);
    } catch { /* unreadable: fails in its own task */ }
  }
  return Math.ceil(Math.max(EXPORT_MIN_MB, mb * MEM_HEADROOM));
}

/** Everything the array tasks touch must be an existing absolute path (shared filesystem). */
function checkSharedPaths(plan: BatchPlan, outDir: string, cli: string, node: string): void {
  const need = (p: string, what: string): void => {
    if (!path.isAbsolute(p) || !fs.existsSync(p)) {
      throw new SpikeDeskError({ code: 'FILE_NOT_FOUND', file: p, message: `${what} does not exist at this absolute path, so compute nodes cannot find it`, fix: 'put it on the filesystem shared with the cluster' });
    }
  };
  need(node, 'the node executable');
  need(cli, 'the spikedesk CLI');
  need(outDir, 'the batch output folder');
  need(planFile(outDir), 'the batch plan');
  try { fs.accessSync(outDir, fs.constants.W_OK); } catch {
    throw new SpikeDeskError({ code: 'WRITE_FAILED', file: outDir, message: 'the batch output folder is not writable', fix: 'choose a writable folder on the shared filesystem' });
  }
  // A missing recording is not a reason to stop the batch: its task fails and is reported.
}

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
