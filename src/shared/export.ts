// The neutral in-memory model of a sorted result that every exporter (Phy, NWB, blech_clust,
// CSV/TSV) takes, whatever it was loaded from (a `spikedesk sort --out` folder, a curated
// session), plus the options and report of an export and the provenance record it carries.

import type { Label } from './curation';
import type { CorrectedExportFormat, SortedExportFormat } from './menu';
import type { FormatId } from './recording';

export type { CorrectedExportFormat, SortedExportFormat } from './menu';

export interface ExportChannel {
  name: string;
  /** Channel group (shank, tetrode): NWB electrode groups and blech electrode numbers follow it. */
  group: string;
}

export interface RecordingInfo {
  /** The recording file (or folder) the units were sorted from. */
  path: string;
  format: FormatId | null;
  sampleRate: number;
  nSamples: number;
  /** Every channel of the recording in file order; ExportUnit.channel indexes this list. */
  channels: ExportChannel[];
  /**
   * Raw binary layout (format 'raw'): sample type and header bytes, for writers that point at the
   * file, and uV per stored count when every channel has the same (the --gain of a raw file).
   */
  raw?: { dtype: 'int16' | 'uint16' | 'float32'; offset: number; uvPerBit?: number };
}

export interface ExportUnit {
  /** Cluster id (curation ids are unique and never reused). */
  id: number;
  /** Index into RecordingInfo.channels of the unit's (peak) channel. */
  channel: number;
  label: Label;
  /** Spike times in samples from the start of the recording, ascending. */
  spikes: Float64Array;
  /** Peak amplitude of each spike in uV (same length as spikes), when known. */
  amplitudes: Float32Array | null;
  /** Mean waveform in uV on the unit's channel, WaveformInfo.width samples. */
  meanWaveform: Float32Array;
  /** Per-spike waveforms (spikes x width, row-major, uV), when the source kept them. */
  waveforms: Float32Array | null;
  /** Per-spike features (spikes x FeatureInfo.names.length, row-major), when known. */
  features: Float32Array | null;
  /** Quality metrics by name (null = not defined for this unit). */
  metrics: Record<string, number | null>;
}

export interface WaveformInfo {
  /** Samples before the aligned peak. */
  pre: number;
  /** Samples from the peak on (pre + post = width). */
  post: number;
}

export interface InputHash {
  algorithm: 'sha256';
  files: { path: string; bytes: number; sha256: string }[];
}

/** Band-passed samples of the sorted channels (uV), for a phy trace file when the source is not raw binary. */
export interface FilteredTraces {
  /** Directory of per-channel float32 files ch0000.f32 ... (the session's filter stage). */
  dir: string;
}

export interface SortedResult {
  recording: RecordingInfo;
  /** Filtered traces of the run, when known (sessions); phy then gets a filtered.dat copy. */
  filtered?: FilteredTraces;
  waveform: WaveformInfo;
  /** Names of the per-spike feature columns (empty when there are none). */
  featureNames: string[];
  units: ExportUnit[];
  /** Method parameters of the run (SortParams for SpikeDesk sorts), or null when unknown. */
  params: unknown;
  /** Records in the curation journal applied to these units (0 = uncurated sorter output). */
  curationJournalLength: number;
  /** sha256 of the input file(s); null when not computed yet (the exporter then hashes). */
  inputHash: InputHash | null;
  /** What the result was read from (for provenance). */
  origin: { kind: 'sort-folder' | 'session' | 'memory'; path: string | null; runId: string | null };
}

export interface ExportOptions {
  /** Replace an existing output; default false (OUTPUT_EXISTS). */
  overwrite?: boolean;
  /** Only export units with these labels (default: every label except 'noise'). */
  labels?: Label[];
  /**
   * NWB / blech: add the units to a copy of the source recording when it is of that format
   * ('auto', the default), or always write a new file ('new').
   */
  container?: 'auto' | 'new';
  /** Hash the input file(s) when the result has no hash yet (default true). */
  hashInput?: boolean;
  /** blech: units whose mean-waveform trough-to-peak time is below this are fast spiking (default 0.4 ms). */
  fastSpikingMaxMs?: number;
  /** Fraction done (0..1) and a stage name; an exception thrown here aborts the export. */
  onProgress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
}

export interface Provenance {
  software: 'SpikeDesk';
  version: string;
  format: SortedExportFormat | CorrectedExportFormat;
  createdAt: string;
  origin: SortedResult['origin'];
  recording: { path: string; format: FormatId | null; sampleRate: number; nSamples: number; nChannels: number };
  inputHash: InputHash | null;
  params: unknown;
  curationJournalLength: number;
  units: number;
  spikes: number;
  labels: Label[];
  notes: string[];
}

export interface ExportReport {
  format: SortedExportFormat | CorrectedExportFormat;
  /** The final output (file or folder). */
  path: string;
  /** Every file written, absolute paths. */
  files: string[];
  units: number;
  spikes: number;
  provenance: Provenance;
}
