// Interoperability with MNE-Python: EDF+ and BrainVision files written by SpikeDesk are read by
// mne.io.read_raw_edf / read_raw_brainvision with the same samples and annotations, and an EDF
// exported by MNE (when its EDF exporter is installed) is read by SpikeDesk.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { writeBrainVision } from '../../src/main/io/brainvision/bv-write';
import { writeEdf } from '../../src/main/io/edf/edf-write';
import type { WriteHeader } from '../../src/main/io/common/writer';
import { Rng } from '../../src/workers/rng';
import { readAll, tmpDir } from './helpers';
import { hasPython, runPython, skipNote } from './python';

const MODS = ['mne', 'numpy'];
const ok = hasPython(MODS);
skipNote('MNE interop', MODS);
const dir = tmpDir('mne');

interface MneOut { ch_names: string[]; sfreq: number; n_times: number; data: string; ann: [number, number, string][] }

const READ = `
import sys, json, numpy as np, mne
mne.set_log_level('ERROR')
p, kind, out = sys.argv[1], sys.argv[2], sys.argv[3]
raw = mne.io.read_raw_edf(p, preload=True) if kind == 'edf' else mne.io.read_raw_brainvision(p, preload=True)
(raw.get_data() * 1e6).astype(np.float64).tofile(out)
ann = [[float(a['onset']), float(a['duration']), a['description']] for a in raw.annotations]
print(json.dumps(dict(ch_names=raw.ch_names, sfreq=float(raw.info['sfreq']), n_times=int(raw.n_times), data=out, ann=ann)))
`;

function makeData(nCh: number, n: number): Float32Array[] {
  const rng = new Rng(11);
  return Array.from({ length: nCh }, (_, c) => Float32Array.from({ length: n }, (_, i) => 80 * Math.sin(i / 9 + c) + 15 * rng.normal()));
}

function loadMne(o: MneOut, nCh: number): Float64Array[] {
  const all = new Float64Array(fs.readFileSync(o.data).buffer.slice(0));
  return Array.from({ length: nCh }, (_, c) => all.subarray(c * o.n_times, (c + 1) * o.n_times));
}

describe.skipIf(!ok)('MNE reads what SpikeDesk writes', () => {
  const n = 5000;
  const data = makeData(3, n);
  const h: WriteHeader = {
    channels: [{ name: 'Fp1' }, { name: 'Cz' }, { name: 'ECG' }], sampleRate: 1000, nSamples: n,
    events: [{ sample: 100, duration: 0, label: 'Volume' }, { sample: 2500, duration: 200, label: 'Stim' }, { sample: 4999, duration: 0, label: 'End' }],
  };
  const block = (s: number, e: number) => data.map((d) => d.slice(s, e));

  it('EDF+: samples within half a quantisation step, annotations equal', async () => {
    const p = path.join(dir, 'sd.edf');
    const res = await writeEdf(p, h, block);
    const o = runPython<MneOut>(READ, [p, 'edf', path.join(dir, 'edf.f64')]);
    expect(o.ch_names).toEqual(['Fp1', 'Cz', 'ECG']);
    expect(o.sfreq).toBe(1000);
    expect(o.n_times).toBe(n);
    loadMne(o, 3).forEach((m, c) => {
      const step = (res.physMax[c] - res.physMin[c]) / 65535;
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(m[i] - data[c][i]));
      expect(worst).toBeLessThanOrEqual(step * 0.5 + 1e-4);
    });
    expect(o.ann).toEqual(h.events!.map((e) => [e.sample / 1000, e.duration / 1000, e.label]));
  });

  it('BrainVision: float32 samples equal, markers as Type/Description', async () => {
    const p = path.join(dir, 'sd.vhdr');
    await writeBrainVision(p, { ...h, events: [{ sample: 10, duration: 0, label: 'Response/R128' }, { sample: 300, duration: 0, label: 'Stimulus/S  1' }] }, block);
    const o = runPython<MneOut>(READ, [p, 'bv', path.join(dir, 'bv.f64')]);
    expect(o.ch_names).toEqual(['Fp1', 'Cz', 'ECG']);
    expect(o.sfreq).toBeCloseTo(1000, 9);
    loadMne(o, 3).forEach((m, c) => { for (let i = 0; i < n; i += 7) expect(Math.abs(m[i] - data[c][i])).toBeLessThan(1e-3); });
    const labels = o.ann.map((a) => [Math.round(a[0] * 1000), a[2]]);
    expect(labels).toEqual(expect.arrayContaining([[10, 'Response/R128'], [300, 'Stimulus/S  1']]));
  });
});

const EXPORT = `
import sys, json, numpy as np, mne
mne.set_log_level('ERROR')
try:
    import EDFlib  # noqa: F401  (mne.export's EDF backend in mne 1.3)
except ImportError:
    print(json.dumps(dict(skip='EDFlib-Python is not installed, mne.export cannot write EDF'))); sys.exit(0)
p, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(3)
x = rng.normal(0, 30e-6, size=(2, 2560))
raw = mne.io.RawArray(x, mne.create_info(['A', 'B'], 256.0, 'eeg'))
raw.set_annotations(mne.Annotations([1.0, 4.5], [0.0, 0.5], ['T1', 'T2']))
mne.export.export_raw(p, raw, fmt='edf', overwrite=True)
back = mne.io.read_raw_edf(p, preload=True)
(back.get_data() * 1e6).astype(np.float64).tofile(out)
print(json.dumps(dict(n=int(back.n_times))))
`;

describe.skipIf(!ok)('SpikeDesk reads what MNE writes', () => {
  it('EDF exported by mne.export (skips when its EDF backend is missing)', async (ctx) => {
    const p = path.join(dir, 'mne.edf');
    const r = runPython<{ skip?: string; n?: number }>(EXPORT, [p, path.join(dir, 'mne.f64')]);
    if (r.skip) { console.warn(`[interop] ${r.skip}`); ctx.skip(); return; }
    const src = await openSource(p);
    const ours = readAll(src);
    const ref = new Float64Array(fs.readFileSync(path.join(dir, 'mne.f64')).buffer.slice(0));
    for (let c = 0; c < 2; c++) for (let i = 0; i < r.n!; i++) expect(Math.abs(ours[c][i] - ref[c * r.n! + i])).toBeLessThan(1e-3);
    expect(src.meta.events.map((e) => e.label)).toEqual(['T1', 'T2']);
    src.close();
  });
});
