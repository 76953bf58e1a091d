// CSV/TSV export: a folder with spikes.tsv (one row per spike: unit, channel, sample, time_s,
// in time order), units.tsv (one row per unit with its label, spike count and every metric) and
// provenance.json. Tab-separated, '' for undefined metrics, readable by pandas, R and Excel.

import * as path from 'node:path';
import type { ExportUnit, Provenance, SortedResult } from '../../shared/export';
import { AtomicFileWriter, writeFileAtomic } from '../io/atomic';
import { checkCancel } from './atomic-output';

export const SPIKES_TSV = 'spikes.tsv';
export const UNITS_TSV = 'units.tsv';
export const PROVENANCE_JSON = 'provenance.json';
/** Fixed leading columns of units.tsv; every further column is a metric. */
export const UNIT_COLUMNS = ['unit', 'channel', 'channel_name', 'label', 'n_spikes'] as const;

const FLUSH_CHARS = 1 << 20;

/**
 * Metric names in order of first appearance over the units, without the spike count: the tables
 * carry it in their fixed n_spikes column (a second nSpikes column would only repeat it).
 */
export function metricNames(units: ExportUnit[]): string[] {
  const seen = new Set<string>();
  for (const u of units) for (const k of Object.keys(u.metrics)) if (k !== 'nSpikes') seen.add(k);
  return [...seen];
}

/** Tabs and newlines would break the table: names are written with them replaced. */
function cell(s: string): string {
  return s.replace(/[\t\r\n]/g, ' ');
}

function num(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : String(v);
}

export function unitsTable(result: SortedResult, units: ExportUnit[]): string {
  const names = metricNames(units);
  const lines = [[...UNIT_COLUMNS, ...names].map(cell).join('\t')];
  for (const u of units) {
    const ch = result.recording.channels[u.channel]?.name ?? `ch${u.channel}`;
    lines.push([String(u.id), String(u.channel), cell(ch), u.label, String(u.spikes.length), ...names.map((n) => num(u.metrics[n]))].join('\t'));
  }
  return lines.join('\n') + '\n';
}

/** Every spike of the units in time order (ties by unit order), as [unit index, spike index] pairs. */
export function spikeOrder(units: ExportUnit[]): { unit: Int32Array; index: Int32Array } {
  const n = units.reduce((a, u) => a + u.spikes.length, 0);
  const unit = new Int32Array(n), index = new Int32Array(n), t = new Float64Array(n);
  let k = 0;
  units.forEach((u, ui) => u.spikes.forEach((s, i) => { unit[k] = ui; index[k] = i; t[k] = s; k++; }));
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => t[a] - t[b] || unit[a] - unit[b] || index[a] - index[b]);
  return { unit: Int32Array.from(order, (o) => unit[o]), index: Int32Array.from(order, (o) => index[o]) };
}

export function writeSpikesTsv(file: string, result: SortedResult, units: ExportUnit[], signal?: AbortSignal): void {
  const fs = result.recording.sampleRate;
  const { unit, index } = spikeOrder(units);
  const w = AtomicFileWriter.open(file);
  try {
    let buf = 'unit\tchannel\tsample\ttime_s\n';
    for (let k = 0; k < unit.length; k++) {
      const u = units[unit[k]];
      const s = u.spikes[index[k]];
      buf += `${u.id}\t${u.channel}\t${s}\t${(s / fs).toFixed(7)}\n`;
      if (buf.length > FLUSH_CHARS) { checkCancel(signal); w.write(buf); buf = ''; }
    }
    w.write(buf);
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** Write the three files into `dir` (an existing, empty temp folder); returns the file paths. */
export function writeTsvFolder(dir: string, result: SortedResult, units: ExportUnit[], prov: Provenance,
  onProgress?: (f: number, stage: string) => void, signal?: AbortSignal): string[] {
  const files = [path.join(dir, UNITS_TSV), path.join(dir, SPIKES_TSV), path.join(dir, PROVENANCE_JSON)];
  onProgress?.(0.1, 'units.tsv');
  writeFileAtomic(files[0], unitsTable(result, units));
  onProgress?.(0.3, 'spikes.tsv');
  writeSpikesTsv(files[1], result, units, signal);
  onProgress?.(0.9, 'provenance.json');
  writeFileAtomic(files[2], JSON.stringify(prov, null, 2) + '\n');
  return files;
}
