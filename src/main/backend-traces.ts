// Trace windows for the workbench: min/max decimation per pixel column runs on the pool workers
// (each reads its share of the channels straight from the recording or the run's cache files).
// While a run keeps every worker busy, the window is decimated here instead, so panning never
// waits behind a sort.

import type { TraceBlock, TraceRequest } from '../shared/api';
import { SpikeDeskError } from '../shared/errors';
import type { RecordingMeta, SourceRef } from '../shared/recording';
import type { Pool } from './pool/pool';
import { resultFiles as cachedResultFiles } from './pipeline/result-source';
import { decimateTask, type DecimateResult, type TraceInput } from './session/workbench-tasks';

const MAX_TRACE_SAMPLES = 32 * 30000 * 60;

/** Per-channel float32 files of the latest run that produced filtered or corrected samples. */
export function resultFiles(sessionDir: string, view: 'filtered' | 'corrected'): Record<number, string> | null {
  const files = cachedResultFiles(sessionDir, view);
  return files ? Object.fromEntries(files) : null;
}

export function checkChannels(ch: unknown, n: number): number[] {
  if (!Array.isArray(ch) || ch.length === 0 || ch.length > 1024 || !ch.every((c) => Number.isInteger(c) && c >= 0 && c < n)) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel list ${JSON.stringify(ch)} is invalid for a recording with ${n} channels`, fix: `use channel indices 0..${n - 1}` });
  }
  return ch as number[];
}

export async function pooledTraces(pool: Pool, meta: RecordingMeta, ref: SourceRef, sessionDir: string, req: TraceRequest): Promise<TraceBlock> {
  const channels = checkChannels(req.channels, meta.channels.length);
  if (!(Number.isFinite(req.startS) && Number.isFinite(req.endS) && req.endS > req.startS)) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `time window ${req.startS}..${req.endS} s is empty`, fix: 'ask for a window with end > start' });
  }
  let input: TraceInput;
  if (req.view === 'raw') input = { kind: 'source', ref };
  else if (req.view === 'filtered' || req.view === 'corrected') {
    const files = resultFiles(sessionDir, req.view);
    if (!files) throw new SpikeDeskError({ code: 'NOT_FOUND', message: `no ${req.view} data yet`, fix: `run the ${req.view === 'corrected' ? 'correction' : 'filter or sort'} first` });
    input = { kind: 'f32', files };
  } else throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `unknown trace view ${String(req.view)}`, fix: 'use raw, filtered or corrected' });
  const pixels = Math.max(1, Math.min(8192, Math.floor(req.pixels)));
  const start = Math.max(0, Math.floor(req.startS * meta.sampleRate));
  const end = Math.min(meta.nSamples, Math.ceil(req.endS * meta.sampleRate));
  if (end <= start) return { min: channels.map(() => new Float32Array(0)), max: channels.map(() => new Float32Array(0)), t0: req.startS, dt: 1 / meta.sampleRate, exact: true };
  if ((end - start) * channels.length > MAX_TRACE_SAMPLES) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'trace window too long to display at once', fix: 'zoom in (at most one minute of 32 channels at 30 kHz)' });
  }
  // Channels the run did not process are returned empty (and named), not invented.
  const missing = input.kind === 'f32' ? channels.filter((c) => !(input as { files: Record<number, string> }).files[c]) : [];
  const present = channels.filter((c) => !missing.includes(c));
  const n = end - start;
  const columns = Math.min(pixels, n);
  const idle = pool.workers().filter((w) => !w.busy).length;
  let parts: DecimateResult[] = [];
  if (present.length === 0) parts = [];
  else if (idle === 0) {
    parts = [await decimateTask({ input, channels: present, start, end, columns })];
  } else {
    // Split by time, not by channel: interleaved recordings store all channels of a frame together,
    // so each worker then reads only its part of the file once.
    const k = Math.min(idle, Math.max(1, Math.floor(columns / 64)));
    const cuts = Array.from({ length: k + 1 }, (_, i) => Math.floor((i * columns) / k));
    const pieces = await Promise.all(cuts.slice(0, k).map((c0, i) => pool.run((api) => api.decimate({ input, channels: present, start, end, columns, colStart: c0, colEnd: cuts[i + 1] }))));
    parts = [{
      min: present.map((_, j) => concat(pieces.map((p) => p.min[j]))),
      max: present.map((_, j) => concat(pieces.map((p) => p.max[j]))),
    }];
  }
  const mins = parts.flatMap((p) => p.min), maxs = parts.flatMap((p) => p.max);
  const at = new Map(present.map((c, i) => [c, i]));
  const empty = new Float32Array(0);
  return {
    min: channels.map((c) => (at.has(c) ? mins[at.get(c)!] : empty)), max: channels.map((c) => (at.has(c) ? maxs[at.get(c)!] : empty)),
    t0: start / meta.sampleRate, dt: n / columns / meta.sampleRate, exact: columns === n, missing,
  };
}

function concat(a: Float32Array[]): Float32Array {
  if (a.length === 1) return a[0];
  const out = new Float32Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) { out.set(x, o); o += x.length; }
  return out;
}
