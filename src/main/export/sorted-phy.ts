// The one Phy folder writer (the app's export, `spikedesk export`, `sort --out` and batch folders),
// from the neutral SortedResult (curated or a fresh run, see model.ts): one template per unit (its
// mean waveform on its own channel), cluster_group.tsv with the labels, cluster_info.tsv with the
// metrics. Traces: params.py points at a raw binary recording (with its dtype and header offset);
// for other formats at filtered.dat, an interleaved int16 copy of the sorted channels' filtered
// samples written from the session cache, with its scale (uv_per_bit) in params.py; templates.npy
// is in the counts of whichever trace file params.py names (a raw file's gain is its uv_per_bit),
// so phy's template and waveform views agree, and amplitudes.npy in uV.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportUnit, SortedResult } from '../../shared/export';
import { writeFileAtomic } from '../io/atomic';
import { filteredChannelFile, writeFilteredDat } from './filtered-dat';
import { writeNpy, type NpyDtype } from './npy';
import { metricNames, spikeOrder, unitsTable } from './tsv';

export function writeSortedPhy(dir: string, result: SortedResult, units: ExportUnit[], notes: string[]): string[] {
  const files: string[] = [];
  const put = (name: string, data: ArrayLike<number> | BigInt64Array, shape: number[], dtype: NpyDtype): void => {
    const f = path.join(dir, name);
    writeNpy(f, data, shape, dtype);
    files.push(f);
  };
  const text = (name: string, body: string): void => {
    const f = path.join(dir, name);
    writeFileAtomic(f, body);
    files.push(f);
  };
  const channels = [...new Set(units.map((u) => u.channel))].sort((a, b) => a - b);
  const colOf = new Map(channels.map((c, k) => [c, k]));
  const { unit, index } = spikeOrder(units);
  const n = unit.length;
  const d = result.featureNames.length;
  put('spike_times.npy', BigInt64Array.from(unit, (u, k) => BigInt(Math.round(units[u].spikes[index[k]]))), [n], 'int64');
  put('spike_clusters.npy', Int32Array.from(unit, (u) => units[u].id), [n], 'int32');
  put('spike_templates.npy', unit, [n], 'int32'); // template t is the t-th exported unit
  put('amplitudes.npy', Float64Array.from(unit, (u, k) => Math.abs(units[u].amplitudes?.[index[k]] ?? 1)), [n], 'float64');
  if (d > 0 && units.every((u) => u.features)) {
    const pcf = new Float32Array(n * d);
    for (let k = 0; k < n; k++) pcf.set(units[unit[k]].features!.subarray(index[k] * d, (index[k] + 1) * d), k * d);
    put('pc_features.npy', pcf, [n, d, 1], 'float32');
  }
  const T = units.length, W = result.waveform.pre + result.waveform.post, C = channels.length;
  // phy memory-maps the raw file itself when numpy can read its samples as stored (uint16 needs a
  // re-centring phy cannot do, so it gets the filtered copy like non-raw formats).
  const layout = result.recording.format === 'raw' ? result.recording.raw ?? { dtype: 'int16' as const, offset: 0 } : null;
  const raw = !!layout && layout.dtype !== 'uint16';
  // Traces for phy: the raw binary itself, else an int16 copy of the filtered sorted channels.
  const copy = !raw && result.filtered && channels.every((c) => fs.existsSync(filteredChannelFile(result.filtered!.dir, c)));
  const dat = copy ? writeFilteredDat(path.join(dir, 'filtered.dat'), result.filtered!.dir, channels, result.recording.nSamples) : null;
  if (dat) {
    files.push(dat.file);
    if (dat.clipped > 0) notes.push(`phy: ${dat.clipped} non-finite filtered samples were written as 0 in filtered.dat`);
  } else if (!raw) notes.push('phy: no filtered traces are known for this result, so params.py names a trace file that is absent and phy opens without traces');
  // templates.npy in the counts of the trace file phy reads, so its template and waveform views agree:
  // filtered.dat's scale, or a raw file's gain (uV per count; 1 when the channels differ).
  const perBit = dat?.uvPerBit ?? (raw ? layout.uvPerBit ?? 1 : 1);
  const templates = new Float32Array(T * W * C);
  units.forEach((u, t) => { const c = colOf.get(u.channel)!; for (let j = 0; j < W; j++) templates[(t * W + j) * C + c] = u.meanWaveform[j] / perBit; });
  put('templates.npy', templates, [T, W, C], 'float32');
  put('pc_feature_ind.npy', units.map((u) => colOf.get(u.channel)!), [T, 1], 'int32');
  put('channel_map.npy', raw ? channels : channels.map((_, k) => k), [C], 'int32');
  // No probe geometry is known: a linear layout, 20 um apart, in channel order.
  put('channel_positions.npy', channels.flatMap((_, k) => [0, 20 * k]), [C, 2], 'float64');
  text('cluster_group.tsv', `cluster_id\tgroup\n${units.map((u) => `${u.id}\t${u.label}`).join('\n')}\n`);
  // phy shows every cluster_info.tsv column in its cluster view ('nan' where a metric is undefined).
  const names = metricNames(units);
  const val = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'nan' : String(v));
  text('cluster_info.tsv', [['cluster_id', 'ch', 'n_spikes', ...names, 'group'].join('\t'),
    ...units.map((u) => [u.id, colOf.get(u.channel)!, u.spikes.length, ...names.map((m) => val(u.metrics[m])), u.label].join('\t'))].join('\n') + '\n');
  text('units.tsv', unitsTable(result, units));
  text('params.py', [
    `dat_path = ${JSON.stringify(raw ? path.resolve(result.recording.path) : 'filtered.dat')}`,
    `n_channels_dat = ${raw ? result.recording.channels.length : C}`,
    `dtype = ${JSON.stringify(raw ? layout.dtype : 'int16')}`,
    `offset = ${raw ? layout.offset : 0}`,
    `sample_rate = ${result.recording.sampleRate.toFixed(1)}`,
    `hp_filtered = ${raw ? 'False' : 'True'}`,
    ...(raw ? (layout.uvPerBit ? [
      '# The recording and templates.npy are in counts: uV = count * uv_per_bit (amplitudes.npy is in uV).',
      `uv_per_bit = ${perBit}`,
    ] : ['# templates.npy and amplitudes.npy are in uV; the channels of the recording have different scales.']) : [
      '# filtered.dat and templates.npy are in counts: uV = count * uv_per_bit (amplitudes.npy is in uV).',
      `uv_per_bit = ${perBit}`,
    ]),
    '',
  ].join('\n'));
  return files;
}

