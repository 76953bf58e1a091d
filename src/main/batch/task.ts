// One array task of a Slurm batch (`spikedesk batch-task`): finds its recording (or, phase
// `group`, its channel group of a large recording: split.ts) in the plan by index and runs one
// phase of it with the same code as the local executor. The exit status tells
// Slurm whether the phase succeeded (so the export of a failed compute is never started).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import { Engine } from '../pipeline/engine';
import { Pool } from '../pool/pool';
import { ThreadHost } from '../pool/thread-host';
import { readPlan } from './job';
import { computeRecording, exportRecording, readJson, computeFile, groupRecordFile, openMeta, specFor, writeJson, type ComputeRecord, type GroupRecord } from './recording';
import type { RecordingMeta } from '../../shared/recording';
import { toErrorInfo } from '../../shared/errors';
import type { BatchJob } from './job';
import type { Executor } from '../pipeline/executor';
import { InlineExecutor } from '../pipeline/inline-executor';
import { PoolExecutor } from '../pipeline/pool-executor';
import { rateOf } from '../pipeline/workflows';
import { chooseExecution, FallbackExecutor } from './auto-executor';

export async function runBatchTask(plan: string, phase: 'group' | 'compute' | 'export', index: number, jobs: number, workerEntry: string,
  log: (line: string) => void): Promise<boolean> {
  if (!fs.existsSync(plan)) {
    throw new SpikeDeskError({ code: 'FILE_NOT_FOUND', file: plan, message: 'this node cannot see the batch plan', fix: 'the batch folder must be on a filesystem shared by the submit host and the compute nodes' });
  }
  const p = readPlan(plan);
  const outDir = path.dirname(path.dirname(plan));
  if (phase === 'group') {
    const g = p.groups?.[index];
    if (!g) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `group index ${index} is outside the plan (0..${(p.groups?.length ?? 0) - 1})` });
    const item = p.items[g.item];
    log(`group ${item.name} channels ${g.channels.join(',')}: ${item.path}`);
    const t0 = performance.now();
    let rec: GroupRecord;
    try {
      const meta = await openMeta(item);
      const report = await withExecutor(p.job, meta, g.channels.length, jobs, workerEntry, log, (engine) =>
        engine.start({ ...specFor(p.job, jobs, meta), channels: g.channels }, { path: item.path, open: item.open }, meta, () => undefined).done);
      rec = { name: item.name, task: index, channels: g.channels, report, wallS: (performance.now() - t0) / 1000, error: null };
      log(`${report.state} in ${report.wallS.toFixed(1)} s; stages run: ${report.stagesRun.join(', ') || 'none'}`);
    } catch (e) {
      const info = toErrorInfo(e);
      rec = { name: item.name, task: index, channels: g.channels, report: null, wallS: (performance.now() - t0) / 1000, error: `${info.code}: ${info.message}` };
      log(`FAILED: ${rec.error}`);
    }
    writeJson(groupRecordFile(outDir, item.name, index), rec);
    // A failed piece is not fatal: the recording's compute task runs the whole workflow and
    // computes (or reports) what is missing.
    return rec.report !== null && rec.report.state !== 'failed' && rec.report.state !== 'cancelled';
  }
  const item = p.items[index];
  if (!item) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `array index ${index} is outside the plan (0..${p.items.length - 1})` });
  log(`${phase} ${item.name}: ${item.path}`);
  if (phase === 'compute') {
    const parts = (p.groups ?? []).map((g, k) => (g.item === index ? readJson<GroupRecord>(groupRecordFile(outDir, item.name, k)) : null)).filter((r): r is GroupRecord => r !== null);
    if (parts.length) log(`${parts.length} channel-group task(s) ran before: ${parts.map((r) => r.report?.state ?? 'failed').join(', ')}`);
    const meta = await openMeta(item).catch(() => null);
    const rec = await withExecutor(p.job, meta, meta?.channels.length ?? 0, jobs, workerEntry, log, (engine, n) =>
      computeRecording(item, p.job, engine, outDir, n, {}, parts));
    const r = rec.report;
    log(r ? `${r.state} in ${r.wallS.toFixed(1)} s; stages run: ${r.stagesRun.join(', ') || 'none'}${r.failed.map((f) => `\nchannel ${f.channel} FAILED: ${f.reason}${f.fix ? `. Fix: ${f.fix}` : ''}`).join('')}` : `FAILED: ${rec.error}`);
    return !!r && (r.state === 'done' || (r.state !== 'failed' && r.state !== 'cancelled'));
  }
  const computed = readJson<ComputeRecord>(computeFile(outDir, item.name));
  const res = await exportRecording(item, p.job, outDir, computed);
  log(`${res.state}${res.error ? `: ${res.error}` : ''}; files: ${res.files.join(', ')}`);
  return res.state === 'done' || res.state === 'partial';
}

/** Run `fn` on an engine over inline execution or this task's CPUs as workers: the local executor's serial/parallel choice. */
async function withExecutor<T>(job: BatchJob, meta: RecordingMeta | null, nChannels: number, jobs: number, workerEntry: string,
  log: (line: string) => void, fn: (engine: Engine, jobs: number) => Promise<T>): Promise<T> {
  const choice = meta ? chooseExecution(job.parallel, meta.nSamples * nChannels, rateOf(specFor(job, 1, meta)), nChannels, jobs, jobs)
    : { parallel: false, reason: 'the recording does not open' };
  log(`execution: ${choice.reason}`);
  const pool = choice.parallel ? new Pool(new ThreadHost(), workerEntry, { size: Math.max(1, jobs) }) : null;
  try {
    let ex: Executor = new InlineExecutor();
    if (pool) {
      await pool.start();
      ex = new FallbackExecutor(new PoolExecutor(pool), ex, (m) => log(`warning: ${m}`));
    }
    return await fn(new Engine(ex), pool ? jobs : 1);
  } finally {
    await pool?.dispose();
  }
}
