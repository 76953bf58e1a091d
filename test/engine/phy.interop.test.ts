// Interoperability: numpy loads every .npy of a phy folder written by `spikedesk sort --out`, with
// the dtypes and shapes phy expects, and params.py executes as Python. Skips without numpy.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRecording, tmpDir, removeTmpDirs } from './helpers';
import { runCli } from './cli-helpers';
import { generateSpikeRecording } from '../../src/workers/synth/spikes';
import { writeBrainVision } from '../../src/main/io/brainvision/bv-write';

const PY = '/usr/bin/python3';
const hasNumpy = fs.existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!hasNumpy) console.warn('phy interop test skipped: /usr/bin/python3 with numpy is not installed');

const CHECK = `
import sys, os, json, numpy as np
d = sys.argv[1]
out = {}
for f in sorted(os.listdir(d)):
    if f.endswith('.npy'):
        a = np.load(os.path.join(d, f), allow_pickle=False)
        out[f] = {'dtype': str(a.dtype), 'shape': list(a.shape), 'finite': bool(np.all(np.isfinite(a)))}
ns = {}
exec(open(os.path.join(d, 'params.py')).read(), ns)
out['params'] = {k: ns[k] for k in ('dat_path', 'n_channels_dat', 'dtype', 'offset', 'sample_rate', 'hp_filtered')}
t = np.load(os.path.join(d, 'spike_times.npy'))
out['sorted'] = bool(np.all(np.diff(t) >= 0))
# phylib's TemplateModel: a relative dat_path is taken relative to the folder of params.py.
dp = ns['dat_path'] if os.path.isabs(ns['dat_path']) else os.path.join(d, ns['dat_path'])
out['datResolved'] = os.path.realpath(dp)
raw = np.memmap(dp, dtype=ns['dtype'], mode='r', offset=ns['offset'])
out['datFrames'] = int(raw.size // ns['n_channels_dat'])
print(json.dumps(out))
`;

// What phy shows: waveforms cut from the .dat at spike_times (in the .dat's unit) next to the
// templates. With filtered.dat in int16 counts, templates.npy must be in the same counts (scale
// uv_per_bit in params.py): the mean cut waveform of each unit matches its template in shape and size.
const CHECK_SCALE = `
import sys, os, json, numpy as np
d = sys.argv[1]
ns = {}
exec(open(os.path.join(d, 'params.py')).read(), ns)
dat = np.memmap(os.path.join(d, ns['dat_path']), dtype=ns['dtype'], mode='r', offset=ns['offset']).reshape(-1, ns['n_channels_dat'])
tpl = np.load(os.path.join(d, 'templates.npy'))
st = np.load(os.path.join(d, 'spike_times.npy')).astype(np.int64)
sp = np.load(os.path.join(d, 'spike_templates.npy'))
ind = np.load(os.path.join(d, 'pc_feature_ind.npy'))[:, 0]
cmap = np.load(os.path.join(d, 'channel_map.npy'))
T, W, C = tpl.shape
units = []
for t in range(T):
    s = st[(sp == t) & (st >= W) & (st < dat.shape[0] - W)]
    if len(s) < 20: continue
    col = ind[t]; ref = tpl[t, :, col].astype(np.float64)
    best = None
    for lag in range(W):
        m = np.mean([dat[x - lag:x - lag + W, cmap[col]].astype(np.float64) for x in s[:400]], axis=0)
        r = float(np.corrcoef(m, ref)[0, 1])
        if best is None or r > best[0]: best = (r, float(np.ptp(m) / np.ptp(ref)))
    units.append({'corr': best[0], 'ptpRatio': best[1]})
print(json.dumps({'uv_per_bit': ns.get('uv_per_bit'), 'units': units, 'frames': int(dat.shape[0])}))
`;

afterAll(() => removeTmpDirs());

