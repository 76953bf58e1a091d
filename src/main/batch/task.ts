// One array task of a Slurm batch (`spikedesk batch-task`): finds its recording in the plan by
// index and runs one phase of it with the same code as the local executor. The exit status tells
// Slurm whether the phase succeeded (so the export of a failed compute is never started).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import { Engine } from '../pipeline/engine';
import { Pool } from '../pool/pool';
import { ThreadHost } from '../pool/thread-host';
import { readPlan } from './job';
import { computeRecording, exportRecording, readJson, computeFile, openMeta, specFor, type ComputeRecord } from './recording';
import type { Executor } from '../pipeline/executor';
import { InlineExecutor } from '../pipeline/inline-executor';
import { PoolExecutor } from '../pipeline/pool-executor';
import { workflowOf } from '../pipeline/workflows';
import { chooseExecution, FallbackExecutor } from './auto-executor';

export async function runBatchTask(plan: string, phase: 'compute' | 'export', index: number, jobs: number, workerEntry: string,
  log: (line: string) => void): Promise<boolean> {
  if (!fs.existsSync(plan)) {
    throw new SpikeDeskError({ code: 'FILE_NOT_FOUND', file: plan, message: 'this node cannot see the batch plan', fix: 'the batch folder must be on a filesystem shared by the submit host and the compute nodes' });
  }
  const p = readPlan(plan);
  const item = p.items[index];
  if (!item) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `array index ${index} is outside the plan (0..${p.items.length - 1})` });
  const outDir = path.dirname(path.dirname(plan));
  log(`${phase} ${item.name}: ${item.path}`);
  if (phase === 'compute') {
    // The same serial/parallel choice as the local executor, for this task's CPUs.
    const meta = await openMeta(item).catch(() => null);
    const choice = meta ? chooseExecution(p.job.parallel, meta.nSamples * meta.channels.length, workflowOf(specFor(p.job, 1)).samplesPerCpuS, meta.channels.length, jobs, jobs)
      : { parallel: false, reason: 'the recording does not open' };
    log(`execution: ${choice.reason}`);
    const pool = choice.parallel ? new Pool(new ThreadHost(), workerEntry, { size: Math.max(1, jobs) }) : null;
    try {
      let ex: Executor = new InlineExecutor();
      if (pool) {
        await pool.start();
        ex = new FallbackExecutor(new PoolExecutor(pool), ex, (m) => log(`warning: ${m}`));
      }
      const rec = await computeRecording(item, p.job, new Engine(ex), outDir, pool ? jobs : 1);
      const r = rec.report;
      log(r ? `${r.state} in ${r.wallS.toFixed(1)} s; stages run: ${r.stagesRun.join(', ') || 'none'}${r.failed.map((f) => `\nchannel ${f.channel} FAILED: ${f.reason}`).join('')}` : `FAILED: ${rec.error}`);
      return !!r && (r.state === 'done' || (r.state !== 'failed' && r.state !== 'cancelled'));
    } finally {
      await pool?.dispose();
    }
  }
  const computed = readJson<ComputeRecord>(computeFile(outDir, item.name));
  const res = await exportRecording(item, p.job, outDir, computed);
  log(`${res.state}${res.error ? `: ${res.error}` : ''}; files: ${res.files.join(', ')}`);
  return res.state === 'done' || res.state === 'partial';
}
