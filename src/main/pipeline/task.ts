// What main sends a worker (or the inline executor), and what comes back. Tasks are plain JSON:
// stage names, parameter slices and cache file paths. Big arrays never travel: the worker reads its
// samples from the recording (or upstream cache files) and writes its results into the cache.

import type { SourceRef } from '../../shared/recording';
import type { WorkerTrace } from './trace';

/** Test-only fault injection: fail on `channel` for the first `attempts` attempts. */
export interface InjectedFault {
  channel: number;
  kind: 'throw' | 'exit' | 'oom';
  attempts: number;
}

/** One channel's run of consecutive per-channel stages. */
export interface ChannelTask {
  kind: 'channel';
  runId: string;
  source: SourceRef;
  channel: number;
  /** Stages to run, in order; each writes `files[stage]`. */
  steps: string[];
  /** Parameter slice of every stage in `steps`. */
  params: Record<string, unknown>;
  /** Cache file of every stage of the plan this task may read or write (own, group or global). */
  files: Record<string, string>;
  /** 0 = fast (whole channel in memory); > 0 = low-memory (chunks read from the files). */
  blockSamples: number;
  /**
   * Fast mode: channels this worker is about to get next (same run). When this task reads its raw
   * channel it decodes these in the same pass over the file and keeps them for their tasks: an
   * interleaved file is then read once per batch, not once per channel.
   */
  prefetch?: number[];
  attempt: number;
  injectFault?: InjectedFault;
  /** Record the task's spans (trace.ts) and return them in TaskResult.trace. */
  trace?: boolean;
}

/** A group- or global-scoped stage, computed once for a channel group or for the run. */
export interface GlobalTask {
  kind: 'global';
  runId: string;
  source: SourceRef;
  stage: string;
  params: unknown;
  /** The group's channels, or every channel of the run. */
  channels: number[];
  /** Per upstream stage, its file for each of `channels` (same order). */
  inputs: Record<string, string[]>;
  out: string;
  /** Block for streamed outputs (a per-sample statistic: any block gives the same samples). */
  blockSamples: number;
  attempt: number;
  trace?: boolean;
}

export type WorkerTask = ChannelTask | GlobalTask;

export interface TaskResult {
  /** Channel index, -1 for global tasks. */
  channel: number;
  stagesRun: string[];
  peakRssMB: number;
  ms: number;
  /** Small per-stage summaries (spike count, units, trigger source...). */
  summary: Record<string, unknown>;
  /** With task.trace: the worker's spans (stages, raw read) and its thread's CPU so far. */
  trace?: WorkerTrace;
}

/** Progress message a worker posts while it runs a task. */
export interface TaskProgressMessage {
  type: 'progress';
  runId: string;
  channel: number;
  stage: string;
  fraction: number;
  rssMB: number;
}

export function isTaskProgress(m: unknown): m is TaskProgressMessage {
  return typeof m === 'object' && m !== null && (m as TaskProgressMessage).type === 'progress'
    && typeof (m as TaskProgressMessage).runId === 'string';
}

/** Files a task writes (their temp files are removed when the task dies). */
export function outputsOf(t: WorkerTask): string[] {
  if (t.kind === 'channel') return t.steps.map((s) => t.files[s]).filter((f): f is string => !!f);
  return [t.out];
}
