// Unit tests of the exporters (no Python): CSV/TSV content, Phy arrays, blech descriptors,
// NWB/blech read back with h5wasm, provenance, and the all-or-nothing / no-overwrite behaviour.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpikeDeskError } from '../../src/shared/errors';
import { exportCorrected, exportSorted, fromSortFolder } from '../../src/main/export';
import { troughToPeakMs, unitDescriptors } from '../../src/main/export/blech';
import { decodeNpy } from '../../src/main/export/npy';
import { readTsv } from '../../src/main/export/sort-folder';
import { hashInput, sha256File } from '../../src/main/export/hash';
import { loadH5 } from '../../src/main/io/hdf5/h5';
import { VERSION } from '../../src/main/compose';
import { leftovers, makeResult, tmpDir } from './helpers';

async function rejects(p: Promise<unknown>, code: string): Promise<SpikeDeskError> {
  try { await p; } catch (e) {
    expect(e).toBeInstanceOf(SpikeDeskError);
    expect((e as SpikeDeskError).code).toBe(code);
    return e as SpikeDeskError;
  }
  throw new Error(`expected ${code}`);
}

describe('CSV/TSV export', () => {
  it('writes every spike of the non-noise units in time order and one row per unit', async () => {
    const dir = tmpDir('csv');
    const r = makeResult();
    const out = path.join(dir, 'tables');
    const rep = await exportSorted(r, 'csv', out, { hashInput: false });
    const kept = r.units.filter((u) => u.label !== 'noise');
    expect(rep.units).toBe(kept.length);
    const spikes = readTsv(path.join(out, 'spikes.tsv'));
    expect(spikes.length).toBe(kept.reduce((a, u) => a + u.spikes.length, 0));
    for (let i = 1; i < spikes.length; i++) expect(Number(spikes[i].sample)).toBeGreaterThanOrEqual(Number(spikes[i - 1].sample));
    for (const u of kept) {
      const mine = spikes.filter((s) => Number(s.unit) === u.id);
      expect(mine.map((s) => Number(s.sample))).toEqual(Array.from(u.spikes));
      expect(mine.every((s) => Number(s.channel) === u.channel)).toBe(true);
      expect(Number(mine[0].time_s)).toBeCloseTo(u.spikes[0] / 30000, 6);
    }
    const units = readTsv(path.join(out, 'units.tsv'));
    expect(units.map((u) => Number(u.unit))).toEqual(kept.map((u) => u.id));
    expect(units.map((u) => u.label)).toEqual(kept.map((u) => u.label));
    expect(Number(units[0].snr)).toBe(kept[0].metrics.snr);
    // The spike count is the fixed n_spikes column, not a second metric column.
    expect(units.map((u) => Number(u.n_spikes))).toEqual(kept.map((u) => u.spikes.length));
    expect(Object.keys(units[0])).not.toContain('nSpikes');
    expect(units.find((u) => u.unit === String(r.units[1].id))!.isiViolations1ms).toBe(''); // null metric
    const prov = JSON.parse(fs.readFileSync(path.join(out, 'provenance.json'), 'utf8'));
    expect(prov).toMatchObject({ software: 'SpikeDesk', version: VERSION, format: 'csv', curationJournalLength: 4, units: kept.length });
    expect(prov.params.filter.lowHz).toBe(300);
    expect(leftovers(dir)).toEqual([]);
  });

  it('exports only the chosen labels', async () => {
    const dir = tmpDir('labels');
    const rep = await exportSorted(makeResult(), 'csv', path.join(dir, 'good'), { labels: ['good'], hashInput: false });
    const units = readTsv(path.join(dir, 'good', 'units.tsv'));
    expect(units.every((u) => u.label === 'good')).toBe(true);
    expect(rep.units).toBe(units.length);
    await rejects(exportSorted(makeResult({ nUnits: 3 }), 'csv', path.join(dir, 'none'), { labels: ['noise'], hashInput: false }).then(() =>
      exportSorted({ ...makeResult(), units: [] }, 'csv', path.join(dir, 'none2'), { hashInput: false })), 'NOT_FOUND');
  });
});

