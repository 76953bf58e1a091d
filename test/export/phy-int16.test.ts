// A Phy folder of a recording that is not raw binary carries filtered.dat as int16 (phy's dtype,
// half the size of float32) with its scale in params.py: the samples come back within half a count,
// templates.npy is in the same counts, and the sort-folder loader turns them back into uV.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSorted, fromSortFolder } from '../../src/main/export';
import { chooseScale, filteredChannelFile } from '../../src/main/export/filtered-dat';
import { parseParamsPy } from '../../src/main/export/sort-folder';
import { decodeNpy } from '../../src/main/export/npy';
import { Rng } from '../../src/workers/rng';
import { makeResult, tmpDir } from './helpers';

/** Per-channel float32 files of a filter stage: noise of `sigma` uV plus one large event. */
function filteredDir(dir: string, channels: number[], n: number, sigma: number, peak: number): Float32Array[] {
  fs.mkdirSync(dir, { recursive: true });
  const rng = new Rng(5);
  return channels.map((c) => {
    const x = Float32Array.from({ length: n }, () => sigma * rng.normal());
    x[1000 + c] = -peak;
    fs.writeFileSync(filteredChannelFile(dir, c), Buffer.from(x.buffer));
    return x;
  });
}

describe('Phy filtered.dat in int16', () => {
  it('chooses 1 uV per count for usual data, coarser when it would clip, finer for quiet data', () => {
    expect(chooseScale(800, 12)).toBe(1);
    expect(chooseScale(120_000, 30)).toBe(10);
    expect(chooseScale(300, 0.2)).toBe(0.01);
    expect(chooseScale(3000, 0.2)).toBe(0.1); // finer would clip the largest sample
  });

  for (const [sigma, peak] of [[10, 900], [0.3, 60]] as const) {
    it(`writes counts within half a count, templates in counts, and loads back in uV (noise ${sigma} uV)`, async () => {
      const dir = tmpDir('phy16');
      const r = makeResult({ format: 'brainvision', recordingPath: path.join(dir, 'rec.vhdr') });
      const n = r.recording.nSamples;
      const used = [...new Set(r.units.filter((u) => u.label !== 'noise').map((u) => u.channel))].sort((a, b) => a - b);
      const traces = filteredDir(path.join(dir, 'filter'), [0, 1, 2, 3], n, sigma, peak);
      const out = path.join(dir, 'phy');
      await exportSorted({ ...r, filtered: { dir: path.join(dir, 'filter') } }, 'phy', out, { hashInput: false });

      const params = parseParamsPy(fs.readFileSync(path.join(out, 'params.py'), 'utf8'));
      expect(params).toMatchObject({ dat_path: 'filtered.dat', dtype: 'int16', n_channels_dat: used.length, hp_filtered: true });
      const g = params.uv_per_bit as number;
      expect(g).toBe(chooseScale(peak, sigma));
      const bytes = fs.readFileSync(path.join(out, 'filtered.dat'));
      expect(bytes.length).toBe(n * used.length * 2);
      const dat = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
      let worst = 0;
      used.forEach((c, k) => { for (let i = 0; i < n; i += 7) worst = Math.max(worst, Math.abs(dat[i * used.length + k] * g - traces[c][i])); });
      expect(worst).toBeLessThanOrEqual(g / 2 + 1e-6 * peak);

      const tpl = decodeNpy(fs.readFileSync(path.join(out, 'templates.npy')));
      const kept = r.units.filter((u) => u.label !== 'noise');
      const [, W, C] = tpl.shape;
      kept.forEach((u, t) => {
        const col = used.indexOf(u.channel);
        for (let j = 0; j < W; j++) expect(tpl.values[(t * W + j) * C + col] * g).toBeCloseTo(u.meanWaveform[j], 3);
      });
      const back = fromSortFolder(out);
      back.units.forEach((u, i) => { for (let j = 0; j < W; j++) expect(u.meanWaveform[j]).toBeCloseTo(kept[i].meanWaveform[j], 3); });
      // amplitudes.npy stays in uV.
      const amps = decodeNpy(fs.readFileSync(path.join(out, 'amplitudes.npy')));
      expect(Math.max(...amps.values)).toBeGreaterThan(50);
    });
  }
});
