// A batch from start to finish: resolve the inputs, write the plan, run it on the chosen executor
// (local session-level parallelism or Slurm job arrays), and write DIR/batch.tsv + batch.json.
// One bad recording never stops the batch; a re-run skips what the stage cache holds and retries
// what failed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import type { OpenOptions, RecordingMeta } from '../../shared/recording';
import { Engine } from '../pipeline/engine';
import type { Executor } from '../pipeline/executor';
import { InlineExecutor } from '../pipeline/inline-executor';
import { PoolExecutor } from '../pipeline/pool-executor';
import type { InjectedFault } from '../pipeline/task';
import { rateOf } from '../pipeline/workflows';
import { Pool } from '../pool/pool';
import { ThreadHost } from '../pool/thread-host';
import { resolveInputs, type BatchItem } from './inputs';
import type { ProcessHost } from '../pool/process-host';
import { planFile, writePlan, type BatchJob, type BatchPlan } from './job';
import { LocalBatchExecutor, planSlots, type BatchEvents } from './local';
import { countStates, writeBatchReport, type BatchSummary } from './report';
import type { RecordingResult } from './recording';
import { SlurmBatchExecutor, type SlurmOptions } from './slurm';
import { chooseExecution, CountingExecutor, FallbackExecutor } from './auto-executor';
import { specFor } from './recording';
import { tfBatchStrategy } from '../pipeline/stages/tf';

export interface BatchOptions {
  inputs: string[];
  /** Raw-binary options for inputs without their own (manifest rows carry their own). */
  open?: OpenOptions;
  job: BatchJob;
  outDir: string;
  executor: 'local' | 'slurm';
  /** Concurrent tasks (local) or CPUs per array task (Slurm). */
  jobs: number;
  /** Memory the local batch may use, MB. */
  memoryBudgetMB: number;
  /** Worker entry for the local pool. */
  workerEntry: string;
  /** How the local pool's workers are made (default: worker_threads; the app passes its host's). */
  processHost?: ProcessHost;
  /** Inputs already resolved (and checked by the caller, e.g. against the app's allow-list); `inputs` is then ignored. */
  items?: BatchItem[];
  slurm?: SlurmOptions;
  events?: BatchEvents;
  /** Test-only: make tasks fail (see InjectedFault). */
  injectFault?: InjectedFault;
  /** Called once the serial/parallel choice is made (local executor), before any recording runs. */
  onExecution?(e: BatchSummary['execution']): void;
}

export interface BatchHandle {
  done: Promise<BatchSummary>;
  /** Cancel one recording by name, or the whole batch. */
  cancel(name?: string): void;
}

export function startBatch(o: BatchOptions): BatchHandle {
  let cancelFn: (name?: string) => void = () => undefined;
  const pending: (string | undefined)[] = [];
  const done = (async (): Promise<BatchSummary> => {
    const t0 = performance.now();
    const items = o.items ?? resolveInputs(o.inputs, o.open ?? {});
    const outDir = path.resolve(o.outDir);
    checkOutDir(outDir, items.map((i) => i.path));
    const plan: BatchPlan = { version: 1, job: o.job, items };
    writePlan(outDir, plan);
    const warnings: string[] = [];
    const events: BatchEvents = { ...o.events, onWarning: (m) => { warnings.push(m); o.events?.onWarning?.(m); } };
    let results: RecordingResult[];
    let peakMB: number;
    let execution: BatchSummary['execution'];
    if (o.executor === 'slurm') {
      const ex = new SlurmBatchExecutor({ ...o.slurm, cpusPerTask: o.jobs });
      cancelFn = (n) => ex.cancel(n);
      for (const n of pending.splice(0)) ex.cancel(n);
      results = await ex.run(plan, outDir, events);
      peakMB = Math.max(0, ...results.map((r) => r.peakMB));
      execution = { parallel: 'parallel', reason: `Slurm array tasks with ${o.jobs} CPU(s) each`, jobs: o.jobs };
    } else {
      const slots = await planSlots(items, o.job, o.jobs, o.memoryBudgetMB);
      // Sizing figures: the longest recording's run (its decim, when that is automatic).
      const longest = slots.metas.reduce<RecordingMeta | null>((m, x) => (!m || x.nSamples > m.nSamples ? x : m), null);
      const spec = specFor(o.job, 1, longest);
      const choice = chooseExecution(o.job.parallel, slots.samples, rateOf(spec), slots.tasks, slots.slots);
      const lanes = choice.parallel ? slots.slots : 1;
      // Time-frequency: by recording runs each recording's channels on one lane, recordings side by side.
      const tfStrategy = spec.workflow === 'tf' ? tfBatchStrategy(spec.params, slots.metas, lanes) : undefined;
      const reason = `${choice.reason}; ${slots.reason}${tfStrategy ? `; tf split: ${tfStrategy.reason}` : ''}`;
      o.onExecution?.({ parallel: choice.parallel ? 'parallel' : 'serial', reason, jobs: lanes, tfStrategy });
      // Serial: every task inline, no worker started. Parallel: the pool, falling back to inline
      // when a task's retry loses its worker too.
      const pool = choice.parallel ? new Pool(o.processHost ?? new ThreadHost(), o.workerEntry, { size: slots.slots }) : null;
      try {
        let inner: Executor = new InlineExecutor();
        if (pool) {
          await pool.start();
          inner = new FallbackExecutor(new PoolExecutor(pool), inner, (m) => events.onWarning?.(m));
        }
        const counting = new CountingExecutor(inner);
        const ex = new LocalBatchExecutor(new Engine(counting, { injectFault: o.injectFault }), lanes, tfStrategy?.strategy === 'recording' ? 1 : lanes);
        cancelFn = (n) => ex.cancel(n);
        for (const n of pending.splice(0)) ex.cancel(n);
        results = await ex.run(plan, outDir, events);
        execution = {
          parallel: choice.parallel ? 'parallel' : 'serial', reason, jobs: lanes,
          maxConcurrentTasks: counting.maxRunning, maxConcurrentRecordings: counting.maxRuns, maxTasksPerRecording: counting.maxPerRun, tfStrategy,
        };
      } finally {
        await pool?.dispose();
      }
      peakMB = process.resourceUsage().maxRSS / 1024;
    }
    const summary: BatchSummary = {
      version: 1, workflow: o.job.workflow, executor: o.executor, execution,
      wallS: Math.round((performance.now() - t0)) / 1000, peakMB: Math.round(peakMB),
      counts: countStates(results), warnings, recordings: results,
    };
    writeBatchReport(outDir, summary);
    return summary;
  })();
  return {
    done,
    cancel: (name) => { pending.push(name); cancelFn(name); },
  };
}

/** The output folder must not be inside a recording's session folder, nor be a recording. */
function checkOutDir(outDir: string, recordings: string[]): void {
  if (recordings.includes(outDir)) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'the output folder is one of the inputs', file: outDir, fix: 'choose a new folder for --out' });
  }
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) {
    throw new SpikeDeskError({ code: 'OUTPUT_EXISTS', message: '--out names an existing file, not a folder', file: outDir, fix: 'choose a folder for --out' });
  }
  // Never write recording folders into a folder of the user's that is not a batch's: a name
  // could match one of their folders.
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0 && !fs.existsSync(planFile(outDir))) {
    throw new SpikeDeskError({ code: 'OUTPUT_EXISTS', message: 'the output folder is not empty and holds no earlier batch', file: outDir, fix: 'choose a new or empty folder for --out (or the folder of an earlier batch to re-run it)' });
  }
  fs.mkdirSync(outDir, { recursive: true });
}