describe('safety', () => {
  it('refuses to overwrite by default and replaces only with overwrite: true', async () => {
    const dir = tmpDir('over');
    const out = path.join(dir, 'x');
    await exportSorted(makeResult(), 'csv', out, { hashInput: false });
    const e = await rejects(exportSorted(makeResult({ seed: 9 }), 'csv', out, { hashInput: false }), 'OUTPUT_EXISTS');
    expect(e.fix).toMatch(/overwrit/);
    const before = fs.readFileSync(path.join(out, 'spikes.tsv'), 'utf8');
    await exportSorted(makeResult({ seed: 9 }), 'csv', out, { hashInput: false, overwrite: true });
    expect(fs.readFileSync(path.join(out, 'spikes.tsv'), 'utf8')).not.toBe(before);
    const nwb = path.join(dir, 'a.nwb');
    fs.writeFileSync(nwb, 'keep');
    await rejects(exportSorted(makeResult(), 'nwb', nwb, { hashInput: false }), 'OUTPUT_EXISTS');
    expect(fs.readFileSync(nwb, 'utf8')).toBe('keep');
    expect(leftovers(dir)).toEqual([]);
  });

  it('a failure mid-export leaves neither a target nor temp files, and keeps an old target intact', async () => {
    const dir = tmpDir('fail');
    for (const format of ['csv', 'phy', 'nwb', 'blech'] as const) {
      const out = path.join(dir, `out-${format}${format === 'nwb' ? '.nwb' : format === 'blech' ? '.h5' : ''}`);
      let calls = 0;
      const onProgress = (f: number) => { calls++; if (f > 0.06 && f < 1) throw new Error('disk unplugged'); };
      const big = makeResult({ nUnits: 5 });
      const fail = format === 'phy' || format === 'nwb'
        ? exportSorted(big, format, out, { hashInput: false, signal: AbortSignal.abort() })
        : exportSorted(big, format, out, { hashInput: false, onProgress });
      await expect(fail).rejects.toThrow();
      expect(fs.existsSync(out)).toBe(false);
      expect(leftovers(dir)).toEqual([]);
      if (format === 'csv' || format === 'blech') expect(calls).toBeGreaterThan(1);
    }
    // With overwrite, a failing export keeps the previous output as it was.
    const out = path.join(dir, 'kept');
    await exportSorted(makeResult(), 'csv', out, { hashInput: false });
    const before = fs.readFileSync(path.join(out, 'units.tsv'), 'utf8');
    await expect(exportSorted(makeResult({ seed: 3 }), 'csv', out, { hashInput: false, overwrite: true, onProgress: (f) => { if (f > 0.2) throw new Error('boom'); } })).rejects.toThrow();
    expect(fs.readFileSync(path.join(out, 'units.tsv'), 'utf8')).toBe(before);
    expect(leftovers(dir)).toEqual([]);
  });

  it('rejects an inconsistent result before writing anything', async () => {
    const dir = tmpDir('bad');
    const r = makeResult();
    r.units[0].channel = 99;
    await rejects(exportSorted(r, 'csv', path.join(dir, 'x'), { hashInput: false }), 'BAD_REQUEST');
    const r2 = makeResult();
    r2.units[1].spikes = r2.units[1].spikes.slice().reverse();
    await rejects(exportSorted(r2, 'nwb', path.join(dir, 'x.nwb'), { hashInput: false }), 'BAD_REQUEST');
    await rejects(exportSorted(makeResult(), 'csv', path.join(dir, 'no', 'such', 'x'), { hashInput: false }), 'WRITE_FAILED');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('input hash', () => {
  it('streams sha256 over the file and its companions, and records it in the provenance', async () => {
    const dir = tmpDir('hash');
    const rec = path.join(dir, 'rec.vhdr');
    fs.writeFileSync(rec, 'header');
    fs.writeFileSync(path.join(dir, 'rec.eeg'), Buffer.alloc(5 * 1024 * 1024, 7));
    fs.writeFileSync(path.join(dir, 'rec.vmrk'), 'markers');
    const h = await hashInput(rec);
    expect(h!.files.map((f) => path.basename(f.path))).toEqual(['rec.eeg', 'rec.vhdr', 'rec.vmrk']);
    const { createHash } = await import('node:crypto');
    expect(h!.files[0].sha256).toBe(createHash('sha256').update(fs.readFileSync(path.join(dir, 'rec.eeg'))).digest('hex'));
    expect(await sha256File(rec)).toBe(createHash('sha256').update('header').digest('hex'));
    const rep = await exportSorted(makeResult({ recordingPath: rec, format: 'brainvision' }), 'csv', path.join(dir, 'out'));
    expect(rep.provenance.inputHash!.files).toHaveLength(3);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'out', 'provenance.json'), 'utf8')).inputHash.files[1].sha256).toBe(h!.files[1].sha256);
  });
});

describe('blech descriptors', () => {
  it('measures trough-to-peak and classifies single units', () => {
    const wf = Float32Array.from({ length: 40 }, (_, j) => (j === 10 ? -100 : j === 16 ? 30 : 0));
    expect(troughToPeakMs(wf, 30000)).toBeCloseTo(0.2, 9);
    expect(troughToPeakMs(new Float32Array(10), 30000)).toBeNull();
    const r = makeResult();
    const rows = unitDescriptors(r, r.units, 0.4);
    rows.forEach((row, i) => {
      const u = r.units[i];
      expect(row.single_unit).toBe(u.label === 'good' ? 1 : 0);
      expect(row.regular_spiking + row.fast_spiking).toBe(u.label === 'good' ? 1 : 0);
      expect(row.waveform_count).toBe(u.spikes.length);
      expect(row.unit_number).toBe(i);
    });
  });
});

