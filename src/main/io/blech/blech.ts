// blech_clust HDF5: one int16 dataset per electrode under /raw (electrode00, electrode01, ...),
// 0.195 uV per bit (Intan). The rate is taken from options.rate, else from an attribute in the
// file, else from the JSON .params/.info files blech_clust keeps in the same folder.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as H5 from 'h5wasm/node';
import type { ChannelInfo, RecordingMeta } from '../../../shared/recording';
import type { Source } from '../source';
import { checkFinite, checkRequest, outputs, type NonFinitePolicy } from '../common/checks';
import { stridedTyped } from '../common/matrix';
import { corrupt, ioError, mismatch } from '../common/errors';
import type { IoOpenOptions } from '../common/options';
import { attr, checkStorage, getObj, h5Error, isDataset, isGroup } from '../hdf5/h5';

export const BLECH_UV_PER_BIT = 0.195;

class BlechSource implements Source {
  replaced = 0;
  constructor(readonly meta: RecordingMeta, private f: H5.File | null, private readonly sets: H5.Dataset[],
    private readonly scale: number, private readonly isFloat: boolean, private readonly policy: NonFinitePolicy) {}

  read(channels: number[], start: number, end: number, into?: Float32Array[]): Float32Array[] {
    checkRequest(this.meta, channels, start, end);
    if (!this.f) throw ioError('BAD_REQUEST', this.meta.path, 'The file was already closed', 'Open the recording again.');
    const outs = outputs(this.meta, channels, end - start, into);
    channels.forEach((c, k) => {
      const out = outs[k];
      if (end <= start) return;
      let v: ArrayLike<number>;
      try {
        v = this.sets[c].slice([[start, end]]) as unknown as ArrayLike<number>;
      } catch (e) {
        throw h5Error(e, this.meta.path, `reading ${this.meta.channels[c].name}`);
      }
      if (!v || v.length !== end - start) throw corrupt(this.meta.path, `Reading ${this.meta.channels[c].name} returned the wrong size`);
      stridedTyped(v, 0, 1, end - start, this.scale, 0, out, 0);
      if (this.isFloat) this.replaced += checkFinite(out.subarray(0, end - start), this.policy, this.meta.path, this.meta.channels[c].name, start);
    });
    return outs;
  }

  close(): void {
    this.f?.close();
    this.f = null;
  }
}

/** sampling_rate from blech_clust's JSON sidecars (.params, .info) in the recording folder. */
function sidecarRate(p: string): number | undefined {
  const dir = path.dirname(p);
  let names: string[] = [];
  try { names = fs.readdirSync(dir).filter((n) => /\.(params|info|json)$/i.test(n)).sort(); } catch { return undefined; }
  const find = (o: unknown, depth: number): number | undefined => {
    if (!o || typeof o !== 'object' || depth > 2) return undefined;
    const r = Number((o as Record<string, unknown>).sampling_rate);
    if (r > 0 && Number.isFinite(r)) return r;
    for (const v of Object.values(o as Record<string, unknown>)) { const x = find(v, depth + 1); if (x) return x; }
    return undefined;
  };
  for (const n of names) {
    try {
      const full = path.join(dir, n);
      if (fs.statSync(full).size > 1 << 20) continue;
      const r = find(JSON.parse(fs.readFileSync(full, 'utf8')), 0);
      if (r) return r;
    } catch { /* not JSON: not a blech sidecar */ }
  }
  return undefined;
}

export function openBlech(p: string, f: H5.File, opts: IoOpenOptions): Source {
  try {
    const raw = getObj(f, '/raw');
    if (!isGroup(raw)) throw corrupt(p, 'No /raw group: not a blech_clust file');
    const keys = raw.keys().filter((k) => /^electrode\d+$/.test(k) && isDataset(getObj(f, `/raw/${k}`)))
      .sort((a, b) => Number(a.slice(9)) - Number(b.slice(9)));
    const sets = keys.map((k) => getObj(f, `/raw/${k}`) as H5.Dataset);
    if (sets.length === 0) throw corrupt(p, '/raw holds no electrodeNN datasets');
    const lens = sets.map((d) => d.shape ?? []);
    if (lens.some((s) => s.length !== 1)) throw corrupt(p, 'Every /raw/electrodeNN must be one-dimensional');
    const n = lens[0][0];
    if (lens.some((s) => s[0] !== n)) throw mismatch(p, 'The /raw/electrodeNN datasets have different lengths');
    if (n === 0) throw ioError('FILE_EMPTY', p, 'The electrodes hold no samples', 'Choose another recording.');
    const types = sets.map((d) => d.metadata.type);
    if (types.some((t) => t !== 0 && t !== 1)) throw corrupt(p, 'Electrode data is not numeric');
    const isFloat = types[0] === 1;
    const size = fs.statSync(p).size;
    sets.forEach((d, i) => checkStorage(p, size, d, `/raw/${keys[i]}`));
    const stored = Number(attr(raw, 'sampling_rate') ?? attr(f, 'sampling_rate') ?? NaN);
    const rate = opts.rate ?? (stored > 0 ? stored : sidecarRate(p));
    if (!rate || !(rate > 0)) {
      throw ioError('BAD_PARAMETER', p, 'The sampling rate is not stored in this blech_clust file or its .params/.info files',
        'Enter the sampling rate (Intan: usually 30000 Hz).');
    }
    const notes = ['blech_clust /raw electrodes at 0.195 uV per bit.'];
    const scale = isFloat ? 1 : BLECH_UV_PER_BIT;
    if (isFloat) notes[0] = 'Electrode data is floating point; taken as uV.';
    const channels: ChannelInfo[] = keys.map((k) => ({ name: k, group: '0', unit: 'uV', scale, kind: 'ephys' }));
    const meta: RecordingMeta = { path: p, format: 'blech', channels, sampleRate: rate, nSamples: n, events: [], notes };
    return new BlechSource(meta, f, sets, scale, isFloat, opts.nonFinite ?? 'error');
  } catch (e) {
    f.close();
    throw h5Error(e, p, 'reading the blech_clust layout');
  }
}
