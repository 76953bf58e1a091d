// Before a run: peak memory and time for both modes, from the recording size and throughputs
// measured by bench/engine.bench.ts (times assume the workers get their cores to themselves).

import type { ExecutionMode, PipelineSpec } from '../../shared/params';
import type { RecordingMeta } from '../../shared/recording';
import { planChannels } from './planner';
import { rateOf, workflowOf } from './workflows';

export interface RunEstimate {
  fast: { peakMB: number; seconds: number };
  lowMemory: { peakMB: number; seconds: number };
  /** Per mode, whether the time is this machine's (Calibration.estimate); absent: the model's. */
  measured?: { fast: boolean; lowMemory: boolean };
}

/** Process baseline plus one worker thread's runtime (isolate, tsx, modules), in MB. */
export const BASE_MB = 90;
export const WORKER_MB = 35;
/**
 * Samples per CPU-second one worker processes in fast mode come from the workflow (workflows.ts;
 * engine bench: a 32-ch 10-min sort used 63 CPU-s for 576 M samples, ~9 M/s; rounded down).
 * Low-memory streaming re-reads the cached channels and took 1.7x the CPU time.
 */
const LOW_MEMORY_COST = 1.7;
/** Bytes per sample a fast task holds (raw + filtered float32 and a float64 work block). */
const FAST_BYTES = 12;
/** Low-memory streaming reads about this many bytes per block sample over all buffers. */
const STREAM_BYTES = 48;

/** Samples per streamed block in low-memory mode (0 in fast mode = whole channel). */
export function blockSamplesFor(mode: ExecutionMode, meta: RecordingMeta): number {
  if (mode.kind === 'fast') return 0;
  const budget = Math.max(4, mode.memoryBudgetMB - BASE_MB - WORKER_MB);
  return Math.max(1 << 16, Math.min(meta.nSamples, Math.floor((budget * 1048576) / STREAM_BYTES)));
}

/** MB a task holds beyond its channel's samples (WorkflowDef.taskBytes; a tf channel's output). */
export function taskMBOf(spec: PipelineSpec, meta: RecordingMeta): number {
  return (workflowOf(spec).taskBytes?.(spec.params, meta) ?? 0) / 1048576;
}

export function estimateRun(spec: PipelineSpec, meta: RecordingMeta, poolSize: number): RunEstimate {
  const nCh = planChannels(spec, meta).length;
  const n = meta.nSamples;
  const total = n * nCh;
  const jobs = Math.max(1, Math.min(spec.mode.jobs, poolSize));
  const rate = rateOf(spec);
  const taskMB = taskMBOf(spec, meta);
  const chanMB = (n * FAST_BYTES) / 1048576;
  const lowMode: ExecutionMode = { ...spec.mode, kind: 'low-memory' };
  const blockMB = (blockSamplesFor(lowMode, meta) * STREAM_BYTES) / 1048576;
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    fast: { peakMB: round(BASE_MB + jobs * (WORKER_MB + chanMB + taskMB)), seconds: round(total / rate / jobs + 0.5) },
    lowMemory: { peakMB: round(BASE_MB + WORKER_MB + Math.min(blockMB, chanMB) + taskMB), seconds: round((LOW_MEMORY_COST * total) / rate + 0.5) },
  };
}
