// The backend service contract, declared once. Main implements it (src/main/backend.ts),
// hosts expose it over comlink, the renderer wraps it (src/renderer/api/).

import type { ErrorInfo } from './errors';
import type { CorrectedExportFormat, SortedExportFormat, TfDataFormat, TfExportFormat, TfImageFormat } from './menu';
import type { OpenOptions, RecordingMeta } from './recording';
import type { PipelineSpec } from './params';
import type { RssScope, RunProgress, RunReport, WorkerProgress } from './progress';
import type { ClusterId, CurationAction, Label, UpdateInfo } from './curation';

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
  /** Channels without a result of the requested view (their columns are empty). */
  missing?: number[];
}

/** Peak memory and time of a run in each execution mode (shown beside the mode switch). */
export interface RunEstimateDTO {
  /** A full run's figures per mode (every stage computed). */
  fast: { peakMB: number; seconds: number };
  lowMemory: { peakMB: number; seconds: number };
  /** Share of the run's work already in the cache (0-1) and the stages cached for every channel. */
  cached?: { share: number; stages: string[] };
  /**
   * Whether the times come from this machine (a calibration probe or finished runs of the workflow);
   * false: the benchmark machine's model, which can be several times off here (a run started before
   * the probe finished, a probe that failed, or the time–frequency of raw data before its first run).
   */
  measured?: { fast: boolean; lowMemory: boolean };
}

/** Detected spikes in a time window, for the trace overlay. */
export interface SpikeMarks {
  /** Per requested channel: spike times (s), their current cluster id (-1 unassigned) and the threshold (uV, signed; null = not sorted). */
  times: Float64Array[];
  clusters: Int32Array[];
  thresholdUv: (number | null)[];
  /** Trigger / event times (s) in the window, with their labels. */
  events: { t: number; label: string }[];
}

/** One row of the units table: a current cluster with its label and quality metrics. */
export interface ClusterRow {
  id: ClusterId;
  channel: number;
  channelName: string;
  nSpikes: number;
  label: Label;
  metrics: Record<string, number | null>;
}

export interface SortOverview {
  runId: string;
  /** Channels that have sorted spikes. */
  channels: number[];
  clusters: ClusterRow[];
  canUndo: boolean;
  canRedo: boolean;
  /** Number of journal records replayed when the curation was loaded (0 for a fresh curation). */
  journalRecords: number;
  journalPath: string;
  /** Set when another SpikeDesk curates this session: this one shows it read-only (the message says why). */
  readOnly?: string;
  /** Set when the journal had a damaged line: the steps before it were restored, the rest is reported here. */
  journalWarning?: string;
}

/** A capped, deterministic subset of a channel's feature matrix for the scatter plots. */
export interface FeatureSet {
  channel: number;
  nFeat: number;
  featureNames: string[];
  /** Rows shown (row-major, shown x nFeat), their channel-local spike index and current cluster id. */
  features: Float32Array;
  spikeIndex: Int32Array;
  clusters: Int32Array;
  /** Spikes on the channel (the "M" of "showing N of M"). */
  total: number;
}

export interface UnitDetail {
  id: ClusterId;
  channel: number;
  nSpikes: number;
  sampleRate: number;
  /** Waveform axis: samples before the peak, total width. */
  pre: number;
  width: number;
  mean: Float32Array;
  sd: Float32Array;
  /** Sampled single waveforms, row-major (nSample x width). */
  samples: Float32Array;
  isi: { binMs: number; counts: Int32Array; refractoryMs: number; violationFraction: number };
  acg: { lagsMs: Float64Array; counts: Int32Array };
  time: { startS: Float64Array; rateHz: Float64Array; ampMean: Float64Array };
  /** Amplitude of each spike (uV) and its time (s), capped for display. */
  ampT: Float32Array;
  amp: Float32Array;
}

/** Another unit of the same channel compared with a selected one (merge candidates, most similar first). */
export interface SimilarUnit {
  id: ClusterId;
  nSpikes: number;
  /** Cosine similarity of the mean waveforms (1 = the same shape, whatever the amplitude). */
  similarity: number;
}

export interface CorrelogramDTO { a: ClusterId; b: ClusterId; lagsMs: Float64Array; counts: Int32Array }

export interface TfViewRequest {
  /** A channel index, or the name of a region of interest of the run. */
  target: { kind: 'channel'; channel: number } | { kind: 'roi'; name: string };
  /** Display columns: power is averaged over bins of output samples (at most this many). */
  maxTimes: number;
}

