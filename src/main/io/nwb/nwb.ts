// NWB ElectricalSeries reader (h5wasm): data [time, channels] read lazily by hyperslab, scaled
// by conversion (and channel_conversion) plus offset into uV; rate from starting_time@rate or
// from timestamps; names and groups from the electrodes table. options.series picks a series.

import type * as H5 from 'h5wasm/node';
import type { ChannelInfo, RecordingMeta } from '../../../shared/recording';
import type { Source } from '../source';
import { checkFinite, checkRequest, outputs, type NonFinitePolicy } from '../common/checks';
import { stridedTyped } from '../common/matrix';
import { corrupt, ioError } from '../common/errors';
import type { IoOpenOptions } from '../common/options';
import { toMicrovolts } from '../common/units';
import * as fs from 'node:fs';
import { attr, checkDims, checkStorage, getObj, h5Error, isDataset, isGroup, linkedOutside, numbers, strings } from '../hdf5/h5';

const BLOCK_VALUES = 1 << 20;

/** Paths of ElectricalSeries groups under /acquisition and /processing (a few levels deep). */
export function findSeries(f: H5.File): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number) => {
    const g = getObj(f, p);
    if (!isGroup(g)) return;
    for (const k of g.keys().sort()) {
      // Children reached through an external link out of the folder are skipped, never followed.
      const child = linkedOutside(f, `${p}/${k}`) ? null : getObj(f, `${p}/${k}`);
      if (!isGroup(child)) continue;
      const t = attr(child, 'neurodata_type');
      const data = child.keys().includes('data') && !linkedOutside(f, `${p}/${k}/data`) ? getObj(f, `${p}/${k}/data`) : null;
      if (t === 'ElectricalSeries' || (t === undefined && isDataset(data) && child.keys().includes('electrodes'))) out.push(`${p}/${k}`);
      else if (depth > 0) walk(`${p}/${k}`, depth - 1);
    }
  };
  walk('/acquisition', 1);
  walk('/processing', 2);
  return out;
}

class NwbSource implements Source {
  replaced = 0;
  constructor(readonly meta: RecordingMeta, private f: H5.File | null, private readonly data: H5.Dataset,
    private readonly twoD: boolean, private readonly scale: Float64Array, private readonly offset: number,
    private readonly isFloat: boolean, private readonly policy: NonFinitePolicy) {}

  read(channels: number[], start: number, end: number, into?: Float32Array[]): Float32Array[] {
    checkRequest(this.meta, channels, start, end);
    const out = outputs(this.meta, channels, end - start, into);
    if (end <= start || channels.length === 0) return out;
    if (!this.f) throw ioError('BAD_REQUEST', this.meta.path, 'The file was already closed', 'Open the recording again.');
    const lo = Math.min(...channels);
    const hi = Math.max(...channels) + 1;
    const width = this.twoD ? hi - lo : 1;
    const rows = Math.max(1, Math.floor(BLOCK_VALUES / width));
    for (let s0 = start; s0 < end; s0 += rows) {
      const s1 = Math.min(end, s0 + rows);
      let v: ArrayLike<number | bigint>;
      try {
        const sel: [number, number][] = this.twoD ? [[s0, s1], [lo, hi]] : [[s0, s1]];
        v = this.data.slice(sel) as unknown as ArrayLike<number | bigint>;
      } catch (e) {
        throw h5Error(e, this.meta.path, `reading samples ${s0}..${s1}`);
      }
      if (!v || v.length !== (s1 - s0) * width) throw corrupt(this.meta.path, `Reading samples ${s0}..${s1} returned the wrong size`);
      channels.forEach((c, k) => {
        stridedTyped(v, this.twoD ? c - lo : 0, width, s1 - s0, this.scale[c], this.offset, out[k], s0 - start);
      });
    }
    if (this.isFloat) {
      channels.forEach((c, k) => { this.replaced += checkFinite(out[k].subarray(0, end - start), this.policy, this.meta.path, this.meta.channels[c].name, start); });
    }
    return out;
  }

  close(): void {
    this.f?.close();
    this.f = null;
  }
}

export function openNwb(p: string, f: H5.File, opts: IoOpenOptions): Source {
  try {
    return build(p, f, opts);
  } catch (e) {
    f.close();
    throw h5Error(e, p, 'reading the NWB layout');
  }
}

