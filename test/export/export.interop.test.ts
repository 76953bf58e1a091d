// Interoperability: the NWB, blech_clust and TSV exports read back by h5py and Python's csv
// module (pandas / pynwb when installed). Skips with a message without /usr/bin/python3 + h5py.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSorted } from '../../src/main/export';
import { hasPython, runPython, skipNote } from '../io/python';
import { makeResult, tmpDir } from './helpers';

const ok = hasPython(['h5py']);
skipNote('export interop (NWB, blech_clust, TSV)', ['h5py']);
const script = (name: string): string => fs.readFileSync(path.join(__dirname, 'py', name), 'utf8');

interface NwbCheck {
  problems: string[]; ids: number[]; trains: number[][]; electrodes: number[]; electrodes_index: number[];
  labels: string[]; colnames: string[]; waveform_shape: number[]; waveform_max_v: number; snr: number[] | null;
  acquisition: string[]; pynwb_units: number | null;
}

describe.skipIf(!ok)('exports read by h5py', () => {
  it('a new NWB file follows the NWB 2.x layout and gives back the same spike trains', async () => {
    const dir = tmpDir('nwb-py');
    const r = makeResult();
    const out = path.join(dir, 'units.nwb');
    await exportSorted(r, 'nwb', out, { hashInput: false });
    const got = runPython<NwbCheck>(script('check_nwb.py'), [out, 'new']);
    expect(got.problems).toEqual([]);
    const kept = r.units.filter((u) => u.label !== 'noise');
    expect(got.ids).toEqual(kept.map((u) => u.id));
    got.trains.forEach((t, i) => expect(t.map((x) => Math.round(x * 30000))).toEqual(Array.from(kept[i].spikes)));
    expect(got.electrodes).toEqual(kept.map((u) => u.channel));
    expect(got.electrodes_index).toEqual(kept.map((_, i) => i + 1));
    expect(got.labels).toEqual(kept.map((u) => u.label));
    expect(got.colnames.slice(0, 4)).toEqual(['spike_times', 'electrodes', 'waveform_mean', 'label']);
    expect(got.waveform_shape).toEqual([kept.length, 75]);
    expect(got.waveform_max_v).toBeLessThan(1e-3); // volts, not uV
    expect(got.snr).toEqual(kept.map((u) => u.metrics.snr));
    if (got.pynwb_units !== null) expect(got.pynwb_units).toBe(kept.length);
  });

  it('units added to a copy of an NWB recording point at its electrodes and keep its data', async () => {
    const dir = tmpDir('nwb-copy');
    const src = path.join(dir, 'rec.nwb');
    fs.copyFileSync(path.join(__dirname, '../fixtures/io/small.nwb'), src);
    const before = fs.readFileSync(src);
    const r = makeResult({ recordingPath: src, format: 'nwb' });
    const out = path.join(dir, 'rec-sorted.nwb');
    const rep = await exportSorted(r, 'nwb', out);
    expect(fs.readFileSync(src).equals(before)).toBe(true); // the source is untouched
    const got = runPython<NwbCheck>(script('check_nwb.py'), [out, 'copy']);
    expect(got.problems).toEqual([]);
    expect(got.acquisition).toEqual(['ElectricalSeries', 'LFP2']);
    const rows = runPython<number[]>('import h5py,sys,json; print(json.dumps([int(x) for x in h5py.File(sys.argv[1])["acquisition/ElectricalSeries/electrodes"][:]]))', [src]);
    const kept = r.units.filter((u) => u.label !== 'noise');
    expect(got.electrodes).toEqual(kept.map((u) => rows[u.channel]));
    expect(rep.provenance.inputHash!.files[0].bytes).toBe(before.length);
    // A copy that already has units is refused rather than merged.
    await expect(exportSorted({ ...r, recording: { ...r.recording, path: out } }, 'nwb', path.join(dir, 'again.nwb'))).rejects.toMatchObject({ code: 'FORMAT_UNSUPPORTED' });
  });

  it('blech_clust units and unit_descriptor, and the TSV tables, read back', async () => {
    const dir = tmpDir('blech-py');
    const r = makeResult();
    const labels = ['good', 'mua', 'unsorted'] as const;
    await exportSorted(r, 'blech', path.join(dir, 'sorted.h5'), { hashInput: false, labels: [...labels] });
    await exportSorted(r, 'csv', path.join(dir, 'tables'), { hashInput: false, labels: [...labels] });
    const got = runPython<{
      units: string[]; times: number[][]; times_dtype: string; waveform_shapes: number[][]; descriptor_fields: string[];
      descriptor: Record<string, number>[]; provenance: { software: string; units: number }; tsv_spikes: number[][];
      tsv_units: Record<string, string>[]; pandas_rows: number | null;
    }>(script('check_blech_tsv.py'), [path.join(dir, 'sorted.h5'), path.join(dir, 'tables')]);
    const kept = r.units.filter((u) => u.label !== 'noise');
    expect(got.units).toEqual(kept.map((_, i) => `unit${String(i).padStart(3, '0')}`));
    got.times.forEach((t, i) => expect(t).toEqual(Array.from(kept[i].spikes)));
    expect(got.times_dtype).toBe('int64');
    expect(got.waveform_shapes).toEqual(kept.map((u) => [u.spikes.length, 75]));
    expect(got.descriptor_fields).toEqual(['unit_number', 'electrode_number', 'single_unit', 'regular_spiking', 'fast_spiking', 'waveform_count']);
    expect(got.descriptor.map((d) => d.single_unit)).toEqual(kept.map((u) => (u.label === 'good' ? 1 : 0)));
    expect(got.descriptor.map((d) => d.electrode_number)).toEqual(kept.map((u) => u.channel));
    expect(got.provenance).toMatchObject({ software: 'SpikeDesk', units: kept.length });
    const n = kept.reduce((a, u) => a + u.spikes.length, 0);
    expect(got.tsv_spikes).toHaveLength(n);
    for (const [unit, ch, sample, t] of got.tsv_spikes) {
      const u = kept.find((k) => k.id === unit)!;
      expect(u.channel).toBe(ch);
      expect(Array.from(u.spikes)).toContain(sample);
      expect(t).toBeCloseTo(sample / 30000, 6);
    }
    expect(got.tsv_units.map((u) => Number(u.n_spikes))).toEqual(kept.map((u) => u.spikes.length));
    if (got.pandas_rows !== null) expect(got.pandas_rows).toBe(n);
  });
});
