// The backend service: implements BackendApi (src/shared/api.ts) on plain Node. Every host
// (Electron, web, tests) exposes this one object over comlink. Inputs are validated here, at
// the boundary: paths against the allow-list, channel indices, windows, pipeline parameters.

import os from 'node:os';
import type {
  BackendApi, BackendEvent, BackendInfo, CorrectionView, TfView, TfViewRequest, CorrelogramDTO, FeatureSet, SimilarUnit, RunEstimateDTO, SortOverview, SpikeMarks,
  TraceBlock, TraceRequest, UnitDetail, SessionInfo, ExportSummary, CarryReport, RawFormat, RawPreview, RawProbe, SortVersionInfo, RestoreReport,
  BatchExportSummary, BatchRequest, BatchStatus,
} from '../shared/api';
import { BatchService } from './backend-batch';
import type { ProcessHost } from './pool/process-host';
import type { CorrectedExportFormat, SortedExportFormat, TfDataFormat, TfImageFormat } from '../shared/menu';
import { CORRECTED_FORMATS, SORTED_FORMATS, TF_FORMATS } from '../shared/menu';
import { defaultExportPath, exportCorrectedRecording, exportSortedUnits } from './backend-export';
import type { RecentFiles } from './session/recent';
import type { ClusterId, CurationAction, UpdateInfo } from '../shared/curation';
import { SpikeDeskError, toErrorInfo } from '../shared/errors';
import type { OpenOptions, RecordingMeta } from '../shared/recording';
import { validateSpec, type PipelineSpec } from '../shared/params';
import { openSource } from './io';
import type { Source } from './io/source';
import type { Pool } from './pool/pool';
import type { Engine } from './pipeline/engine';
import type { PathAllowList } from './security/path-allow-list';
import { ensureDemoOnPool } from './demo';
import { checkChannels, pooledTraces } from './backend-traces';
import { correctionView } from './backend-correction';
import { exportTfResult, tfView } from './backend-tf';
import { writeTfImage } from './export/tf-image';
import { latestSortRunId, SortSession } from './session/workbench';
import { ensureParentFolder } from './io/writable';
import { checkRawFormat, previewRaw, probeRaw, rawOpenOptions, rememberedFormat, rememberFormat } from './backend-raw';
import { looksRawByName } from './io/raw/raw';
import { keepVersion, listVersions, matchLabels, readVersion, restoreJournal } from './session/sort-versions';
import { loadSortResult } from './pipeline/sort-result';
import { readSession, recordRestore } from './pipeline/session-store';
import type { Calibration } from './pipeline/calibration';

export interface BackendDeps {
  host: BackendInfo['host'];
  version: string;
  pool: Pool;
  engine: Engine;
  allow: PathAllowList;
  /** Folder holding the generated demo recordings. */
  demoDir: string;
  emit: (e: BackendEvent) => void;
  /** Recently opened recordings (user-chosen paths, persisted). */
  recent?: RecentFiles;
  /** Opened when the UI asks for no file in particular (the host was started with this file). */
  startFile?: string;
  /** Estimates measured on this machine (probe + finished runs); without it, the benchmark figures. */
  calibration?: Calibration;
  /** How the batch panel's own worker pool is made (the host's process kind and worker entry); without it, no batches. */
  batch?: { processHost: ProcessHost; workerEntry: string };
}

export class Backend implements BackendApi {
  private source: Source | null = null;
  private openOptions: OpenOptions | undefined;
  private sort: SortSession | null = null;
  private batches: BatchService | null = null;
  /** Demo generations under way: a second openDemo (e.g. after a page reload) waits for the same one. */
  private demoJobs = new Map<'spikes' | 'eeg', Promise<string>>();
  /** Number of the latest open request: an open that finishes after a later one was asked for is dropped. */
  private openSeq = 0;
  /** Calibration probe runs under way (cancelled when the user starts a run: they would compete for the workers). */
  private probeRuns = new Set<string>();
  /** User runs under way: no probe starts meanwhile (the estimate is measured after the run instead). */
  private userRuns = 0;

  constructor(private deps: BackendDeps) {
    deps.allow.allowRoot(deps.demoDir);
    if (deps.batch) this.batches = new BatchService({ allow: deps.allow, engine: deps.engine, emit: deps.emit, ...deps.batch });
  }