describe('HDF5 exports read back with h5wasm', () => {
  it('NWB units table holds the spike trains, electrodes and labels', async () => {
    const dir = tmpDir('nwb');
    const r = makeResult();
    const out = path.join(dir, 'units.nwb');
    const rep = await exportSorted(r, 'nwb', out, { hashInput: false });
    const h5 = await loadH5();
    const f = new h5.File(out, 'r');
    try {
      expect(f.attrs.neurodata_type.value).toBe('NWBFile');
      const kept = r.units.filter((u) => u.label !== 'noise');
      const times = f.get('units/spike_times') as any, idx = f.get('units/spike_times_index') as any;
      const t = Array.from(times.value as Float64Array), ends = Array.from(idx.value as Uint32Array);
      let s = 0;
      kept.forEach((u, i) => { expect(t.slice(s, ends[i]).map((x) => Math.round(x * 30000))).toEqual(Array.from(u.spikes)); s = ends[i]; });
      expect(Array.from((f.get('units/electrodes') as any).value)).toEqual(kept.map((u) => u.channel));
      expect((f.get('units/label') as any).value).toEqual(kept.map((u) => u.label));
      expect((f.get('general/notes') as any).value).toContain('"software":"SpikeDesk"');
      expect(rep.provenance.notes.join(' ')).toMatch(/session_start_time/);
    } finally { f.close(); }
  });

  it('blech file holds times, waveforms and the unit_descriptor table', async () => {
    const dir = tmpDir('blech');
    const r = makeResult();
    const out = path.join(dir, 'sorted.h5');
    await exportSorted(r, 'blech', out, { hashInput: false, labels: ['good', 'mua', 'noise', 'unsorted'] });
    const h5 = await loadH5();
    const f = new h5.File(out, 'r');
    try {
      r.units.forEach((u, i) => {
        const name = `sorted_units/unit${String(i).padStart(3, '0')}`;
        expect(Array.from((f.get(`${name}/times`) as any).value as BigInt64Array, Number)).toEqual(Array.from(u.spikes));
        expect((f.get(`${name}/waveforms`) as any).shape).toEqual([u.spikes.length, 75]);
      });
      expect((f.get('unit_descriptor') as any).shape).toEqual([r.units.length]);
    } finally { f.close(); }
  });
});

describe('Phy export and the sort-folder loader', () => {
  it('round-trips a result through a Phy folder', async () => {
    const dir = tmpDir('phy');
    const r = makeResult();
    const out = path.join(dir, 'phy');
    await exportSorted(r, 'phy', out, { hashInput: false });
    const st = decodeNpy(fs.readFileSync(path.join(out, 'spike_times.npy')));
    const kept = r.units.filter((u) => u.label !== 'noise');
    expect(st.shape).toEqual([kept.reduce((a, u) => a + u.spikes.length, 0)]);
    const back = fromSortFolder(out);
    expect(back.units.map((u) => [u.id, u.channel, u.label])).toEqual(kept.map((u) => [u.id, u.channel, u.label]));
    back.units.forEach((u, i) => {
      expect(Array.from(u.spikes)).toEqual(Array.from(kept[i].spikes));
      expect(Array.from(u.meanWaveform)).toEqual(Array.from(kept[i].meanWaveform));
      expect(u.metrics.snr).toBe(kept[i].metrics.snr);
      expect(u.features!.length).toBe(kept[i].spikes.length * 3);
    });
    expect(back.waveform).toEqual(r.waveform);
    expect(back.recording.sampleRate).toBe(30000);
    expect(back.params).toEqual(r.params); // from provenance.json
    expect(back.curationJournalLength).toBe(4);
    // And on to another format from the loaded folder.
    const rep = await exportSorted(back, 'csv', path.join(dir, 'csv'), { hashInput: false });
    expect(rep.spikes).toBe(st.shape[0]);
  });

  it('names a folder that is not a sort output', () => {
    const dir = tmpDir('notphy');
    expect(() => fromSortFolder(dir)).toThrow(/not a spikedesk sort output/);
  });
});

describe('corrected recordings', () => {
  it('delegates to the EDF writer, adds provenance and refuses to overwrite', async () => {
    const dir = tmpDir('corr');
    const n = 2000;
    const data = [Float32Array.from({ length: n }, (_, i) => Math.sin(i / 10) * 50), Float32Array.from({ length: n }, (_, i) => i % 100)];
    const input = { header: { channels: [{ name: 'Fz' }, { name: 'Cz' }], sampleRate: 500, nSamples: n }, readBlock: (s: number, e: number) => data.map((d) => d.slice(s, e)), recordingPath: path.join(dir, 'none.vhdr'), params: { window: 30 } };
    const out = path.join(dir, 'c.edf');
    const rep = await exportCorrected(input, 'edf', out);
    expect(fs.statSync(out).size).toBeGreaterThan(n * 2 * 2);
    expect(JSON.parse(fs.readFileSync(`${out}.provenance.json`, 'utf8')).params.window).toBe(30);
    expect(rep.files).toHaveLength(2);
    await rejects(exportCorrected(input, 'edf', out), 'OUTPUT_EXISTS');
    const bv = await exportCorrected(input, 'brainvision', path.join(dir, 'c.vhdr'));
    expect(bv.files.every((f) => fs.existsSync(f))).toBe(true);
    await rejects(exportCorrected(input, 'brainvision', path.join(dir, 'c.edf.vhdr2')), 'BAD_PARAMETER');
  });
});
