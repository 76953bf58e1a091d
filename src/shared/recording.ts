// Recording metadata as every host and the renderer see it.

export type FormatId = 'raw' | 'openephys' | 'spikeglx' | 'nwb' | 'blech' | 'edf' | 'bdf'
  | 'brainvision' | 'intan';

export interface ChannelInfo {
  name: string;
  /** Channel group (shank, tetrode, EEG): common referencing and export group by this. */
  group: string;
  /** Physical unit after scaling; always 'uV' for electrophysiology channels. */
  unit: string;
  /** Multiply a raw sample by this to get uV (1 for float sources already in uV). */
  scale: number;
  /** 'ephys' for data channels, 'stim' for trigger / status channels. */
  kind: 'ephys' | 'stim';
}

export interface EventMark {
  /** Sample index (0-based) of the onset. */
  sample: number;
  /** Duration in samples (0 for point events). */
  duration: number;
  /** Marker type / annotation text, e.g. 'Response/R128' or 'Volume'. */
  label: string;
}

export interface RecordingMeta {
  path: string;
  format: FormatId;
  channels: ChannelInfo[];
  sampleRate: number;
  nSamples: number;
  events: EventMark[];
  /** Free-form notes from the reader (e.g. which ElectricalSeries was chosen). */
  notes?: string[];
}

/** How a worker re-opens a recording by itself. */
export interface SourceRef {
  path: string;
  open?: OpenOptions;
}

export interface OpenOptions {
  /** Override the content-based format detection. */
  format?: FormatId;
  /** Raw binary: number of interleaved channels. */
  channels?: number;
  /** Raw binary: sampling rate in Hz. */
  rate?: number;
  /** Raw binary: sample type. */
  dtype?: 'int16' | 'uint16' | 'float32';
  /** Raw binary: uV per bit. */
  gain?: number;
  /** Raw binary: header bytes to skip. */
  offset?: number;
  /** NWB: which ElectricalSeries (path inside the file). */
  series?: string;
}

export function durationSeconds(meta: RecordingMeta): number {
  return meta.nSamples / meta.sampleRate;
}
