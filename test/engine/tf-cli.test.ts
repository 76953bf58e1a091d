// `spikedesk tf` end to end: the npy/TSV folder (shapes, dtype, values equal to the cache and to the
// band definition), refusal to overwrite without --force, usage errors; and an interop check where
// numpy reads power.npy and MNE (reading the same BrainVision file itself) gives the same power.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/main/export/npy';
import { makeEegRecording, removeTmpDirs, tmpDir, type TestRecording } from './helpers';
import { runCli } from './cli-helpers';
import { hasPython, runPython, skipNote } from '../io/python';

let dir: string;
let r: TestRecording;
beforeAll(async () => {
  dir = tmpDir('tf-cli');
  r = await makeEegRecording(dir, { nChannels: 3, durationS: 16, fs: 2000 });
});
afterAll(() => removeTmpDirs());

const npy = (d: string, f: string): ReturnType<typeof decodeNpy> => decodeNpy(fs.readFileSync(path.join(d, f)));
const ARGS = ['--freqs', '4:12:2', '--n-cycles', '5', '--decim', '4', '--band', 'theta', '--band', 'alpha',
  '--roi', 'F=EEG01,EEG02', '--baseline', '1:3', '--baseline-mode', 'logratio', '--only', '0-2', '--jobs', '2', '--no-progress'];

