// Files written by h5py (NWB-like ElectricalSeries, blech_clust layout) and numpy (raw .dat)
// inside the test are read by SpikeDesk with the same samples as numpy computes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { readAll, tmpDir } from './helpers';
import { hasPython, runPython, skipNote } from './python';

const MODS = ['h5py', 'numpy'];
const ok = hasPython(MODS);
skipNote('h5py/numpy interop', MODS);
const dir = tmpDir('h5py');

const WRITE = `
import sys, json, numpy as np, h5py
d = sys.argv[1]
rng = np.random.default_rng(42)
# NWB-like: float32 data in volts-per-unit with conversion and offset, chunked + gzip.
x = rng.normal(0, 200, size=(3000, 5)).astype(np.float32)
with h5py.File(d + '/py.nwb', 'w') as f:
    f.attrs['nwb_version'] = '2.6.0'
    el = f.create_group('general/extracellular_ephys/electrodes')
    el.create_dataset('id', data=np.arange(5))
    el.create_dataset('group_name', data=['tet0'] * 4 + ['ref'], dtype=h5py.string_dtype())
    g = f.create_group('acquisition/raw_es'); g.attrs['neurodata_type'] = 'ElectricalSeries'
    ds = g.create_dataset('data', data=x, chunks=(512, 5), compression='gzip')
    ds.attrs['conversion'] = 2.5e-6; ds.attrs['offset'] = -1e-5; ds.attrs['unit'] = 'volts'
    st = g.create_dataset('starting_time', data=0.0); st.attrs['rate'] = 20000.0
    g.create_dataset('electrodes', data=np.arange(5))
(x.astype(np.float64) * 2.5 - 10).T.astype(np.float64).tofile(d + '/py_nwb.f64')
# blech_clust layout.
b = rng.integers(-2000, 2000, size=(4, 2500)).astype(np.int16)
with h5py.File(d + '/py_blech.h5', 'w') as f:
    for i in range(4):
        f.create_dataset('raw/electrode%02d' % i, data=b[i])
(b * 0.195).astype(np.float64).tofile(d + '/py_blech.f64')
# numpy raw int16, interleaved.
r = rng.integers(-30000, 30000, size=(1800, 6)).astype(np.int16)
r.tofile(d + '/py_raw.dat')
(r.T * 0.25).astype(np.float64).tofile(d + '/py_raw.f64')
print(json.dumps(dict(ok=True)))
`;

function ref(name: string, nCh: number): Float64Array[] {
  const all = new Float64Array(fs.readFileSync(path.join(dir, name)).buffer.slice(0));
  const n = all.length / nCh;
  return Array.from({ length: nCh }, (_, c) => all.subarray(c * n, (c + 1) * n));
}

function same(ours: Float32Array[], theirs: Float64Array[]): void {
  expect(ours.length).toBe(theirs.length);
  ours.forEach((o, c) => {
    expect(o.length).toBe(theirs[c].length);
    let worst = 0;
    for (let i = 0; i < o.length; i++) worst = Math.max(worst, Math.abs(o[i] - theirs[c][i]) / Math.max(1, Math.abs(theirs[c][i])));
    expect(worst).toBeLessThan(1e-5);
  });
}

describe.skipIf(!ok)('SpikeDesk reads files written by h5py and numpy', () => {
  beforeAll(() => {
    expect(runPython<{ ok: boolean }>(WRITE, [dir]).ok).toBe(true);
  });

  it('NWB-like (gzip, chunked, conversion + offset, electrode groups)', async () => {
    const src = await openSource(path.join(dir, 'py.nwb'));
    expect(src.meta.format).toBe('nwb');
    expect(src.meta.sampleRate).toBe(20000);
    expect(src.meta.channels.map((c) => c.group)).toEqual(['tet0', 'tet0', 'tet0', 'tet0', 'ref']);
    same(readAll(src, 700), ref('py_nwb.f64', 5));
    same(src.read([3, 1], 0, 3000), [ref('py_nwb.f64', 5)[3], ref('py_nwb.f64', 5)[1]]);
    src.close();
  });

  it('blech_clust layout', async () => {
    const src = await openSource(path.join(dir, 'py_blech.h5'), { rate: 30000 });
    expect(src.meta.format).toBe('blech');
    same(readAll(src), ref('py_blech.f64', 4));
    src.close();
  });

  it('numpy raw int16', async () => {
    const src = await openSource(path.join(dir, 'py_raw.dat'), { channels: 6, rate: 30000, gain: 0.25 });
    same(readAll(src, 333), ref('py_raw.f64', 6));
    src.close();
  });
});
