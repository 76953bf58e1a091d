// Backend side of the batch panel: runs `spikedesk batch` (src/main/batch) on the local executor
// inside the app, one batch at a time, and turns its callbacks into one small BatchStatus that is
// sent whole on every change (throttled). Every input, every recording a folder or manifest names,
// the output folder and the export folder are checked against the allow-list first.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendEvent, BatchExportSummary, BatchRequest, BatchRow, BatchStatus } from '../shared/api';
import { SpikeDeskError, toErrorInfo } from '../shared/errors';
import { SORTED_FORMATS, type SortedExportFormat } from '../shared/menu';
import type { WorkerProgress } from '../shared/progress';
import { resolveInputs } from './batch/inputs';
import { makeJob } from './batch/job';
import type { RecordingResult } from './batch/recording';
import { startBatch, type BatchHandle } from './batch/run-batch';
import { exportSortedUnits } from './backend-export';
import type { Engine } from './pipeline/engine';
import type { ProcessHost } from './pool/process-host';
import type { PathAllowList } from './security/path-allow-list';
import { SortSession } from './session/workbench';
import { defaultMemoryBudgetMB } from './batch/local';

export interface BatchDeps {
  allow: PathAllowList;
  /** The app's engine: only for the session folder of a recording (the batch has its own). */
  engine: Engine;
  processHost: ProcessHost;
  workerEntry: string;
  emit: (e: BackendEvent) => void;
}

/** Most status events per second while recordings report progress (state changes go out at once). */
const EVENTS_PER_S = 5;

export class BatchService {
  private status: BatchStatus | null = null;
  private handle: BatchHandle | null = null;
  private workers = new Map<string, { at: number; list: WorkerProgress[] }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastEmit = 0;
  private cancelledAll = false;
  private seq = 0;

  constructor(private readonly d: BatchDeps) {}

