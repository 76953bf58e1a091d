// `spikedesk batch INPUTS --workflow sort|correct|tf --out DIR [--executor local|slurm] ...`: many
// recordings in one go, locally (recordings spread over the workers) or as Slurm job arrays.
// `spikedesk batch-task` is what a Slurm array task runs (not for users).

import * as path from 'node:path';
import { batchJob, defaultCliEntry, defaultMemoryBudgetMB, runBatch, runBatchPhase, userParams, type ParallelChoice, type RecordingState, type SplitChannels } from '../main/headless';
import { num, openOptions, str, UsageError, type ParsedArgs } from './args';
import { EXIT, modeFrom, readParamsFile, withTriggerFlags, type Io } from './common';
import { decimAuto, tfParamsFrom } from './tf-command';

export async function batchCommand(a: ParsedArgs, io: Io): Promise<number> {
  if (!a.positional.length) throw new UsageError('batch: give the inputs (a folder, a quoted glob or a manifest .tsv)');
  const workflow = str(a, 'workflow');
  if (!workflow) throw new UsageError('batch: give --workflow sort, correct or tf');
  if (workflow !== 'sort' && workflow !== 'correct' && workflow !== 'tf') throw new UsageError(`--workflow ${workflow}: use sort, correct or tf`);
  const out = str(a, 'out');
  if (!out) throw new UsageError('batch: give --out DIR for the results');
  const executor = str(a, 'executor') ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new UsageError(`--executor ${executor}: use local or slurm`);
  const parallel = (str(a, 'parallel') ?? 'auto') as ParallelChoice;
  if (!['auto', 'serial', 'parallel'].includes(parallel)) throw new UsageError(`--parallel ${parallel}: use auto, serial or parallel`);
  const mode = modeFrom(a, (l) => io.stderr.write(`${l}\n`));
  const jobs = mode.kind === 'fast' ? mode.jobs : (num(a, 'jobs', (n) => Number.isInteger(n) && n >= 1, 'a whole number') ?? 1);
  const memory = num(a, 'memory', (n) => n >= 64, 'a memory budget of at least 64 MB') ?? (mode.kind === 'fast' ? defaultMemoryBudgetMB() : mode.memoryBudgetMB);
  // A tf batch takes the tf flags of `spikedesk tf` (--freqs, --band, --strategy recording, ...) over --params.
  if (a.flags.has('label-rule') && workflow !== 'sort') throw new UsageError(`--label-rule labels sorted units: use it with --workflow sort (not ${workflow})`);
  if (a.flags.has('corrected') && workflow !== 'tf') throw new UsageError(`--corrected analyses the corrected signal: use it with --workflow tf (not ${workflow})`);
  if ((str(a, 'trigger-channel') || str(a, 'trigger-regex')) && workflow === 'sort') throw new UsageError('--trigger-channel / --trigger-regex choose a correction\'s triggers: use them with --workflow correct or tf --corrected');
  // Trigger flags apply to a correct batch as to `spikedesk correct` (they were ignored).
  const params = workflow === 'tf' ? tfParamsFrom(a) : workflow === 'correct' ? withTriggerFlags(a, userParams('correct', readParamsFile(a))) : readParamsFile(a);
  if (str(a, 'decim') && workflow !== 'tf') throw new UsageError(`--decim thins a time-frequency output: use it with --workflow tf (not ${workflow})`);
  const job = batchJob(workflow, params, mode, parallel, { labelRule: a.flags.has('label-rule'), autoDecim: decimAuto(a) });
  const partition = str(a, 'partition');
  const splitArg = str(a, 'split-channels') ?? 'auto';
  const splitN = Number(splitArg);
  if (splitArg !== 'auto' && splitArg !== 'off' && !(Number.isInteger(splitN) && splitN >= 1)) throw new UsageError(`--split-channels ${splitArg}: use auto, off or a number of channels per task`);
  if (splitArg !== 'auto' && executor !== 'slurm') throw new UsageError('--split-channels applies to --executor slurm (locally, channels already spread over the workers)');
  const split: SplitChannels = splitArg === 'auto' || splitArg === 'off' ? splitArg : splitN;
  const showState = !io.json;
  const handle = runBatch({
    inputs: a.positional, open: openOptions(a), job, outDir: out, executor, jobs, memoryBudgetMB: memory,
    slurm: executor === 'slurm' ? { partition, cliEntry: process.env.SPIKEDESK_CLI ?? defaultCliEntry(), splitChannels: split } : undefined,
    events: {
      onState: (name: string, state: RecordingState, r) => {
        if (!showState || state === 'queued') return;
        const tail = r ? ` (${r.wallS.toFixed(1)} s${r.units !== null ? `, ${r.units} units` : ''}${r.cached ? ', from cache' : ''}${r.error ? `: ${r.error}` : ''}${r.log && r.state !== 'done' ? `; log ${r.log}` : ''})` : '';
        io.stderr.write(`${name}: ${state}${tail}\n`);
      },
      onWarning: (m) => { if (showState) io.stderr.write(`warning: ${m}\n`); },
    },
  });
  const onSigint = (): void => handle.cancel();
  process.on('SIGINT', onSigint);
  try {
    const s = await handle.done;
    const dir = path.resolve(out);
    if (io.json) io.stdout.write(`${JSON.stringify({ out: dir, ...s })}\n`);
    else {
      io.stdout.write(`${Object.entries(s.counts).map(([k, v]) => `${v} ${k}`).join(', ')} in ${s.wallS.toFixed(1)} s (${s.executor}, ${s.execution.parallel}: ${s.execution.reason})\n`);
      io.stdout.write(`wrote ${path.join(dir, 'batch.tsv')} and batch.json\n`);
    }
    if (s.recordings.some((r) => r.state === 'cancelled')) return EXIT.cancelled;
    return s.recordings.every((r) => r.state === 'done') ? EXIT.ok : EXIT.runFailed;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Internal: one phase of one recording, run by a Slurm array task. Exit 0 = the phase succeeded. */
export async function batchTaskCommand(a: ParsedArgs, io: Io): Promise<number> {
  const plan = str(a, 'plan'), phase = str(a, 'phase');
  if (!plan) throw new UsageError('batch-task: --plan FILE is required');
  if (phase !== 'group' && phase !== 'compute' && phase !== 'export') throw new UsageError('batch-task: --phase group|compute|export');
  const index = num(a, 'index', (n) => Number.isInteger(n) && n >= 0, 'an array index');
  if (index === undefined) throw new UsageError('batch-task: --index N is required');
  const jobs = num(a, 'jobs', (n) => Number.isInteger(n) && n >= 1, 'a whole number') ?? 1;
  const ok = await runBatchPhase(plan, phase, index, jobs, (l) => io.stderr.write(`${l}\n`));
  return ok ? EXIT.ok : EXIT.runFailed;
}
