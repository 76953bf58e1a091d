// The backend service contract, declared once. Main implements it (src/main/backend.ts),
// hosts expose it over comlink, the renderer wraps it (src/renderer/api/).

import type { ErrorInfo } from './errors';
import type { OpenOptions, RecordingMeta } from './recording';
import type { PipelineSpec } from './params';
import type { RunProgress, RunReport } from './progress';

export interface TraceRequest {
  channels: number[];
  startS: number;
  endS: number;
  /** Number of output columns (pixels); each holds the min and max of its samples. */
  pixels: number;
  /** 'raw' or the result of the last run of a workflow that produces samples. */
  view: 'raw' | 'filtered' | 'corrected';
}

export interface TraceBlock {
  /** Per requested channel: min and max per column (uV), length = columns. */
  min: Float32Array[];
  max: Float32Array[];
  /** Time of the first column (s) and seconds per column. */
  t0: number;
  dt: number;
  /** True when every sample was returned as is (fewer samples than pixels). */
  exact: boolean;
}

export type BackendEvent =
  | { type: 'progress'; progress: RunProgress }
  | { type: 'run-finished'; report: RunReport }
  | { type: 'run-error'; runId: string; error: ErrorInfo };

export interface BackendInfo {
  version: string;
  host: 'electron' | 'web' | 'cli' | 'test';
  cores: number;
  poolSize: number;
}

export interface BackendApi {
  info(): Promise<BackendInfo>;
  /** Open a recording the user chose. With no path, opens the embedded demo recording. */
  openRecording(path?: string, options?: OpenOptions): Promise<RecordingMeta>;
  openDemo(kind: 'spikes' | 'eeg'): Promise<RecordingMeta>;
  listChannels(): Promise<RecordingMeta['channels']>;
  getTraces(req: TraceRequest): Promise<TraceBlock>;
  /** Starts a run and resolves with its id at once; progress and the report arrive as events. */
  runPipeline(spec: PipelineSpec): Promise<string>;
  cancel(runId: string): Promise<void>;
  setPoolSize(n: number): Promise<number>;
}

/**
 * Events travel on the same port/socket as comlink but carry no comlink id, so comlink ignores
 * them; the renderer picks them out by this key.
 */
export interface EventMessage { spikedeskEvent: BackendEvent }

export function isEventMessage(x: unknown): x is EventMessage {
  return typeof x === 'object' && x !== null && 'spikedeskEvent' in x;
}