function build(p: string, f: H5.File, opts: IoOpenOptions): Source {
  const all = findSeries(f);
  const notes: string[] = [];
  let seriesPath: string;
  if (opts.series) {
    seriesPath = opts.series.startsWith('/') ? opts.series : `/${opts.series}`;
    const alt = `/acquisition/${opts.series}`;
    if (!isGroup(getObj(f, seriesPath)) && isGroup(getObj(f, alt))) seriesPath = alt;
    if (!isGroup(getObj(f, seriesPath))) {
      throw ioError('BAD_PARAMETER', p, `No series '${opts.series}' in the file`, all.length ? `Choose one of: ${all.join(', ')}.` : 'The file has no ElectricalSeries.');
    }
  } else {
    if (all.length === 0) {
      throw ioError('FORMAT_UNSUPPORTED', p, 'The NWB file has no ElectricalSeries', 'Open an NWB file with raw or LFP voltage data in /acquisition.');
    }
    seriesPath = all[0];
    if (all.length > 1) notes.push(`Series ${seriesPath} chosen; others: ${all.slice(1).join(', ')} (choose with the series option).`);
  }

  const data = getObj(f, `${seriesPath}/data`);
  if (!isDataset(data)) throw corrupt(p, `${seriesPath} has no data dataset`);
  const shape = data.shape ?? [];
  checkDims(p, shape.length === 1 || shape.length === 2, `${seriesPath}/data must be [time] or [time, channels], has shape [${shape.join(', ')}]`);
  const meta0 = data.metadata;
  checkDims(p, meta0.type === 0 || meta0.type === 1, `${seriesPath}/data is not numeric`);
  const isFloat = meta0.type === 1;
  checkStorage(p, fs.statSync(p).size, data, `${seriesPath}/data`);
  const nSamples = shape[0];
  const nCh = shape.length === 2 ? shape[1] : 1;
  if (nSamples === 0 || nCh === 0) throw ioError('FILE_EMPTY', p, `${seriesPath}/data holds no samples`, 'Choose another series or file.');
  const conversion = Number(attr(data, 'conversion') ?? 1);
  const offset = Number(attr(data, 'offset') ?? 0);
  const unit = String(attr(data, 'unit') ?? 'volts');
  const toUv = toMicrovolts(unit);
  if (toUv === null) notes.push(`Unit '${unit}' is not a voltage; values are shown unscaled.`);
  const chConv = isDataset(getObj(f, `${seriesPath}/channel_conversion`)) ? numbers((getObj(f, `${seriesPath}/channel_conversion`) as H5.Dataset).value) : [];
  if (!Number.isFinite(conversion) || !Number.isFinite(offset) || chConv.some((x) => !Number.isFinite(x))) throw corrupt(p, `${seriesPath} has a non-finite conversion or offset`);
  if (chConv.length && chConv.length !== nCh) throw corrupt(p, `channel_conversion has ${chConv.length} entries for ${nCh} channels`);
  const scale = Float64Array.from({ length: nCh }, (_, c) => conversion * (chConv[c] ?? 1) * (toUv ?? 1));
  const rate = seriesRate(p, f, seriesPath, nSamples, notes);
  const channels = electrodeInfo(f, seriesPath, nCh, notes).map((e, c): ChannelInfo => ({
    name: e.name, group: e.group, unit: 'uV', scale: scale[c], kind: 'ephys',
  }));
  const meta: RecordingMeta = { path: p, format: 'nwb', channels, sampleRate: rate, nSamples, events: [], notes: notes.length ? notes : undefined };
  return new NwbSource(meta, f, data, shape.length === 2, scale, offset * (toUv ?? 1), isFloat, opts.nonFinite ?? 'error');
}

function seriesRate(p: string, f: H5.File, s: string, n: number, notes: string[]): number {
  const st = getObj(f, `${s}/starting_time`);
  if (isDataset(st)) {
    const r = Number(attr(st, 'rate'));
    if (r > 0 && Number.isFinite(r)) return r;
  }
  const ts = getObj(f, `${s}/timestamps`);
  if (isDataset(ts)) {
    const m = Math.min(n, 1001);
    const t = numbers(ts.slice([[0, m]]));
    if (t.length >= 2) {
      const d = t.slice(1).map((x, i) => x - t[i]).sort((a, b) => a - b);
      const med = d[Math.floor(d.length / 2)];
      if (med > 0 && Number.isFinite(med)) {
        notes.push('Sample rate estimated from timestamps (median interval of the first samples).');
        return 1 / med;
      }
    }
  }
  throw corrupt(p, `${s} has neither starting_time with a rate nor usable timestamps`);
}

function electrodeInfo(f: H5.File, s: string, nCh: number, notes: string[]): { name: string; group: string }[] {
  const fallback = Array.from({ length: nCh }, (_, c) => ({ name: `ch${c}`, group: '0' }));
  const region = getObj(f, `${s}/electrodes`);
  const table = '/general/extracellular_ephys/electrodes';
  if (!isDataset(region) || !isGroup(getObj(f, table))) return fallback;
  const rows = numbers(region.value);
  const col = (name: string): string[] | null => {
    const d = getObj(f, `${table}/${name}`);
    return isDataset(d) ? strings(d.value).length ? strings(d.value) : numbers(d.value).map(String) : null;
  };
  const ids = col('id');
  const labels = col('label') ?? col('channel_name');
  const groups = col('group_name') ?? col('location');
  if (rows.length !== nCh || !ids || rows.some((r) => !Number.isInteger(r) || r < 0 || r >= ids.length)) {
    notes.push('The electrodes table does not match the data; channels are named by position.');
    return fallback;
  }
  return rows.map((r) => ({ name: labels?.[r] ?? `e${ids[r]}`, group: groups?.[r] ?? '0' }));
}
