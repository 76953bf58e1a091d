// Export throughput: time to write each format for a sort of many spikes (per-spike waveforms
// included), against h5py writing the same blech_clust layout, and sha256 input hashing speed.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportUnit, SortedResult } from '../src/shared/export';
import { exportSorted } from '../src/main/export';
import { sha256File } from '../src/main/export/hash';
import { Rng } from '../src/workers/rng';
import { medianMs, type BenchContext, type BenchRow } from './types';

function bigResult(nUnits: number, perUnit: number, width: number): SortedResult {
  const rng = new Rng(1);
  const units: ExportUnit[] = Array.from({ length: nUnits }, (_, k) => {
    const spikes = Float64Array.from({ length: perUnit }, () => rng.int(30000 * 600)).sort();
    return {
      id: k, channel: k % 32, label: 'good', spikes, amplitudes: Float32Array.from({ length: perUnit }, () => rng.normal()),
      meanWaveform: Float32Array.from({ length: width }, (_, j) => -Math.exp(-((j - 30) ** 2) / 8)),
      waveforms: Float32Array.from({ length: perUnit * width }, () => rng.normal()),
      features: Float32Array.from({ length: perUnit * 3 }, () => rng.normal()), metrics: { snr: 5, firingRateHz: perUnit / 600 },
    };
  });
  return {
    recording: { path: '/nonexistent.dat', format: 'raw', sampleRate: 30000, nSamples: 30000 * 600, channels: Array.from({ length: 32 }, (_, c) => ({ name: `ch${c}`, group: 'g' })) },
    waveform: { pre: 30, post: width - 30 }, featureNames: ['PC1', 'PC2', 'PC3'], units, params: null,
    curationJournalLength: 0, inputHash: null, origin: { kind: 'memory', path: null, runId: null },
  };
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const nUnits = 40, perUnit = ctx.quick ? 1000 : 5000, width = 75;
  const total = nUnits * perUnit;
  const r = bigResult(nUnits, perUnit, width);
  fs.mkdirSync(ctx.tmpDir, { recursive: true });
  const rows: BenchRow[] = [];
  let k = 0;
  for (const format of ['csv', 'phy', 'nwb', 'blech'] as const) {
    const ms = await medianMs(() => exportSorted(r, format, path.join(ctx.tmpDir, `out${k++}.${format}`), { hashInput: false }), 3, 1);
    rows.push({ area: 'export', name: `${format} export, ${total} spikes x ${width} samples`, unit: 'ms', value: ms });
  }
  const blech = rows[3];
  if (ctx.python) {
    const p = spawnSync(ctx.python, [path.join(import.meta.dirname ?? __dirname, 'py/export_h5py.py'), path.join(ctx.tmpDir, 'peer.h5'), String(nUnits), String(perUnit), String(width)], { encoding: 'utf8' });
    if (p.status === 0) {
      const ref = JSON.parse(p.stdout.trim()).blech_ms as number;
      Object.assign(blech, { reference: ref, referenceName: 'h5py (same layout)', ratio: ref / blech.value });
    } else blech.note = `h5py peer failed: ${p.stderr.slice(-200)}`;
  } else blech.note = 'h5py peer not installed';
  const file = path.join(ctx.tmpDir, 'hash.bin');
  const mb = ctx.quick ? 32 : 256;
  fs.writeFileSync(file, Buffer.alloc(mb * 1024 * 1024, 1));
  const t0 = performance.now();
  await sha256File(file);
  rows.push({ area: 'export', name: `sha256 of the input (${mb} MB, streamed)`, unit: 'MB/s', value: mb / ((performance.now() - t0) / 1000) });
  return rows;
}
