// Recording metadata as every host and the renderer see it.

import type * as v from 'valibot';
import type { FORMAT_IDS, OpenOptionsSchema } from './schema/params-schema';

export type FormatId = (typeof FORMAT_IDS)[number];

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
  /** 'zero' when the recording was opened reading NaN/Inf samples as 0 (absent: such a sample fails its channel). */
  nonFinite?: 'zero';
}

/** How a worker re-opens a recording by itself. */
export interface SourceRef {
  path: string;
  open?: OpenOptions;
}

/** How to open a recording (format override, raw-binary layout, NWB series); bounds in the schema. */
export type OpenOptions = v.InferOutput<typeof OpenOptionsSchema>;

export function durationSeconds(meta: RecordingMeta): number {
  return meta.nSamples / meta.sampleRate;
}

/** Marker labels scanners and amplifiers commonly use for slice/volume triggers. */
export const SCANNER_LABEL = /R128|R\s*1\b|volume|slice|scanner|\bTR\b|^T\s*1$/i;

/**
 * The most frequent scanner-like marker label and its count (at least 3 such markers), or null: how
 * the correction's automatic trigger source finds the scan, and what the time-frequency tab checks
 * before suggesting the corrected signal.
 */
export function scannerMarkers(events: EventMark[]): { label: string; count: number } | null {
  const counts = new Map<string, number>();
  for (const e of events) if (SCANNER_LABEL.test(e.label)) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] >= 3 ? { label: best[0], count: best[1] } : null;
}
