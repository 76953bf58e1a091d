// Phy folder export (DOMAIN.md "Sorted-unit exports"): the .npy arrays and .tsv tables phy's
// template-gui reads. Each unit is one template living on its own channel; the features are the
// unit's channel PCs. For a raw int16/float32 binary, params.py points at the recording itself;
// for every other format a float32 copy of the filtered channels (filtered.dat) is written so
// phy's trace view can read samples.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import type { SourceRef } from '../../shared/recording';
import { writeFileAtomic } from '../io/atomic';
import { writeFilteredDat } from './filtered-dat';
import { unitIdsOf, type SortResult } from '../pipeline/sort-result';
import { writeNpy } from './npy';
import { metricNames } from './phy-tables';

export interface PhyExport {
  dir: string;
  files: string[];
  nSpikes: number;
  nUnits: number;
  /** Spikes left unassigned by the clustering (outliers); phy has no cluster for them. */
  unassigned: number;
}

function pyStr(s: string): string {
  return JSON.stringify(s); // a JSON string literal is a valid Python literal for these characters
}

export function writePhyFolder(outDir: string, result: SortResult, source: SourceRef): PhyExport {
  if (!result.units.length) {
    throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'the sort found no units, so there is nothing to export to phy', fix: 'lower the detection threshold or check the channels' });
  }
  fs.mkdirSync(outDir, { recursive: true });
  const meta = result.meta;
  const sorted = result.channels.map((c) => c.channel);
  const rawOpen = source.open ?? {};
  const isRaw = meta.format === 'raw' && (rawOpen.dtype ?? 'int16') !== 'uint16';
  // Columns of the data file phy reads, and where each sorted channel sits in it.
  const datChannels = isRaw ? meta.channels.length : sorted.length;
  const channelMap = isRaw ? sorted : sorted.map((_, k) => k);
  const files: string[] = [];
  const put = (name: string, data: ArrayLike<number> | BigInt64Array, shape: number[], dtype: Parameters<typeof writeNpy>[3]): void => {
    const f = path.join(outDir, name);
    writeNpy(f, data, shape, dtype);
    files.push(f);
  };

  // Spikes of every channel, sorted by time (phy requires it); unassigned spikes are left out.
  const rows: { t: number; unit: number; amp: number; ch: number; feat: Float32Array }[] = [];
  let unassigned = 0;
  const nPc = Math.max(1, ...result.channels.map((c) => c.nFeat));
  for (const [k, ch] of result.channels.entries()) {
    const ids = unitIdsOf(result, ch);
    for (let i = 0; i < ch.samples.length; i++) {
      if (ids[i] < 0) { unassigned++; continue; }
      const feat = new Float32Array(nPc);
      feat.set(ch.features.subarray(i * ch.nFeat, (i + 1) * ch.nFeat));
      rows.push({ t: ch.samples[i], unit: ids[i], amp: Math.abs(ch.amplitudes[i]), ch: k, feat });
    }
  }
  rows.sort((a, b) => a.t - b.t || a.ch - b.ch);
  const n = rows.length;
  put('spike_times.npy', BigInt64Array.from(rows, (r) => BigInt(r.t)), [n], 'int64');
  put('spike_clusters.npy', rows.map((r) => r.unit), [n], 'int32');
  put('spike_templates.npy', rows.map((r) => r.unit), [n], 'int32');
  put('amplitudes.npy', rows.map((r) => r.amp), [n], 'float64');
  const pcf = new Float32Array(n * nPc);
  rows.forEach((r, i) => pcf.set(r.feat, i * nPc));
  put('pc_features.npy', pcf, [n, nPc, 1], 'float32');

  // One template per unit: its mean waveform on its own channel, zero elsewhere.
  const T = result.units.length, W = result.pre + result.post, C = sorted.length;
  const templates = new Float32Array(T * W * C);
  const unitCol = result.units.map((u) => sorted.indexOf(u.channel));
  result.units.forEach((u, t) => {
    for (let j = 0; j < W; j++) templates[(t * W + j) * C + unitCol[t]] = u.meanWaveform[j];
  });
  put('templates.npy', templates, [T, W, C], 'float32');
  put('pc_feature_ind.npy', unitCol, [T, 1], 'int32');
  put('channel_map.npy', channelMap, [C], 'int32');
  // No probe geometry in the recording: a linear layout, 20 um apart, in channel order.
  put('channel_positions.npy', sorted.flatMap((_, k) => [0, 20 * k]), [C, 2], 'float64');

  const group = (): string => 'unsorted';
  const tsv = (name: string, text: string): void => { const f = path.join(outDir, name); writeFileAtomic(f, text); files.push(f); };
  tsv('cluster_group.tsv', `cluster_id\tgroup\n${result.units.map((u) => `${u.id}\t${group()}`).join('\n')}\n`);
  const names = metricNames(result).filter((m) => m !== 'nSpikes');
  tsv('cluster_info.tsv', [['cluster_id', 'ch', 'n_spikes', ...names, 'group'].join('\t'),
    ...result.units.map((u, t) => [u.id, unitCol[t], u.metrics.nSpikes ?? 0, ...names.map((m) => {
      const v = u.metrics[m];
      return v === null || v === undefined || !Number.isFinite(v) ? 'nan' : String(v);
    }), group()].join('\t'))].join('\n') + '\n');

  let datPath: string;
  if (isRaw) {
    datPath = path.resolve(meta.path);
  } else {
    datPath = path.join(outDir, 'filtered.dat');
    writeFilteredDat(datPath, result.run.stages.filter!.dir, sorted, result.meta.nSamples);
    files.push(datPath);
  }
  const params = [
    // phy resolves a relative dat_path against the folder of params.py, not the working directory.
    `dat_path = ${pyStr(isRaw ? datPath : path.basename(datPath))}`,
    `n_channels_dat = ${datChannels}`,
    `dtype = ${pyStr(isRaw ? rawOpen.dtype ?? 'int16' : 'float32')}`,
    `offset = ${isRaw ? rawOpen.offset ?? 0 : 0}`,
    `sample_rate = ${meta.sampleRate.toFixed(1)}`,
    `hp_filtered = ${isRaw ? 'False' : 'True'}`,
    '',
  ].join('\n');
  tsv('params.py', params);
  return { dir: outDir, files, nSpikes: n, nUnits: T, unassigned };
}