export interface TfView {
  freqs: number[];
  /** Bin centres, seconds. */
  times: Float64Array;
  /** freqs x times, row-major, mean power per bin. */
  power: Float32Array;
  /** Power unit (recording unit squared). */
  unit: string;
  channels: { index: number; name: string }[];
  rois: { name: string; channels: string[] }[];
  /** Band-power series of this target (from the tf-band stage), in its own time base. */
  bands: { name: string; lo: number; hi: number; times: Float64Array; values: Float64Array; unit: string }[];
  /** What was analysed: the raw channels or the channels after gradient-artifact correction. */
  signal: 'raw' | 'corrected';
  runId: string;
}

export interface CorrectionView {
  runId: string;
  channel: number;
  channelName: string;
  sampleRate: number;
  /** Trigger samples of the acquisition (slice or volume) and where they came from. */
  triggers: Int32Array;
  triggerSource: string;
  /** Epoch length in samples (median trigger spacing) and the averaged epoch before and after correction (uV). */
  epochLength: number;
  templateBefore: Float32Array;
  templateAfter: Float32Array;
  /** Welch power spectra (dB re 1 uV^2/Hz) up to maxHz, before and after. */
  freqs: Float32Array;
  psdBefore: Float32Array;
  psdAfter: Float32Array;
  /** Slice (trigger) frequency and the harmonics marked on the spectrum. */
  sliceHz: number;
  harmonicsHz: number[];
  /** Metrics: name -> value (run-wide from the run summary, and for this channel). */
  metrics: { name: string; value: number | string; note?: string }[];
  /** What trigger completion changed before the correction (null for a run cached before the report existed). */
  triggerReport: TriggerReport | null;
  /** How the artifact template was chosen (spline engine; null for the upsampled engine or an older run). */
  model: CorrectionModel | null;
}

/** The spline engine's choices, as the triggers stage reported them (plain sentences). */
export interface CorrectionModel {
  /** The template model chosen from held-out error, and every candidate's error relative to the best. */
  template: string;
  candidates: string;
  /** The cross-channel low-rank decision and the cross-channel low band of the all-epoch template. */
  crossChannel: string | null;
  lowBand: string | null;
  /** The slice timing model: residual onset SD and the onset refinement's passes. */
  timing: string | null;
}

/** Trigger completion report: samples of the triggers added (template match in a gap), removed as
 * spurious, and expected but left unfilled; lists capped, counts complete. */
export interface TriggerReport {
  found: number;
  used: number;
  added: number[];
  removed: number[];
  unresolved: number[];
  addedCount: number;
  removedCount: number;
  volumes: number;
  slicesPerVolume: number;
  warnings: string[];
}