  async start(req: BatchRequest): Promise<BatchStatus> {
    if (this.status?.state === 'running') {
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'a batch is already running', fix: 'wait for it to finish or cancel it first' });
    }
    // The façade parsed the request against its schema; each recording's run validates the
    // parameters against that recording (sample rate, channels) when it starts.
    const spec = req.spec;
    if ((spec.workflow as string) === 'filter') throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'the filter workflow does not run in batches', fix: 'use sort, correct or tf' });
    const { allow } = this.d;
    // The inputs themselves, then every recording they name (a manifest may point anywhere).
    const inputs = req.inputs.map((p) => allow.check(p));
    const items = resolveInputs(inputs, req.open ?? {});
    for (const it of items) allow.check(it.path);
    const outDir = allow.check(req.outDir);
    const job = makeJob(spec.workflow, spec.params, spec.mode, req.parallel, { labelRule: req.labelRule === true, autoDecim: req.autoDecim === true });
    const jobs = spec.mode.kind === 'fast' ? spec.mode.jobs : 1;
    const id = `batch-${Date.now().toString(36)}-${++this.seq}`;
    this.cancelledAll = false;
    this.workers.clear();
    const status: BatchStatus = {
      id, workflow: spec.workflow, outDir, state: 'running', execution: null, wallS: null, warnings: [], error: null, workers: [],
      rows: items.map((it): BatchRow => ({
        name: it.name, path: it.path, open: it.open, state: 'queued', fraction: 0, wallS: null, units: null, spikes: null,
        metrics: {}, cached: false, error: null, output: null,
      })),
    };
    this.status = status;
    const row = (name: string): BatchRow | undefined => status.rows.find((r) => r.name === name);
    const handle = startBatch({
      inputs, items, job, outDir, executor: 'local', jobs,
      memoryBudgetMB: spec.mode.kind === 'fast' ? defaultMemoryBudgetMB() : spec.mode.memoryBudgetMB,
      workerEntry: this.d.workerEntry, processHost: this.d.processHost,
      onExecution: (e) => { status.execution = `${e.parallel} · ${e.jobs} job(s) · ${e.reason}`; this.emit(true); },
      events: {
        onState: (name, state, result) => {
          const r = row(name);
          if (!r) return;
          r.state = state;
          if (state !== 'running') this.workers.delete(name);
          if (result) applyResult(r, result, outDir);
          this.emit(true);
        },
        onProgress: (name, p) => {
          const r = row(name);
          // A progress event can arrive after the recording's result: a finished row keeps its full bar.
          if (!r || (r.state !== 'queued' && r.state !== 'running')) return;
          // The run's weighted fraction counts finished tasks of every phase: a serial run reports
          // only between tasks, when no task is under way, and a sort finishes no channel before
          // its first phase is done on all of them (so channels done would show nothing until then).
          r.fraction = p.fraction;
          status.rssScope = p.rssScope;
          this.workers.set(name, { at: performance.now(), list: p.workers.map((w) => ({ ...w, stage: `${name} · ${w.stage}` })) });
          this.emit(false);
        },
        onWarning: () => this.emit(true),
      },
    });
    this.handle = handle;
    handle.done.then(
      (s) => {
        for (const rec of s.recordings) { const r = row(rec.name); if (r) applyResult(r, rec, outDir); }
        status.warnings = s.warnings;
        status.wallS = s.wallS;
        status.execution = `${s.execution.parallel} · ${s.execution.jobs} job(s) · ${s.execution.reason}`;
        status.state = this.cancelledAll ? 'cancelled' : 'done';
      },
      (e: unknown) => {
        status.state = 'failed';
        status.error = toErrorInfo(e);
        for (const r of status.rows) if (r.state === 'queued' || r.state === 'running') r.state = 'failed';
      },
    ).finally(() => { this.workers.clear(); this.handle = null; this.emit(true); });
    return this.snapshot()!;
  }

  async cancel(name?: string): Promise<void> {
    if (!this.handle || !this.status) return;
    if (name !== undefined && !this.status.rows.some((r) => r.name === name)) {
      throw new SpikeDeskError({ code: 'NOT_FOUND', message: `the batch has no recording "${name}"`, fix: 'cancel a recording listed in the batch table' });
    }
    if (name === undefined) this.cancelledAll = true;
    this.handle.cancel(name);
  }

  async current(): Promise<BatchStatus | null> {
    return this.snapshot();
  }

  /** The curated units of every finished recording of the last sort batch, one output per recording under `dir`. */
  async exportAll(format: SortedExportFormat, dir: string, overwrite: boolean): Promise<BatchExportSummary> {
    const f = SORTED_FORMATS.find((x) => x.format === format);
    if (!f) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `unknown export format "${String(format)}"`, fix: 'use phy, nwb, blech or csv' });
    const s = this.status;
    if (!s || s.workflow !== 'sort') throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'no sort batch has run in this session', fix: 'run a batch with the sort workflow first' });
    const finished = s.rows.filter((r) => r.state === 'done' || r.state === 'partial');
    if (!finished.length) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'no recording of the batch has finished', fix: 'wait for the batch (or run it again)' });
    const target = this.d.allow.check(dir);
    if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
      throw new SpikeDeskError({ code: 'OUTPUT_EXISTS', file: target, message: 'the export target is a file, not a folder', fix: 'choose a folder: each recording gets its own export inside it' });
    }
    const outOf = (name: string): string => path.join(target, f.ext ? `${name}.${f.ext}` : name);
    // Ask once for the whole batch rather than fail half-way: nothing is replaced without confirmation.
    const existing = finished.map((r) => outOf(r.name)).filter((p) => fs.existsSync(p));
    if (existing.length && !overwrite) {
      throw new SpikeDeskError({ code: 'OUTPUT_EXISTS', file: existing[0], message: `${existing.length} of the exports already exist (${existing.map((p) => path.basename(p)).slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''})`, fix: 'confirm to replace them, or choose another folder' });
    }
    fs.mkdirSync(target, { recursive: true });
    const out: BatchExportSummary = { format, dir: target, exported: [], failed: [] };
    for (const r of finished) {
      let session: SortSession | null = null;
      try {
        session = SortSession.open(this.d.engine.sessionDir(r.path));
        const e = await exportSortedUnits(session, format, outOf(r.name), overwrite);
        out.exported.push({ name: r.name, path: e.path, units: e.units, spikes: e.spikes });
      } catch (e) {
        out.failed.push({ name: r.name, error: (e as Error).message });
      } finally {
        session?.close();
      }
    }
    return out;
  }

  private snapshot(): BatchStatus | null {
    if (!this.status) return null;
    // Recordings share the pool's slots: a slot's latest report wins over an older one's.
    const bySlot = new Map<number, { at: number; w: WorkerProgress }>();
    for (const { at, list } of this.workers.values()) {
      for (const w of list) if (w.channel >= 0 && (bySlot.get(w.worker)?.at ?? -1) < at) bySlot.set(w.worker, { at, w });
    }
    const workers = [...bySlot.values()].map((x) => x.w).sort((a, b) => a.worker - b.worker);
    return structuredClone({ ...this.status, workers });
  }

  /** Send the status now (state changes) or at most EVENTS_PER_S times a second (progress). */
  private emit(now: boolean): void {
    const send = (): void => {
      this.timer = null;
      this.lastEmit = Date.now();
      const s = this.snapshot();
      if (s) this.d.emit({ type: 'batch', status: s });
    };
    if (now) { if (this.timer) clearTimeout(this.timer); send(); return; }
    if (this.timer) return;
    this.timer = setTimeout(send, Math.max(0, 1000 / EVENTS_PER_S - (Date.now() - this.lastEmit)));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.handle?.cancel();
  }
}

function applyResult(r: BatchRow, res: RecordingResult, outDir: string): void {
  r.state = res.state;
  r.wallS = res.wallS;
  r.units = res.units;
  r.spikes = res.spikes;
  r.metrics = res.metrics;
  r.cached = res.cached;
  r.error = res.error;
  r.output = res.state === 'done' || res.state === 'partial' ? path.join(outDir, res.name) : null;
  if (res.state === 'done') r.fraction = 1;
}
