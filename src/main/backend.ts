// The backend service: implements BackendApi (src/shared/api.ts) on plain Node. Every host
// (Electron, web, tests) exposes this one object over comlink. Inputs are validated here, at
// the boundary: paths against the allow-list, channel indices, windows, pipeline parameters.

import os from 'node:os';
import type { BackendApi, BackendEvent, BackendInfo, TraceBlock, TraceRequest } from '../shared/api';
import { SpikeDeskError, toErrorInfo } from '../shared/errors';
import type { OpenOptions, RecordingMeta } from '../shared/recording';
import { validateCorrect, validateFilter, validateSort, type PipelineSpec } from '../shared/params';
import { minMaxDecimate } from '../workers/trace/decimate';
import { openSource } from './io';
import type { Source } from './io/source';
import type { Pool } from './pool/pool';
import type { Engine } from './pipeline/engine';
import type { PathAllowList } from './security/path-allow-list';
import { ensureDemo } from './demo';

export interface BackendDeps {
  host: BackendInfo['host'];
  version: string;
  pool: Pool;
  engine: Engine;
  allow: PathAllowList;
  /** Folder holding the generated demo recordings. */
  demoDir: string;
  emit: (e: BackendEvent) => void;
}

const MAX_TRACE_SAMPLES = 32 * 30000 * 60;

export class Backend implements BackendApi {
  private source: Source | null = null;
  private openOptions: OpenOptions | undefined;

  constructor(private deps: BackendDeps) {
    deps.allow.allowRoot(deps.demoDir);
  }

  async info(): Promise<BackendInfo> {
    return { version: this.deps.version, host: this.deps.host, cores: os.availableParallelism?.() ?? os.cpus().length, poolSize: this.deps.pool.size };
  }

  async openRecording(path?: string, options?: OpenOptions): Promise<RecordingMeta> {
    if (path === undefined || path === '') return this.openDemo('spikes');
    const checked = this.deps.allow.check(path);
    const src = await openSource(checked, options);
    this.source?.close();
    this.source = src;
    this.openOptions = options;
    return src.meta;
  }

  async openDemo(kind: 'spikes' | 'eeg'): Promise<RecordingMeta> {
    if (kind !== 'spikes' && kind !== 'eeg') throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `unknown demo "${String(kind)}"`, fix: "use 'spikes' or 'eeg'" });
    const file = await ensureDemo(kind, this.deps.demoDir);
    return this.openRecording(file);
  }

  async listChannels(): Promise<RecordingMeta['channels']> {
    return this.current().meta.channels;
  }

  async getTraces(req: TraceRequest): Promise<TraceBlock> {
    const src = this.current();
    const { meta } = src;
    const view = req.view === 'raw' ? src : this.deps.engine.resultSource(meta.path, req.view);
    if (!view) throw new SpikeDeskError({ code: 'NOT_FOUND', message: `no ${req.view} data yet`, fix: `run the ${req.view === 'corrected' ? 'correction' : 'filter or sort'} first` });
    const channels = checkChannels(req.channels, meta.channels.length);
    if (!(Number.isFinite(req.startS) && Number.isFinite(req.endS) && req.endS > req.startS)) {
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `time window ${req.startS}..${req.endS} s is empty`, fix: 'ask for a window with end > start' });
    }
    const pixels = Math.max(1, Math.min(8192, Math.floor(req.pixels)));
    const start = Math.max(0, Math.floor(req.startS * meta.sampleRate));
    const end = Math.min(meta.nSamples, Math.ceil(req.endS * meta.sampleRate));
    if (end <= start) return { min: channels.map(() => new Float32Array(0)), max: channels.map(() => new Float32Array(0)), t0: req.startS, dt: 1 / meta.sampleRate, exact: true };
    if ((end - start) * channels.length > MAX_TRACE_SAMPLES) {
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'trace window too long to display at once', fix: 'zoom in (at most one minute of 32 channels at 30 kHz)' });
    }
    const data = view.read(channels, start, end);
    const n = end - start;
    const cols = Math.min(pixels, n);
    const out = data.map((x) => minMaxDecimate(x, cols));
    return { min: out.map((o) => o.min), max: out.map((o) => o.max), t0: start / meta.sampleRate, dt: n / cols / meta.sampleRate, exact: cols === n };
  }

  async runPipeline(spec: PipelineSpec): Promise<string> {
    const src = this.current();
    validateSpec(spec, src.meta);
    const { runId, done } = this.deps.engine.start(spec, { path: src.meta.path, open: this.openOptions }, src.meta,
      (progress) => this.deps.emit({ type: 'progress', progress }));
    done.then(
      (report) => this.deps.emit({ type: 'run-finished', report }),
      (e: unknown) => this.deps.emit({ type: 'run-error', runId, error: toErrorInfo(e) }),
    );
    return runId;
  }

  async cancel(runId: string): Promise<void> {
    this.deps.engine.cancel(runId);
  }

  async setPoolSize(n: number): Promise<number> {
    return this.deps.pool.resize(n);
  }

  dispose(): void {
    this.source?.close();
    this.source = null;
  }

  private current(): Source {
    if (!this.source) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'no recording is open', fix: 'open a recording (or the demo) first' });
    return this.source;
  }
}

function checkChannels(ch: unknown, n: number): number[] {
  if (!Array.isArray(ch) || ch.length === 0 || ch.length > 1024 || !ch.every((c) => Number.isInteger(c) && c >= 0 && c < n)) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel list ${JSON.stringify(ch)} is invalid for a recording with ${n} channels`, fix: `use channel indices 0..${n - 1}` });
  }
  return ch as number[];
}

function validateSpec(spec: PipelineSpec, meta: RecordingMeta): void {
  const m = spec?.mode;
  if (!m || (m.kind !== 'fast' && m.kind !== 'low-memory') || !Number.isInteger(m.jobs) || m.jobs < 1 || m.jobs > 256 || !(m.memoryBudgetMB > 0)) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'execution mode is invalid', fix: "use kind 'fast' or 'low-memory', jobs >= 1 and a positive memory budget" });
  }
  if (spec.channels) checkChannels(spec.channels, meta.channels.length);
  if (spec.workflow === 'filter') validateFilter(spec.params, meta.sampleRate);
  else if (spec.workflow === 'sort') validateSort(spec.params, meta.sampleRate);
  else if (spec.workflow === 'correct') validateCorrect(spec.params);
  else throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `unknown workflow "${String((spec as { workflow?: unknown }).workflow)}"`, fix: "use 'sort', 'correct' or 'filter'" });
}