export type BackendEvent =
  | { type: 'progress'; progress: RunProgress }
  | { type: 'run-finished'; report: RunReport }
  | { type: 'run-error'; runId: string; error: ErrorInfo }
  /** Long work outside runs (e.g. "Preparing demo..." on first start), fraction 0..1. */
  | { type: 'status'; message: string; fraction: number }
  /** The batch changed (a recording's state or progress, throttled); the whole status, it is small. */
  | { type: 'batch'; status: BatchStatus };

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
  /**
   * The open recording again, with its open options (raw format, NWB series) and this change: how
   * NaN/Inf samples are read ('zero' after a channel failed on one). Results of the other setting
   * are cached apart (the options are part of the source's identity).
   */
  reopenRecording(change: { nonFinite: 'error' | 'zero' }): Promise<RecordingMeta>;
  listChannels(): Promise<RecordingMeta['channels']>;
  getTraces(req: TraceRequest): Promise<TraceBlock>;
  /** Starts a run and resolves with its id at once; progress and the report arrive as events. */
  runPipeline(spec: PipelineSpec): Promise<string>;
  cancel(runId: string): Promise<void>;
  setPoolSize(n: number): Promise<number>;

  // ---- workbench (src/main/backend-workbench.ts) ----
  /** Memory and time of a run in both modes, before starting it. */
  estimate(spec: PipelineSpec): Promise<RunEstimateDTO>;
  /** Parameters of the last run of each workflow on this recording (to pre-fill the form). */
  lastParams(): Promise<Partial<Record<PipelineSpec['workflow'], unknown>>>;
  getSpikeMarks(req: { channels: number[]; startS: number; endS: number }): Promise<SpikeMarks>;
  /** The latest sort with its curation applied (loads the journal), or null when nothing was sorted. */
  getSortOverview(): Promise<SortOverview | null>;
  getFeatures(channel: number, maxPoints: number): Promise<FeatureSet>;
  getUnitDetail(id: ClusterId): Promise<UnitDetail>;
  getCrossCorrelogram(a: ClusterId, b: ClusterId): Promise<CorrelogramDTO>;
  /** The other units of the unit's channel, most similar first (cosine similarity of the mean waveforms). */
  getSimilarUnits(id: ClusterId): Promise<SimilarUnit[]>;
  /** A unit's mean waveform (width samples, trough at pre as in UnitDetail): the second unit drawn over the first. */
  getMeanWaveform(id: ClusterId): Promise<Float32Array>;
  /** Apply a curation action (journaled before it changes anything); recluster runs the GMM on a worker. */
  curate(action: CurationAction, selection?: ClusterId[]): Promise<UpdateInfo>;
  undo(): Promise<UpdateInfo | null>;
  redo(): Promise<UpdateInfo | null>;
  /** Before/after views of the latest correction run for one channel, or null when nothing was corrected. */
  getCorrectionView(channel: number): Promise<CorrectionView | null>;
  /** The latest time-frequency run for one channel or region of interest, binned to at most maxTimes columns; null when none. */
  getTfView(req: TfViewRequest): Promise<TfView | null>;
  /** Session folder, default export paths and the recent-files list (File menu). */
  sessionInfo(): Promise<SessionInfo>;
  /** Export the curated sort; OUTPUT_EXISTS unless overwrite (the user confirmed). */
  exportSorted(format: SortedExportFormat, path: string, overwrite: boolean): Promise<ExportSummary>;
  /** Export the latest time-frequency run (NWB DecompositionSeries, or the npy/TSV folder of `spikedesk tf`). */
  exportTf(format: TfDataFormat, path: string, overwrite: boolean): Promise<ExportSummary>;
  /**
   * Save the spectrogram the page has drawn (plotly's toImage data URL: base64 PNG or URL-encoded
   * SVG) to an allowed .png / .svg path, crash-safe, never replacing a file unless `overwrite`.
   */
  exportTfImage(format: TfImageFormat, path: string, overwrite: boolean, image: string): Promise<ExportSummary>;
  /** Export the corrected channels of the last correction run. */
  exportCorrected(format: CorrectedExportFormat, path: string, overwrite: boolean): Promise<ExportSummary>;

  // ---- first hour: versions of a curated sort, raw binary open dialog ----
  /** Keep the current curated sort as a named version (before a re-run replaces it); null when nothing is sorted. */
  keepSortVersion(name?: string): Promise<SortVersionInfo | null>;
  listSortVersions(): Promise<SortVersionInfo[]>;
  /** Label the current sort's units that match a kept version's labelled units by spike overlap (journaled). */
  carryLabels(version: string): Promise<CarryReport>;
  /**
   * Reopen a kept version by name (no path): its sort result becomes current again with its curation
   * journal (undo history included); the result shown before is kept as a version first.
   */
  restoreSortVersion(version: string): Promise<RestoreReport>;
  /** Size, remembered format and size-based guesses of a raw binary file (nothing is opened). */
  probeRaw(path: string): Promise<RawProbe>;
  /** The first samples of a raw binary file read with the given format. */
  previewRaw(path: string, format: RawFormat, nSamples: number): Promise<RawPreview>;

  // ---- batch panel (src/main/backend-batch.ts): many recordings on the local executor ----
  /** Start a batch (one at a time); resolves with its first status, updates arrive as 'batch' events. */
  startBatch(req: BatchRequest): Promise<BatchStatus>;
  /** Cancel one recording of the running batch (by its name), or the whole batch. */
  cancelBatch(name?: string): Promise<void>;
  /** The running or last batch, or null when none ran in this session. */
  batchStatus(): Promise<BatchStatus | null>;
  /** Export the units of every finished recording of the last sort batch into DIR/<recording>[.ext]. */
  exportBatch(format: SortedExportFormat, dir: string, overwrite: boolean): Promise<BatchExportSummary>;
}