  async info(): Promise<BackendInfo> {
    return { version: this.deps.version, host: this.deps.host, cores: os.availableParallelism?.() ?? os.cpus().length, poolSize: this.deps.pool.size };
  }

  async openRecording(path?: string, options?: OpenOptions): Promise<RecordingMeta> {
    if (path === undefined || path === '') return this.deps.startFile ? this.openRecording(this.deps.startFile, options) : this.openDemo('spikes');
    return this.openAt(++this.openSeq, path, options);
  }

  /** Open `path` for the open request number `seq`; a later request wins even when it finishes first. */
  private async openAt(seq: number, path: string, options?: OpenOptions): Promise<RecordingMeta> {
    const checked = this.deps.allow.check(path);
    // A raw binary has no header: without a format from the caller, use the one remembered for the file.
    const rawAsked = options?.format === 'raw' || (options?.format === undefined && looksRawByName(checked));
    if (rawAsked && (options?.channels === undefined || options?.rate === undefined)) {
      const known = rememberedFormat(checked);
      if (known) options = { ...rawOpenOptions(known), ...options };
    }
    const src = await openSource(checked, options);
    if (seq !== this.openSeq) {
      src.close();
      throw new SpikeDeskError({ code: 'CANCELLED', file: checked, message: 'a later open replaced this one', fix: 'nothing to do: the recording opened last is shown' });
    }
    if (src.meta.format === 'raw' && options) {
      const f = { channels: options.channels, rate: options.rate, dtype: options.dtype ?? 'int16', gain: options.gain ?? 1, offset: options.offset ?? 0 };
      rememberFormat(checked, checkRawFormat(f));
    }
    this.source?.close();
    this.sort?.close();
    this.sort = null;
    this.source = src;
    this.openOptions = options;
    if (!this.deps.allow.isInsideRoot(checked, this.deps.demoDir)) this.deps.recent?.add(checked);
    return src.meta;
  }