describe('spikedesk tf', { timeout: 300_000 }, () => {
  it('writes power/freqs/times/channels/band_power and refuses to overwrite without --force', async () => {
    const out = path.join(dir, 'tf-out');
    const res = await runCli(['tf', r.meta.path, ...ARGS, '--out', out, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const power = npy(out, 'power.npy');
    const nOut = Math.ceil(r.meta.nSamples / 4);
    expect(power.dtype).toBe('<f4');
    expect(power.shape).toEqual([3, 5, nOut]);
    expect(npy(out, 'freqs.npy').values).toEqual([4, 6, 8, 10, 12]);
    const times = npy(out, 'times.npy').values;
    expect(times.length).toBe(nOut);
    expect(times[1]).toBeCloseTo(4 / 2000, 12);
    expect(fs.readFileSync(path.join(out, 'channels.tsv'), 'utf8').split('\n')[1]).toBe('0\t0\tEEG01\tuV^2');
    const tsv = fs.readFileSync(path.join(out, 'band_power.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(tsv[0]).toEqual(['time_s', 'theta:EEG01', 'theta:EEG02', 'theta:EEG03', 'theta:F', 'alpha:EEG01', 'alpha:EEG02', 'alpha:EEG03', 'alpha:F']);
    expect(tsv.length - 1).toBe(nOut);
    // Band power = mean of the 4, 6, 8 Hz rows, then logratio against the 1-3 s mean: recompute from power.npy.
    const p = power.values;
    const theta0 = Array.from({ length: nOut }, (_, t) => (p[0 * nOut + t] + p[1 * nOut + t] + p[2 * nOut + t]) / 3);
    const inBl = times.map((x, i) => (x >= 1 && x <= 3 ? i : -1)).filter((i) => i >= 0);
    const m = inBl.reduce((a, i) => a + theta0[i], 0) / inBl.length;
    for (const t of [10, 1000, nOut - 1]) expect(Number(tsv[t + 1][1])).toBeCloseTo(Math.log10(theta0[t] / m), 5);

    const again = await runCli(['tf', r.meta.path, ...ARGS, '--out', out]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    const forced = await runCli(['tf', r.meta.path, ...ARGS, '--strategy', 'frequency', '--out', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(npy(out, 'power.npy').values).toEqual(p);
  });

  it('usage errors name the flag; bad parameters name the field', async () => {
    const a = await runCli(['tf', r.meta.path, '--freqs', '8:4:1']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/--freqs 8:4:1/);
    const b = await runCli(['tf', r.meta.path, '--freqs', '4,1500', '--no-progress']);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/freqs\.1.*Nyquist/);
  });

  it('--corrected: the correction runs first (its parameters from --params and the trigger flags), then tf on the corrected channels', async () => {
    const raw = path.join(dir, 'tf-raw'), corr = path.join(dir, 'tf-corr');
    const base = ['--freqs', '15,20,25', '--n-cycles', '5', '--decim', '8', '--only', '0-1', '--no-progress'];
    const a = await runCli(['tf', r.meta.path, ...base, '--out', raw]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(['tf', r.meta.path, ...base, '--corrected', '--params', '{"correction":{"lowpassHz":60}}', '--out', corr]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/stages run: triggers, aas, lowpass, tf/);
    // Which triggers the correction used, as `spikedesk correct` says it.
    expect(b.stdout).toMatch(/^triggers: \d+ from markers matching .* look like scanner triggers/m);
    expect(a.stdout).not.toMatch(/^triggers:/m);
    const prov = JSON.parse(fs.readFileSync(path.join(corr, 'provenance.json'), 'utf8')) as { params: { correction: { lowpassHz: number; engine: string } | null } };
    expect(prov.params.correction).toMatchObject({ lowpassHz: 60, engine: 'spline' });
    // The gradient harmonics leave 15-25 Hz: the scanned part's power falls by far.
    const mean = (v: ArrayLike<number>): number => Array.from(v).reduce((x, y) => x + y, 0) / v.length;
    const pr = npy(raw, 'power.npy').values, pc = npy(corr, 'power.npy').values;
    expect(mean(pc)).toBeLessThan(0.2 * mean(pr));
    // A correction run with the same parameters beforehand: tf takes the corrected channels from its cache.
    const c = await runCli(['correct', r.meta.path, '--only', '0-1', '--params', '{"lowpassHz":55}', '--no-progress']);
    expect(c.code, c.stderr).toBe(0);
    const d = await runCli(['tf', r.meta.path, ...base, '--corrected', '--params', '{"correction":{"lowpassHz":55}}', '--no-progress']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/stages run: tf; from cache: triggers, aas, lowpass/);
    // Trigger flags name a correction's triggers: refused without --corrected, refused for sort.
    const e = await runCli(['tf', r.meta.path, ...base, '--trigger-regex', 'R128']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/add --corrected/);
    const f = await runCli(['sort', r.meta.path, '--corrected']);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/--corrected applies to tf, batch/);
    const g = await runCli(['tf', r.meta.path, ...base, '--corrected', '--trigger-regex', 'NoSuchLabel']);
    expect(g.code).toBe(3);
    expect(g.stdout).toMatch(/triggers failed: no event label matches \/NoSuchLabel\/.*Fix: set the trigger pattern/);
  });

  it('numpy reads power.npy and it matches MNE tfr_array_morlet on the same file (interop)', async () => {
    const mods = ['numpy', 'mne', 'h5py'];
    skipNote('tf MNE interop', mods);
    if (!hasPython(mods)) return;
    const out = path.join(dir, 'tf-interop');
    const res = await runCli(['tf', r.meta.path, '--freqs', '5,9,17', '--n-cycles', '4,5,6', '--decim', '3', '--only', '0-1', '--no-progress', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const rel = runPython<{ rel: number; shape: number[] }>(`
import sys, json, numpy as np, mne
from mne.time_frequency import tfr_array_morlet
raw = mne.io.read_raw_brainvision(sys.argv[1], preload=True, verbose=False)
x = raw.get_data(picks=[0, 1])[np.newaxis] * 1e6  # volts -> microvolts, the unit SpikeDesk reads
ref = tfr_array_morlet(x, raw.info['sfreq'], np.array([5., 9., 17.]), n_cycles=np.array([4., 5., 6.]), decim=3, output='power', verbose=False)[0]
ours = np.load(sys.argv[2] + '/power.npy')
print(json.dumps({'rel': float(np.max(np.abs(ours - ref) / np.abs(ref))), 'shape': list(ours.shape)}))
`, [r.meta.path, out]);
    expect(rel.shape[0]).toBe(2);
    // NWB: h5py reads the DecompositionSeries and its band table; data = power.npy transposed.
    const nwbFile = path.join(dir, 'tf.nwb');
    const res2 = await runCli(['tf', r.meta.path, '--freqs', '5,9,17', '--n-cycles', '4,5,6', '--decim', '3', '--only', '0-1', '--band', 'theta', '--no-progress', '--nwb', nwbFile]);
    expect(res2.code, res2.stderr).toBe(0);
    const h5 = runPython<{ type: string; shape: number[]; bands: string[]; mean: number[]; maxdiff: number; module: string; bandShape: number[] }>(`
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
g = f['processing/ecephys/morlet_power']
d = g['data'][()]
ours = np.load(sys.argv[2] + '/power.npy')
s = lambda v: v.decode() if isinstance(v, bytes) else v
print(json.dumps({'type': s(g.attrs['neurodata_type']), 'module': s(f['processing/ecephys'].attrs['neurodata_type']), 'shape': list(d.shape),
  'bands': [s(x) for x in g['bands/band_name'][()]], 'mean': g['bands/band_mean'][()].tolist(),
  'maxdiff': float(np.max(np.abs(d - np.transpose(ours, (2, 0, 1))))), 'bandShape': list(f['processing/ecephys/band_power/data'].shape)}))
`, [nwbFile, out]);
    expect(h5.type).toBe('DecompositionSeries');
    expect(h5.module).toBe('ProcessingModule');
    expect(h5.shape).toEqual([rel.shape[2], 2, 3]);
    expect(h5.bands).toEqual(['5 Hz', '9 Hz', '17 Hz']);
    expect(h5.mean).toEqual([5, 9, 17]);
    expect(h5.maxdiff).toBe(0);
    expect(h5.bandShape).toEqual([rel.shape[2], 2, 1]);
    // float32 storage of the power: relative error ~6e-8.
    expect(rel.rel).toBeLessThan(1e-6);
  });
});
