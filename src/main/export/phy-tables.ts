// Plain-text tables of a sort (DOMAIN.md "CSV/TSV"): spikes.tsv with one row per spike (unit,
// channel, sample, time_s) and units.tsv with one row per unit and its quality metrics.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { unitIdsOf, type SortResult } from '../pipeline/sort-result';

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'nan';
  return Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

/** Metric columns in a fixed order (every unit has the same keys). */
export function metricNames(result: SortResult): string[] {
  return result.units.length ? Object.keys(result.units[0].metrics) : [];
}

export function spikesTsv(result: SortResult): string {
  const fs = result.meta.sampleRate;
  const rows: [number, number, number][] = [];
  for (const ch of result.channels) {
    const ids = unitIdsOf(result, ch);
    for (let i = 0; i < ch.samples.length; i++) if (ids[i] >= 0) rows.push([ids[i], ch.channel, ch.samples[i]]);
  }
  rows.sort((a, b) => a[2] - b[2] || a[1] - b[1]);
  const lines = ['unit\tchannel\tsample\ttime_s'];
  for (const [u, c, s] of rows) lines.push(`${u}\t${c}\t${s}\t${(s / fs).toFixed(6)}`);
  return `${lines.join('\n')}\n`;
}

export function unitsTsv(result: SortResult): string {
  const names = metricNames(result);
  const lines = [['unit', 'channel', 'channel_name', 'n_spikes', ...names.filter((n) => n !== 'nSpikes')].join('\t')];
  for (const u of result.units) {
    const nSpikes = u.metrics.nSpikes ?? 0;
    lines.push([u.id, u.channel, result.meta.channels[u.channel]?.name ?? '', nSpikes,
      ...names.filter((n) => n !== 'nSpikes').map((n) => fmt(u.metrics[n]))].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function writeSortTables(outDir: string, result: SortResult): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const files = [path.join(outDir, 'spikes.tsv'), path.join(outDir, 'units.tsv')];
  writeFileAtomic(files[0], spikesTsv(result));
  writeFileAtomic(files[1], unitsTsv(result));
  return files;
}
