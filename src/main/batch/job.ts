// What a batch runs (workflow, merged parameters, execution settings) and the plan file every
// executor reads: DIR/.batch/plan.json. A Slurm array task finds its recording by index in it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import { DEFAULT_CORRECT, DEFAULT_SORT, mergeParams, tfDefaultsFor, type ExecutionMode } from '../../shared/params';
import { writeFileAtomic } from '../io/atomic';
import type { BatchItem } from './inputs';
import type { GroupTask } from './split';

export type BatchWorkflow = 'sort' | 'correct' | 'tf';
export type ParallelChoice = 'auto' | 'serial' | 'parallel';

export interface BatchJob {
  workflow: BatchWorkflow;
  /** Full parameters (the --params file deep-merged over the defaults). */
  params: unknown;
  mode: ExecutionMode;
  parallel: ParallelChoice;
  /** Sort: label the written units good / mua by the quality rule (`--label-rule`, shared/quality-rule.ts). */
  labelRule?: boolean;
  /**
   * Time-frequency: each recording's decim is chosen from its sample rate, the largest power of two
   * keeping the output at 8x the top frequency (`autoDecim`, the Time-frequency tab's rule;
   * `--decim auto`), instead of the parameters' decim.
   */
  autoDecim?: boolean;
}

export interface JobOptions { labelRule?: boolean; autoDecim?: boolean }

export interface BatchPlan {
  version: 1;
  job: BatchJob;
  items: BatchItem[];
  /** Slurm: channel-group array tasks of large recordings (split.ts); absent or empty = none. */
  groups?: GroupTask[];
}

export const WORKFLOWS: BatchWorkflow[] = ['sort', 'correct', 'tf'];

export function makeJob(workflow: string, partialParams: unknown, mode: ExecutionMode, parallel: ParallelChoice = 'auto', opts: JobOptions = {}): BatchJob {
  const { labelRule = false, autoDecim = false } = opts;
  if (labelRule && workflow !== 'sort') throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `--label-rule labels sorted units; a ${workflow} batch has none`, fix: 'use it with --workflow sort, or leave it out' });
  if (autoDecim && workflow !== 'tf') throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `automatic decimation (--decim auto) thins a time-frequency output; a ${workflow} batch has none`, fix: 'use it with --workflow tf, or leave it out' });
  if (workflow === 'sort') return { workflow, params: mergeParams(DEFAULT_SORT, partialParams), mode, parallel, ...(labelRule ? { labelRule } : {}) };
  if (workflow === 'correct') return { workflow, params: mergeParams(DEFAULT_CORRECT, partialParams), mode, parallel };
  if (workflow === 'tf') return { workflow, params: mergeParams(tfDefaultsFor(partialParams), partialParams), mode, parallel, ...(autoDecim ? { autoDecim } : {}) };
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `unknown batch workflow '${workflow}'`, fix: `use ${WORKFLOWS.join(' or ')}` });
}

export function planFile(outDir: string): string { return path.join(outDir, '.batch', 'plan.json'); }

export function writePlan(outDir: string, plan: BatchPlan): string {
  const f = planFile(outDir);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  writeFileAtomic(f, `${JSON.stringify(plan, null, 2)}\n`, { overwrite: true });
  return f;
}

export function readPlan(file: string): BatchPlan {
  let plan: BatchPlan;
  try { plan = JSON.parse(fs.readFileSync(file, 'utf8')) as BatchPlan; } catch (e) {
    throw new SpikeDeskError({ code: 'FILE_UNREADABLE', file, message: `cannot read the batch plan (${(e as Error).message})`, fix: 'run spikedesk batch again' });
  }
  if (plan.version !== 1 || !Array.isArray(plan.items) || !plan.job) {
    throw new SpikeDeskError({ code: 'FORMAT_CORRUPT', file, message: 'not a batch plan of this version', fix: 'run spikedesk batch again' });
  }
  return plan;
}
