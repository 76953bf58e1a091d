// Progress messages: plain objects (never comlink proxies) from workers through main to views.

import type { ErrorCode } from './errors';

export interface WorkerProgress {
  /** Pool slot index (stable while the worker lives). */
  worker: number;
  pid: number;
  /** Channel index being processed, -1 in a global stage (a task over every channel; shown as "all channels"). */
  channel: number;
  stage: string;
  /** 0..1 for the current task. */
  fraction: number;
  rssMB: number;
}

export interface RunProgress {
  runId: string;
  workers: WorkerProgress[];
  channelsDone: number;
  channelsTotal: number;
  /** Channels that failed for good (absent when none): the progress line says "1 failed". */
  channelsFailed?: number;
  /**
   * 0..1: the run's work done, weighted by stage (finished tasks of every phase plus the running
   * tasks' part). Moves before any channel is done, which channelsDone alone does not: a sort's
   * first phase (filter, detect) runs on every channel before the second finishes one.
   */
  fraction: number;
  /** Seconds to completion, NaN while unknown. */
  etaS: number;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** What the workers' rssMB measure (RssScope); absent (an older record): each figure is shown as it came. */
  rssScope?: RssScope;
}

/**
 * What a run's memory figures measure. 'process': the workers are threads of one process (the web
 * host, the CLI, batches) or the run is inline, so every worker's figure is that whole process's
 * RSS and the run's peak is the largest of them. 'worker': each worker is a process of its own (the
 * desktop app's utility processes), so the run's peak is their sum.
 */
export type RssScope = 'process' | 'worker';

/** The run's peak memory, said for what it measured (RssScope): the CLI's summary and the app's run report. */
export function peakSaid(r: { peakRssMB: number[]; rssScope?: RssScope }): string {
  if (!r.peakRssMB.length) return 'peak memory n/a';
  const mb = (m: number): string => `${Math.round(m)} MB`;
  if (r.rssScope === 'worker') return `peak ${mb(runPeakMB(r))} over ${r.peakRssMB.length} worker process(es) (${r.peakRssMB.map(mb).join(', ')})`;
  return `peak ${mb(runPeakMB(r))} for the whole process (its workers are threads)`;
}

/** A run's peak memory in MB from its per-worker peaks (see RssScope). */
export function runPeakMB(r: { peakRssMB: number[]; rssScope?: RssScope }): number {
  return r.rssScope === 'worker' ? r.peakRssMB.reduce((a, b) => a + b, 0) : Math.max(0, ...r.peakRssMB);
}

export interface ChannelFailure {
  channel: number;
  reason: string;
  /** What the user can do about it (the typed error's fix), when it says. */
  fix?: string;
  /** The typed error's code (e.g. NON_FINITE: the app then offers to read such samples as 0). */
  code?: ErrorCode;
}

export interface RunReport {
  runId: string;
  workflow: 'sort' | 'correct' | 'filter' | 'tf';
  mode: 'low-memory' | 'fast';
  jobs: number;
  wallS: number;
  /** Peak RSS per worker slot (MB); what it measures is rssScope's. */
  peakRssMB: number[];
  rssScope: RssScope;
  stagesRun: string[];
  stagesCached: string[];
  failed: ChannelFailure[];
  state: 'done' | 'failed' | 'cancelled';
}
