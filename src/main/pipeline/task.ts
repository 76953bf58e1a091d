// What main sends a worker, and what comes back. Big arrays never travel: the worker reads its
// samples from the recording (or upstream cache files) and writes its results into the cache.

import type { CorrectParams, FilterParams, SortParams } from '../../shared/params';
import type { SourceRef } from '../../shared/recording';

/** Per-channel stages, in pipeline order. */
export type ChannelStage = 'filter' | 'detect' | 'features' | 'cluster' | 'metrics' | 'correct';
/** Stages computed once per run (their results are broadcast to every channel task). */
export type GlobalStage = 'reference' | 'triggers';
export type StageName = ChannelStage | GlobalStage;

/** Test-only fault injection: fail on `channel` for the first `attempts` attempts. */
export interface InjectedFault {
  channel: number;
  kind: 'throw' | 'exit' | 'oom';
  attempts: number;
}

export interface ChannelTask {
  kind: 'channel';
  runId: string;
  source: SourceRef;
  channel: number;
  /** Stages to run, in order; each writes `files[stage]`. */
  steps: ChannelStage[];
  /** Cache file of every stage this task reads or writes (upstream results may be cached). */
  files: Partial<Record<StageName, string>>;
  filter: FilterParams;
  sort?: SortParams;
  correct?: CorrectParams;
  /** Group reference file and this channel's row in it (reference stage output). */
  referenceRow?: number;
  /** Samples per block when streaming (low-memory); 0 = whole channel in memory (fast). */
  blockSamples: number;
  attempt: number;
  injectFault?: InjectedFault;
}

export interface ReferenceTask {
  kind: 'reference';
  runId: string;
  mode: 'car' | 'cmr';
  /** Filtered channel files of one group, in channel order. */
  inputs: string[];
  nSamples: number;
  out: string;
  blockSamples: number;
  attempt: number;
}

export interface TriggerTask {
  kind: 'triggers';
  runId: string;
  source: SourceRef;
  params: CorrectParams;
  out: string;
  attempt: number;
}

export type WorkerTask = ChannelTask | ReferenceTask | TriggerTask;

export interface TaskResult {
  /** Channel index, -1 for global tasks. */
  channel: number;
  stagesRun: StageName[];
  peakRssMB: number;
  ms: number;
  /** Small per-stage summaries (spike count, units, trigger source...). */
  summary: Record<string, unknown>;
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