describe.skipIf(!hasNumpy)('phy folder interop (numpy)', () => {
  it('numpy loads every array with phy dtypes and shapes, and params.py runs', async () => {
    const dir = tmpDir('interop');
    const r = await makeRecording(dir, { nChannels: 3, durationS: 8, sampleRate: 20000, unitsPerChannel: [2, 2, 1] });
    const out = path.join(dir, 'phy');
    const res = await runCli(['sort', r.meta.path, '--channels', '3', '--rate', '20000', '--gain', '0.195', '--jobs', '2', '--out', out, '--json']);
    expect(res.code).toBe(0);
    const nUnits = JSON.parse(res.stdout).units as number;
    const py = spawnSync(PY, ['-c', CHECK, out], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const o = JSON.parse(py.stdout);
    const n = o['spike_times.npy'].shape[0];
    expect(n).toBeGreaterThan(50);
    expect(o['spike_times.npy']).toMatchObject({ dtype: 'int64', shape: [n] });
    expect(o['spike_clusters.npy']).toMatchObject({ dtype: 'int32', shape: [n] });
    expect(o['spike_templates.npy']).toMatchObject({ dtype: 'int32', shape: [n] });
    expect(o['amplitudes.npy']).toMatchObject({ dtype: 'float64', shape: [n], finite: true });
    // Channels with a unit (channel 0 of this recording has only units below the threshold, so a
    // handful of crossings and no unit).
    const C = o['channel_map.npy'].shape[0] as number;
    expect(C).toBeGreaterThanOrEqual(2);
    expect(o['templates.npy']).toMatchObject({ dtype: 'float32', shape: [nUnits, 50, C], finite: true });
    expect(o['pc_features.npy']).toMatchObject({ dtype: 'float32', shape: [n, 3, 1], finite: true });
    expect(o['pc_feature_ind.npy']).toMatchObject({ dtype: 'int32', shape: [nUnits, 1] });
    expect(o['channel_map.npy']).toMatchObject({ dtype: 'int32', shape: [C] });
    expect(o['channel_positions.npy']).toMatchObject({ dtype: 'float64', shape: [C, 2] });
    expect(o.sorted).toBe(true);
    expect(o.params).toEqual({ dat_path: r.meta.path, n_channels_dat: 3, dtype: 'int16', offset: 0, sample_rate: 20000, hp_filtered: false });
    expect(o.datFrames).toBe(r.meta.nSamples);
  });

  it('a phy export of a non-raw recording (BrainVision) carries filtered.dat that numpy maps with params.py', async () => {
    const dir = tmpDir('interop-bv');
    const rec = generateSpikeRecording({ seed: 11, nChannels: 2, durationS: 6, sampleRate: 20000, unitsPerChannel: [2, 1] });
    const vhdr = path.join(dir, 'spikes.vhdr');
    await writeBrainVision(vhdr, { channels: [{ name: 'A' }, { name: 'B' }], sampleRate: 20000, nSamples: rec.nSamples },
      (a, b) => [rec.channelBlock(0, a, b), rec.channelBlock(1, a, b)]);
    const sorted = await runCli(['sort', vhdr, '--jobs', '2', '--json']);
    expect(sorted.code, sorted.stderr).toBe(0);
    const out = path.join(dir, 'phy-export');
    const ex = await runCli(['export', vhdr, '--format', 'phy', '--out', out]);
    expect(ex.code, ex.stderr).toBe(0);
    const py = spawnSync(PY, ['-c', CHECK, out], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const o = JSON.parse(py.stdout);
    expect(o.params).toMatchObject({ dat_path: 'filtered.dat', dtype: 'int16', hp_filtered: true });
    expect(o.datFrames).toBe(rec.nSamples);
    expect(o.sorted).toBe(true);
    expect(o['spike_times.npy'].dtype).toBe('int64');
    // int16: two bytes per sample of the sorted channels (float32 was twice the recording's size).
    expect(fs.statSync(path.join(out, 'filtered.dat')).size).toBe(rec.nSamples * 2 * 2);
    const sc = spawnSync(PY, ['-c', CHECK_SCALE, out], { encoding: 'utf8' });
    expect(sc.status, sc.stderr).toBe(0);
    const scale = JSON.parse(sc.stdout) as { uv_per_bit: number; units: { corr: number; ptpRatio: number }[] };
    expect(scale.uv_per_bit).toBeGreaterThan(0);
    expect(scale.units.length).toBeGreaterThanOrEqual(2);
    for (const u of scale.units) {
      expect(u.corr).toBeGreaterThan(0.9);
      expect(u.ptpRatio).toBeGreaterThan(0.8);
      expect(u.ptpRatio).toBeLessThan(1.25);
    }
  });

  it('sort --out with a relative folder writes a dat_path that phy resolves next to params.py', async () => {
    const dir = tmpDir('interop-rel');
    const rec = generateSpikeRecording({ seed: 12, nChannels: 2, durationS: 4, sampleRate: 20000, unitsPerChannel: [1, 1] });
    const vhdr = path.join(dir, 'rec.vhdr');
    await writeBrainVision(vhdr, { channels: [{ name: 'A' }, { name: 'B' }], sampleRate: 20000, nSamples: rec.nSamples },
      (a, b) => [rec.channelBlock(0, a, b), rec.channelBlock(1, a, b)]);
    // The user's working folder is `dir`; the output is named relative to it (sorted/).
    const res = await runCli(['sort', vhdr, '--jobs', '1', '--out', 'sorted/', '--json'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const out = path.join(dir, 'sorted');
    expect(fs.existsSync(path.join(out, 'filtered.dat'))).toBe(true);
    // phy is started from another folder (the Phy folder itself, as `phy template-gui params.py` is).
    const py = spawnSync(PY, ['-c', CHECK, out], { encoding: 'utf8', cwd: '/' });
    expect(py.status, py.stderr).toBe(0);
    const o = JSON.parse(py.stdout);
    expect(o.datResolved).toBe(fs.realpathSync(path.join(out, 'filtered.dat')));
    expect(o.datFrames).toBe(rec.nSamples);
  });
});
