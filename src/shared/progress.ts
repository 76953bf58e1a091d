// Progress messages: plain objects (never comlink proxies) from workers through main to views.

export interface WorkerProgress {
  /** Pool slot index (stable while the worker lives). */
  worker: number;
  pid: number;
  /** Channel index being processed, -1 when idle or in a global stage. */
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
  /**
   * 0..1: the run's work done, weighted by stage (finished tasks of every phase plus the running
   * tasks' part). Moves before any channel is done, which channelsDone alone does not: a sort's
   * first phase (filter, detect) runs on every channel before the second finishes one.
   */
  fraction: number;
  /** Seconds to completion, NaN while unknown. */
  etaS: number;
  state: 'running' | 'done' | 'failed' | 'cancelled';
}

export interface ChannelFailure {
  channel: number;
  reason: string;
  /** What the user can do about it (the typed error's fix), when it says. */
  fix?: string;
}

export interface RunReport {
  runId: string;
  workflow: 'sort' | 'correct' | 'filter' | 'tf';
  mode: 'low-memory' | 'fast';
  jobs: number;
  wallS: number;
  peakRssMB: number[];
  stagesRun: string[];
  stagesCached: string[];
  failed: ChannelFailure[];
  state: 'done' | 'failed' | 'cancelled';
}