  async reopenRecording(change: { nonFinite: 'error' | 'zero' }): Promise<RecordingMeta> {
    const { meta } = this.current();
    if (change?.nonFinite !== 'error' && change?.nonFinite !== 'zero') {
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `nonFinite must be 'error' or 'zero' (got ${String(change?.nonFinite)})`, fix: "use 'zero' to read NaN/Inf samples as 0" });
    }
    // 'error' is the default: left out, so the cache key is the one of an open without the option.
    const { nonFinite: _old, ...rest } = this.openOptions ?? {};
    return this.openAt(++this.openSeq, meta.path, change.nonFinite === 'zero' ? { ...rest, nonFinite: 'zero' } : rest);
  }

  async openDemo(kind: 'spikes' | 'eeg'): Promise<RecordingMeta> {
    if (kind !== 'spikes' && kind !== 'eeg') throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `unknown demo "${String(kind)}"`, fix: "use 'spikes' or 'eeg'" });
    const seq = ++this.openSeq;
    const message = kind === 'spikes' ? 'Preparing the spike demo (first start only)…' : 'Preparing the EEG-fMRI demo (first start only)…';
    let job = this.demoJobs.get(kind);
    if (!job) {
      let last = -1;
      job = ensureDemoOnPool(this.deps.pool, kind, this.deps.demoDir, (f) => {
        const pct = Math.floor(f * 100);
        if (pct !== last) { last = pct; this.deps.emit({ type: 'status', message, fraction: f }); }
      }).finally(() => {
        this.demoJobs.delete(kind);
        if (last >= 0) this.deps.emit({ type: 'status', message: '', fraction: 1 });
      });
      this.demoJobs.set(kind, job);
    }
    const file = await job;
    if (seq !== this.openSeq) throw new SpikeDeskError({ code: 'CANCELLED', message: 'a later open replaced this one', fix: 'nothing to do: the recording opened last is shown' });
    return this.openAt(seq, file);
  }

  async listChannels(): Promise<RecordingMeta['channels']> {
    return this.current().meta.channels;
  }

  async getTraces(req: TraceRequest): Promise<TraceBlock> {
    const src = this.current();
    return pooledTraces(this.deps.pool, src.meta, { path: src.meta.path, open: this.openOptions }, this.sessionDir(), req);
  }

  async runPipeline(spec: PipelineSpec): Promise<string> {
    const src = this.current();
    spec = validateSpec(spec, { sampleRate: src.meta.sampleRate, nChannels: src.meta.channels.length });
    // A calibration probe still measuring would compete with this run for the workers (and measure
    // the contention): it stops, and the estimate is measured from this run instead.
    for (const id of this.probeRuns) this.deps.engine.cancel(id);
    const { runId, done } = this.deps.engine.start(spec, { path: src.meta.path, open: this.openOptions }, src.meta,
      (progress) => this.deps.emit({ type: 'progress', progress }));
    this.userRuns++;
    void done.finally(() => { this.userRuns--; }).catch(() => undefined);
    done.then(
      (report) => { this.deps.calibration?.learn(spec, src.meta, report); this.deps.emit({ type: 'run-finished', report }); },
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

  async estimate(spec: PipelineSpec): Promise<RunEstimateDTO> {
    const src = this.current();
    spec = validateSpec(spec, { sampleRate: src.meta.sampleRate, nChannels: src.meta.channels.length });
    const cached = this.deps.engine.cachePreview(spec, { path: src.meta.path, open: this.openOptions }, src.meta);
    const est = await this.fullEstimate(spec, src);
    return { ...est, cached, measured: est.measured ?? { fast: false, lowMemory: false } };
  }

  /** A full run's estimate per mode (the calibration probe runs first when this shape is new here). */
  private async fullEstimate(spec: PipelineSpec, src: Source): Promise<RunEstimateDTO> {
    const cal = this.deps.calibration;
    if (!cal) return this.deps.engine.estimate(spec, src.meta);
    // First estimate of this workflow shape on this machine: the workflow runs on short slices of
    // this recording (then cached). The probe needs as many workers as the run will have.
    // While a run is under way no probe starts (it would slow the run and measure the contention);
    // the run's own time calibrates this shape when it finishes.
    if (this.userRuns > 0) return cal.estimate(spec, src.meta);
    // Time-frequency of the raw signal: no probe. Its cost per sample and frequency is modelled from
    // the parameters (workflows.ts, measured on the chunk kernel), and each change of the tab's form is
    // a new shape (frequencies, cycles, decim): a probe per keystroke would keep the workers busy. Its
    // runs calibrate it. With a correction first, the correction's data-dependent cost is probed.
    if (spec.workflow === 'tf' && !spec.params.correction) return cal.estimate(spec, src.meta);
    const parallel = Math.min(spec.mode.kind === 'fast' ? spec.mode.jobs : 1, os.availableParallelism?.() ?? os.cpus().length);
    if (this.deps.pool.size < parallel) await this.deps.pool.resize(parallel);
    await cal.ensure(spec, src, (s, ref, meta) => {
      // A run started while the probe was writing its next slice: the probe stops there.
      if (this.userRuns > 0) return Promise.reject(new SpikeDeskError({ code: 'CANCELLED', message: 'a run started during the calibration probe', fix: 'nothing to do: the run calibrates the estimate' }));
      const probe = this.deps.engine.start(s, ref, meta, () => undefined);
      this.probeRuns.add(probe.runId);
      return probe.done.finally(() => this.probeRuns.delete(probe.runId));
    });
    return cal.estimate(spec, src.meta);
  }

  async lastParams(): Promise<Partial<Record<PipelineSpec['workflow'], unknown>>> {
    return readSession(this.sessionDir())?.params ?? {};
  }

  async getSpikeMarks(req: { channels: number[]; startS: number; endS: number }): Promise<SpikeMarks> {
    const { meta } = this.current();
    const channels = checkChannels(req?.channels, meta.channels.length);
    const fs = meta.sampleRate;
    const start = Math.max(0, Math.floor(Number(req.startS) * fs)), end = Math.min(meta.nSamples, Math.ceil(Number(req.endS) * fs));
    if (!(end > start)) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'empty time window', fix: 'ask for a window with end > start' });
    const events = meta.events.filter((e) => e.sample >= start && e.sample < end).slice(0, 2000).map((e) => ({ t: e.sample / fs, label: e.label }));
    const sort = this.sortSession(false);
    const m = sort ? sort.marks(channels, start, end)
      : { times: channels.map(() => new Float64Array(0)), clusters: channels.map(() => new Int32Array(0)), thresholdUv: channels.map(() => null) };
    return { ...m, events };
  }

  async getSortOverview(): Promise<SortOverview | null> {
    return this.sortSession(false)?.overview() ?? null;
  }

  async getFeatures(channel: number, maxPoints: number): Promise<FeatureSet> {
    return this.sortSession(true)!.features(channel, maxPoints);
  }

  async getUnitDetail(id: ClusterId): Promise<UnitDetail> {
    return this.sortSession(true)!.unitDetail(id);
  }

  async getCrossCorrelogram(a: ClusterId, b: ClusterId): Promise<CorrelogramDTO> {
    return this.sortSession(true)!.crossCorrelogram(a, b);
  }

  async getSimilarUnits(id: ClusterId): Promise<SimilarUnit[]> {
    return this.sortSession(true)!.similarUnits(id);
  }

  async getMeanWaveform(id: ClusterId): Promise<Float32Array> {
    return this.sortSession(true)!.meanWaveform(id);
  }

  async curate(action: CurationAction, selection?: ClusterId[]): Promise<UpdateInfo> {
    return this.sortSession(true)!.curate(action, selection, (X, n, d, k, seed) => this.deps.pool.run((api) => api.gmmSplit(X, n, d, k, seed)));
  }

  async undo(): Promise<UpdateInfo | null> { return this.sortSession(true)!.undo(); }
  async redo(): Promise<UpdateInfo | null> { return this.sortSession(true)!.redo(); }

  async getTfView(req: TfViewRequest): Promise<TfView | null> {
    this.current();
    return tfView(this.sessionDir(), req);
  }

  async getCorrectionView(channel: number): Promise<CorrectionView | null> {
    return correctionView(this.current(), this.sessionDir(), channel);
  }

  async sessionInfo(): Promise<SessionInfo> {
    const recent = this.deps.recent?.list() ?? [];
    if (!this.source) return { recording: null, sessionDir: null, defaultExportPaths: {}, recent };
    const dir = this.sessionDir();
    this.deps.allow.allowRoot(dir);
    const defaultExportPaths: SessionInfo['defaultExportPaths'] = {};
    for (const f of [...SORTED_FORMATS, ...CORRECTED_FORMATS, ...TF_FORMATS]) defaultExportPaths[f.format] = defaultExportPath(dir, this.source.meta.path, f.format);
    return { recording: this.source.meta.path, sessionDir: dir, defaultExportPaths, recent };
  }

  async exportSorted(format: SortedExportFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
    if (!SORTED_FORMATS.some((f) => f.format === format)) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `unknown export format "${String(format)}"`, fix: 'use phy, nwb, blech or csv' });
    this.deps.allow.allowRoot(this.sessionDir());
    const target = this.exportTarget(out);
    return exportSortedUnits(this.sortSession(true)!, format, target, overwrite === true);
  }

  async exportTf(format: TfDataFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
    if (format !== 'tf-nwb' && format !== 'tf-npy') throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `unknown export format "${String(format)}"`, fix: 'use tf-nwb or tf-npy (images go through exportTfImage)' });
    const src = this.current();
    this.deps.allow.allowRoot(this.sessionDir());
    const target = this.deps.allow.check(out);
    return exportTfResult(this.sessionDir(), src.meta.path, format, target, overwrite === true);
  }

  async exportTfImage(format: TfImageFormat, out: string, overwrite: boolean, image: string): Promise<ExportSummary> {
    this.current();
    this.deps.allow.allowRoot(this.sessionDir());
    return writeTfImage(format, this.exportTarget(out), overwrite === true, image);
  }

  async exportCorrected(format: CorrectedExportFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
    if (!CORRECTED_FORMATS.some((f) => f.format === format)) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `unknown export format "${String(format)}"`, fix: 'use edf or brainvision' });
    const src = this.current();
    this.deps.allow.allowRoot(this.sessionDir());
    const target = this.exportTarget(out);
    const corrected = this.deps.engine.resultSource(src.meta.path, 'corrected');
    try {
      return await exportCorrectedRecording(corrected, readSession(this.sessionDir())?.params.correct ?? null, format, target, overwrite === true);
    } finally {
      corrected?.close();
    }
  }

  async keepSortVersion(name?: string): Promise<SortVersionInfo | null> {
    if (name !== undefined && typeof name !== 'string') throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'the version name must be text', fix: 'give a name or none' });
    const sort = this.sortSession(false);
    return sort ? keepVersion(this.sessionDir(), sort.curatedView(), new Date(), name) : null;
  }

  async listSortVersions(): Promise<SortVersionInfo[]> {
    return listVersions(this.sessionDir());
  }

  async carryLabels(version: string): Promise<CarryReport> {
    if (typeof version !== 'string') throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'the version name must be text', fix: 'give the name of a kept version' });
    const old = readVersion(this.sessionDir(), version);
    const sort = this.sortSession(true)!;
    if (sort.runId === old.runId) return { version, carried: [], update: null };
    const current = sort.curatedView().units.filter((u) => u.label === 'unsorted');
    // Spikes of the same unit land within half a millisecond of each other across sorts.
    const carried = matchLabels(old.units, current, Math.max(1, Math.round(this.current().meta.sampleRate * 0.0005)));
    // One undoable step for all of them.
    const labels = carried.filter((m) => m.label !== 'unsorted').map((m) => ({ id: m.id, label: m.label }));
    const update = labels.length ? await this.curate({ kind: 'labels', labels }) : null;
    return { version, carried, update };
  }

  async restoreSortVersion(version: string): Promise<RestoreReport> {
    if (typeof version !== 'string') throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'the version name must be text', fix: 'give the name of a kept version' });
    const dir = this.sessionDir();
    const old = readVersion(dir, version);
    const current = this.sortSession(false);
    if (current?.readOnly) throw new SpikeDeskError({ code: 'SESSION_LOCKED', message: current.readOnly, fix: 'close the other SpikeDesk window, then reopen the version' });
    // Its sort result must still be readable before anything changes.
    try {
      loadSortResult(dir, old.runId);
    } catch {
      throw new SpikeDeskError({ code: 'NOT_FOUND', message: `the sort result of version "${version}" is no longer in this recording's session`,
        fix: 'apply its labels to the current sort instead (Apply labels)' });
    }
    // Keep what is shown now, so this reopen is undone by reopening that version.
    const kept = current ? keepVersion(dir, current.curatedView(), new Date()) : null;
    current?.close();
    this.sort = null;
    restoreJournal(dir, old.name);
    recordRestore(dir, old.runId, old.name);
    this.sortSession(true);
    return { restored: listVersions(dir).find((v) => v.name === old.name)!, kept };
  }

  async probeRaw(path: string): Promise<RawProbe> {
    return probeRaw(this.deps.allow.check(path));
  }

  async previewRaw(path: string, format: RawFormat, nSamples: number): Promise<RawPreview> {
    return previewRaw(this.deps.allow.check(path), checkRawFormat(format), nSamples);
  }

  async startBatch(req: BatchRequest): Promise<BatchStatus> { return this.batchService().start(req); }
  async cancelBatch(name?: string): Promise<void> { return this.batchService().cancel(name); }
  async batchStatus(): Promise<BatchStatus | null> { return this.batches ? this.batches.current() : null; }
  async exportBatch(format: SortedExportFormat, dir: string, overwrite: boolean): Promise<BatchExportSummary> {
    return this.batchService().exportAll(format, dir, overwrite === true);
  }

  private batchService(): BatchService {
    if (!this.batches) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'this host runs no batches', fix: 'use the desktop app, the web host or `spikedesk batch`' });
    return this.batches;
  }

  /** An allowed export path whose missing parent folders (inside allowed roots only) now exist. */
  private exportTarget(out: unknown): string {
    const target = this.deps.allow.check(out);
    ensureParentFolder(target, (dir) => this.deps.allow.isAllowed(dir));
    return target;
  }

  dispose(): void {
    this.batches?.dispose();
    this.sort?.close();
    this.sort = null;
    this.source?.close();
    this.source = null;
  }

  private sessionDir(): string {
    return this.deps.engine.sessionDir(this.current().meta.path);
  }

  /** The curation session of the latest sort, reloaded when a newer sort has finished. */
  private sortSession(required: boolean): SortSession | null {
    const dir = this.sessionDir();
    const latest = latestSortRunId(dir);
    if (this.sort && this.sort.runId !== latest) { this.sort.close(); this.sort = null; }
    if (!this.sort && latest) this.sort = SortSession.open(dir);
    if (!this.sort && required) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'nothing has been sorted yet', fix: 'run the spike sorting first' });
    return this.sort;
  }

  private current(): Source {
    if (!this.source) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'no recording is open', fix: 'open a recording (or the demo) first' });
    return this.source;
  }
}