/** What the batch panel starts: the CLI's `spikedesk batch` options. */
export interface BatchRequest {
  /** Recording files, folders (their recordings) or manifest .tsv files; each checked against the allow-list. */
  inputs: string[];
  /** Workflow, parameters and execution mode (as a run; channel selection is not used). */
  spec: Exclude<PipelineSpec, { workflow: 'filter' }>;
  /** Serial (inline, no worker), parallel (workers) or auto (by the measured crossover). */
  parallel: 'auto' | 'serial' | 'parallel';
  /** Output folder: one folder per recording, batch.tsv and batch.json. */
  outDir: string;
  /** Raw binary format for inputs that have none of their own (manifest rows carry theirs). */
  open?: OpenOptions;
  /** Sort: label the written units good / mua by the quality rule (the CLI's --label-rule). */
  labelRule?: boolean;
  /** Time-frequency: each recording's decim from its sample rate (8x the top frequency; the CLI's --decim auto). */
  autoDecim?: boolean;
}

export type BatchRecordingState = 'queued' | 'running' | 'done' | 'partial' | 'failed' | 'cancelled';

export interface BatchRow {
  name: string;
  path: string;
  /** Options it opens with (raw binaries), to open it in the workbench. */
  open: OpenOptions;
  state: BatchRecordingState;
  /** Channels done / total of its run, 0..1. */
  fraction: number;
  wallS: number | null;
  units: number | null;
  spikes: number | null;
  metrics: Record<string, number>;
  cached: boolean;
  error: string | null;
  /** Its output folder (done or partial). */
  output: string | null;
}

export interface BatchStatus {
  id: string;
  workflow: 'sort' | 'correct' | 'tf';
  outDir: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  rows: BatchRow[];
  /** Busy workers of all running recordings (the batch's own pool). */
  workers: WorkerProgress[];
  /** What the workers' memory figures measure (as RunProgress.rssScope), once a recording reported. */
  rssScope?: RssScope;
  /** Serial or parallel, and why (auto resolved); null until decided. */
  execution: string | null;
  wallS: number | null;
  warnings: string[];
  /** Why the whole batch failed (bad inputs, output folder), when it did. */
  error: ErrorInfo | null;
}

export interface BatchExportSummary {
  format: SortedExportFormat;
  dir: string;
  exported: { name: string; path: string; units: number; spikes: number }[];
  /** Finished recordings that could not be exported, with the reason. */
  failed: { name: string; error: string }[];
}

/** A curated sort kept under a name (before a re-run replaced it). */
export interface SortVersionInfo { name: string; runId: string; createdAt: string; units: number; labelled: number; journalRecords: number }

/** A label carried from a kept version's unit to a unit of the current sort. */
export interface LabelMatch { id: ClusterId; label: Label; from: ClusterId; overlap: number }

/** A kept version reopened, and the version the result shown before it was kept as. */
export interface RestoreReport { restored: SortVersionInfo; kept: SortVersionInfo | null }

export interface CarryReport { version: string; carried: LabelMatch[]; update: UpdateInfo | null }

/** A raw binary file before it is opened: its size, the format remembered for it, guesses from the size. */
export interface RawProbe {
  path: string;
  sizeBytes: number;
  remembered: RawFormat | null;
  guesses: (RawFormat & { durationS: number })[];
}

export interface RawFormat { channels: number; rate: number; dtype: 'int16' | 'uint16' | 'float32'; gain: number; offset: number }

/** The first samples of a raw file read with a candidate format (uV), for the open dialog's preview. */
export interface RawPreview { channels: number; nSamples: number; sampleRate: number; data: Float32Array[]; note: string | null }

export interface SessionInfo {
  recording: string | null;
  sessionDir: string | null;
  defaultExportPaths: Partial<Record<SortedExportFormat | CorrectedExportFormat | TfExportFormat, string>>;
  recent: string[];
}

export interface ExportSummary {
  format: SortedExportFormat | CorrectedExportFormat | TfExportFormat;
  path: string;
  files: string[];
  units: number;
  spikes: number;
  /** Corrected exports: number of channels written. */
  channels?: number;
}

/**
 * Events travel on the same port/socket as comlink but carry no comlink id, so comlink ignores
 * them; the renderer picks them out by this key.
 */
export interface EventMessage { spikedeskEvent: BackendEvent }

export function isEventMessage(x: unknown): x is EventMessage {
  return typeof x === 'object' && x !== null && 'spikedeskEvent' in x;
}
