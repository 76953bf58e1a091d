// Curated Phy export (`spikedesk export --format phy`) of raw recordings whose samples are not
// SpikeDesk's int16 default: params.py must give numpy the recording's own dtype and header offset,
// so phy's memmap of dat_path reads the samples that were sorted, and templates.npy must be in that
// file's counts (uv_per_bit in params.py), so phy's template and waveform views agree. Skips
// without numpy.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSpikeRecording } from '../../src/workers/synth/spikes';
import { runCli } from './cli-helpers';
import { removeTmpDirs, tmpDir } from './helpers';

const PY = '/usr/bin/python3';
const hasNumpy = fs.existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!hasNumpy) console.warn('phy raw-layout interop test skipped: /usr/bin/python3 with numpy is not installed');

const CHECK = `
import sys, os, json, numpy as np
d = sys.argv[1]
ns = {}
exec(open(os.path.join(d, 'params.py')).read(), ns)
raw = np.memmap(ns['dat_path'], dtype=ns['dtype'], mode='r', offset=ns['offset']).reshape(-1, ns['n_channels_dat'])
tpl = np.load(os.path.join(d, 'templates.npy'))
st = np.load(os.path.join(d, 'spike_times.npy'))
stpl = np.load(os.path.join(d, 'spike_templates.npy'))
cmap = np.load(os.path.join(d, 'channel_map.npy'))
# phy's template view against its waveform view: the biggest template's peak-to-peak against that
# of the mean raw snippet (as phy reads dat_path) around its spikes, on its channel.
t = int(np.argmax([np.ptp(x) for x in tpl]))
col = int(np.argmax(np.ptp(tpl[t], axis=0)))
times = st[stpl == t]
times = times[(times > 100) & (times < raw.shape[0] - 100)]
snip = np.mean([raw[s - 60:s + 60, cmap[col]].astype(np.float64) for s in times], axis=0)
ratio = float(np.ptp(tpl[t][:, col]) / np.ptp(snip))
print(json.dumps({'dtype': ns['dtype'], 'offset': ns['offset'], 'frames': int(raw.shape[0]), 'head': [float(x) for x in raw[:4].ravel()], 'uv_per_bit': ns.get('uv_per_bit'), 'ratio': ratio}))
`;

afterAll(() => removeTmpDirs());

describe.skipIf(!hasNumpy)('curated phy export of raw recordings (numpy)', () => {
  for (const [dtype, offset] of [['float32', 0], ['int16', 64]] as const) {
    it(`${dtype} samples after a ${offset}-byte header`, async () => {
      const dir = tmpDir(`phyraw-${dtype}`);
      const nCh = 2, rate = 20000;
      const rec = generateSpikeRecording({ seed: 9, nChannels: nCh, durationS: 6, sampleRate: rate, unitsPerChannel: [2, 1] });
      const n = rec.nSamples;
      const chans = Array.from({ length: nCh }, (_, k) => rec.channelBlock(k, 0, n));
      const data = dtype === 'float32' ? new Float32Array(n * nCh) : new Int16Array(n * nCh);
      for (let i = 0; i < n; i++) for (let k = 0; k < nCh; k++) data[i * nCh + k] = dtype === 'float32' ? chans[k][i] : Math.round(chans[k][i] / 0.195);
      const file = path.join(dir, 'rec.dat');
      fs.writeFileSync(file, Buffer.concat([Buffer.alloc(offset, 7), Buffer.from(data.buffer)]));
      const open = ['--channels', String(nCh), '--rate', String(rate), '--dtype', dtype, '--offset', String(offset), ...(dtype === 'int16' ? ['--gain', '0.195'] : [])];
      const sorted = await runCli(['sort', file, ...open, '--jobs', '1']);
      expect(sorted.code, sorted.stderr).toBe(0);
      const out = path.join(dir, 'phy');
      const exp = await runCli(['export', file, ...open, '--format', 'phy', '--out', out]);
      expect(exp.code, exp.stderr).toBe(0);
      const py = spawnSync(PY, ['-c', CHECK, out], { encoding: 'utf8' });
      expect(py.status, py.stderr).toBe(0);
      const o = JSON.parse(py.stdout) as { dtype: string; offset: number; frames: number; head: number[]; uv_per_bit: number | null; ratio: number };
      // templates.npy is in the counts of the file phy reads (uV / gain), not in uV: phy draws both
      // on one axis (the filtered template is a little smaller than the raw snippet's mean).
      expect(o.uv_per_bit).toBe(dtype === 'int16' ? 0.195 : 1);
      expect(o.ratio).toBeGreaterThan(0.6);
      expect(o.ratio).toBeLessThan(1.6);
      expect(o.dtype).toBe(dtype);
      expect(o.offset).toBe(offset);
      expect(o.frames).toBe(n);
      expect(o.head).toEqual([...data.subarray(0, 4 * nCh)]);
    });
  }
});
