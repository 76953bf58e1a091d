// fromSortFolder on the folder `spikedesk sort --out` writes (sort-output.ts: the one Phy writer
// from a pipeline SortResult): the loaded units carry the sorter's spikes, channels and metrics, and a
// folder curated in phy afterwards (cluster_group.tsv, spike_clusters.npy) loads curated.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromSortFolder } from '../../src/main/export';
import { encodeNpy, decodeNpy } from '../../src/main/export/npy';
import { writeSortFolder } from '../../src/main/export/sort-output';
import type { RunRecord } from '../../src/main/pipeline/session-store';
import { unitIdsOf, type SortResult } from '../../src/main/pipeline/sort-result';
import { Rng } from '../../src/workers/rng';
import { tmpDir } from './helpers';

function pipelineResult(datPath: string): SortResult {
  const rng = new Rng(3);
  const pre = 10, post = 15, w = pre + post, nFeat = 3;
  const channels = [1, 3].map((channel) => {
    const n = 60;
    const samples = Int32Array.from({ length: n }, (_, i) => 100 * i + rng.int(50) + channel);
    const labels = Int32Array.from({ length: n }, (_, i) => (i % 7 === 6 ? -1 : i % 2));
    return {
      channel, samples, labels, amplitudes: Float32Array.from({ length: n }, () => -50 - rng.uniform() * 50),
      features: Float32Array.from({ length: n * nFeat }, () => rng.normal()), nFeat,
      waveforms: Float32Array.from({ length: n * w }, () => rng.normal()), sigma: 5,
    };
  });
  const units = channels.flatMap((c) => [0, 1].map((label) => ({ channel: c.channel, label })))
    .map((u, id) => ({ id, ...u, meanWaveform: Float32Array.from({ length: w }, (_, j) => (j === pre ? -60 - 10 * id : Math.sin(j + id))), metrics: { nSpikes: 0, snr: 4 + id, isiViolations: id === 2 ? null : 0.01 } }));
  const meta = { path: datPath, format: 'raw' as const, sampleRate: 20000, nSamples: 8000, events: [],
    channels: [0, 1, 2, 3].map((c) => ({ name: `E${c}`, group: 'g', unit: 'uV', scale: 1, kind: 'ephys' as const })) };
  return { meta, run: { runId: 'r1' } as RunRecord, pre, post, channels, units };
}

describe('fromSortFolder on a sort --out folder', () => {
  it('loads the units the sorter wrote', () => {
    const dir = tmpDir('sortout');
    const dat = path.join(dir, 'rec.dat');
    fs.writeFileSync(dat, Buffer.alloc(8000 * 4 * 2));
    const sr = pipelineResult(dat);
    const out = path.join(dir, 'out');
    writeSortFolder(out, sr, { path: dat, open: { format: 'raw', channels: 4, rate: 20000, dtype: 'int16' } });
    const r = fromSortFolder(out);
    expect(r.recording).toMatchObject({ path: dat, format: 'raw', sampleRate: 20000, nSamples: 8000 });
    expect(r.units.map((u) => u.id)).toEqual(sr.units.map((u) => u.id));
    for (const u of r.units) {
      const src = sr.units[u.id];
      expect(u.channel).toBe(src.channel);
      expect(r.recording.channels[u.channel].name).toBe(`E${src.channel}`);
      const ch = sr.channels.find((c) => c.channel === src.channel)!;
      const ids = unitIdsOf(sr, ch);
      expect(Array.from(u.spikes)).toEqual(Array.from(ch.samples).filter((_, i) => ids[i] === u.id));
      expect(Array.from(u.meanWaveform)).toEqual(Array.from(src.meanWaveform));
      expect(u.metrics.snr).toBe(src.metrics.snr);
      expect(u.metrics.isiViolations).toBe(src.metrics.isiViolations);
      expect(u.label).toBe('unsorted');
    }
    expect(r.waveform).toEqual({ pre: 10, post: 15 });
  });

  it('picks up curation done in phy (labels and a merge)', () => {
    const dir = tmpDir('phycur');
    const dat = path.join(dir, 'rec.dat');
    fs.writeFileSync(dat, Buffer.alloc(8000 * 4 * 2));
    const sr = pipelineResult(dat);
    const out = path.join(dir, 'out');
    writeSortFolder(out, sr, { path: dat, open: { dtype: 'int16' } });
    // phy merges clusters 0 and 1 into a new cluster 4 and labels it good, 2 noise.
    const sc = decodeNpy(fs.readFileSync(path.join(out, 'spike_clusters.npy')));
    const merged = sc.values.map((c) => (c === 0 || c === 1 ? 4 : c));
    fs.writeFileSync(path.join(out, 'spike_clusters.npy'), encodeNpy(merged, [merged.length], 'int32'));
    fs.writeFileSync(path.join(out, 'cluster_group.tsv'), 'cluster_id\tgroup\n4\tgood\n2\tnoise\n3\tmua\n');
    const r = fromSortFolder(out);
    expect(r.units.map((u) => [u.id, u.label, u.channel])).toEqual([[2, 'noise', 3], [3, 'mua', 3], [4, 'good', 1]]);
    const u4 = r.units[2];
    expect(u4.spikes.length).toBe(merged.filter((c) => c === 4).length);
    expect(u4.metrics).toEqual({}); // a new cluster has no sorter metrics
    // The merged mean waveform is the spike-weighted mean of the parents' templates.
    const n0 = sc.values.filter((c) => c === 0).length, n1 = sc.values.filter((c) => c === 1).length;
    expect(u4.meanWaveform[10]).toBeCloseTo((n0 * -60 + n1 * -70) / (n0 + n1), 4);
  });
});
