// NWB 2.x export of sorted units: a Units table (spike_times ragged via spike_times_index,
// electrodes as a DynamicTableRegion into the electrodes table, waveform_mean in volts, label
// and every metric as columns) written with h5wasm. Either a new minimal NWB file (NWBFile root,
// devices, electrode groups, electrodes table) or a copy of an NWB source recording with /units
// added, its electrodes rows found through the ElectricalSeries the channels came from.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import type { ExportUnit, Provenance, SortedResult } from '../../shared/export';
import { isDataset, numbers } from '../io/hdf5/h5';
import { findSeries } from '../io/nwb/nwb';
import { dataset, ensureGroup, has, openForWrite, typed, uuidFrom, type H5File, type H5Group } from './h5-write';

export const NWB_VERSION = '2.6.0';
const EE = '/general/extracellular_ephys';
const ELECTRODES = `${EE}/electrodes`;

export interface NwbWrite {
  /** Copy of this NWB file to add /units to (null: a new file). */
  copyOf: string | null;
  notes: string[];
}

/** HDF5 link names cannot contain '/'; '.' alone is reserved. */
function safeName(s: string, fallback: string): string {
  const t = s.replace(/\//g, '_').trim();
  return t && t !== '.' ? t : fallback;
}

function filterText(params: unknown): string {
  const f = (params as { filter?: { lowHz: number; highHz: number; order: number; reference: string } } | null)?.filter;
  return f ? `Butterworth band-pass ${f.lowHz}-${f.highHz} Hz, order ${f.order}, zero-phase; reference ${f.reference}` : 'unknown';
}

function sessionStart(result: SortedResult, notes: string[]): string {
  // The readers do not report the acquisition start; the recording file's time is the best guess.
  try {
    const t = fs.statSync(result.recording.path).mtime.toISOString();
    notes.push('session_start_time is the modification time of the recording file (its acquisition start is not known here)');
    return t;
  } catch {
    notes.push('session_start_time is the export time (the recording file was not reachable)');
    return new Date().toISOString();
  }
}

/** A new electrodes table with one row per recording channel, its groups and a device; returns row per channel. */
function writeElectrodes(f: H5File, result: SortedResult, seed: string): Int32Array {
  const chans = result.recording.channels;
  const devices = ensureGroup(f, '/general/devices');
  const device = has(devices, 'device') ? devices.get('device') as H5Group : devices.create_group('device');
  typed(device, 'Device', 'core', seed, { description: `Acquisition system of ${path.basename(result.recording.path)} (not recorded in the source)` });
  const ee = ensureGroup(f, EE);
  const groupNames = chans.map((c) => safeName(c.group, 'group0'));
  const groups = new Map<string, H5Group>();
  for (const g of new Set(groupNames)) {
    if (has(ee, g)) throw new SpikeDeskError({ code: 'FORMAT_UNSUPPORTED', file: f.filename, message: `${EE}/${g} exists already`, fix: 'Export into a new NWB file.' });
    const eg = ee.create_group(g);
    typed(eg, 'ElectrodeGroup', 'core', seed, { description: `channel group '${g}'`, location: 'unknown' });
    eg.create_soft_link(device.path, 'device');
    groups.set(g, eg);
  }
  const t = ee.create_group('electrodes');
  const cols = ['x', 'y', 'z', 'imp', 'location', 'filtering', 'group', 'group_name', 'channel_name'];
  typed(t, 'DynamicTable', 'hdmf-common', seed, { colnames: cols, description: 'recording channels (one electrode per channel)' });
  const n = chans.length;
  typed(dataset(t, 'id', BigInt64Array.from(chans, (_, i) => BigInt(i))), 'ElementIdentifiers', 'hdmf-common', seed);
  const col = (name: string, data: Parameters<typeof dataset>[2], description: string) =>
    typed(dataset(t, name, data), 'VectorData', 'hdmf-common', seed, { description });
  for (const k of ['x', 'y', 'z']) col(k, new Float64Array(n).fill(NaN), `${k} coordinate of the electrode (unknown)`);
  col('imp', new Float64Array(n).fill(NaN), 'impedance of the electrode in ohms (unknown)');
  col('location', chans.map(() => 'unknown'), 'brain area of the electrode');
  col('filtering', chans.map(() => filterText(result.params)), 'filtering applied before spike detection');
  col('group', groupNames.map((g) => groups.get(g)!.create_reference()), 'electrode group of the electrode');
  col('group_name', groupNames, 'name of the electrode group');
  col('channel_name', chans.map((c) => c.name), 'channel name in the source recording');
  return Int32Array.from(chans, (_, i) => i);
}

/** Rows of an existing electrodes table for our channels, via the series of matching width. */
function existingRows(f: H5File, nChannels: number, notes: string[]): Int32Array | null {
  if (!f.get(ELECTRODES)) return null;
  for (const s of findSeries(f)) {
    const data = f.get(`${s}/data`), reg = f.get(`${s}/electrodes`);
    if (!isDataset(data) || !isDataset(reg)) continue;
    const shape = data.shape ?? [];
    const width = shape.length === 2 ? shape[1] : 1;
    if (width !== nChannels) continue;
    const rows = numbers(reg.value);
    if (rows.length !== nChannels) continue;
    notes.push(`units refer to the electrodes of ${s}`);
    return Int32Array.from(rows);
  }
  throw new SpikeDeskError({
    code: 'FORMAT_UNSUPPORTED', file: f.filename, message: `No ElectricalSeries with ${nChannels} channels names the electrodes of the sorted channels`,
    fix: 'Export into a new NWB file instead of a copy of the source.',
  });
}

function writeUnits(f: H5File, result: SortedResult, units: ExportUnit[], rowOf: Int32Array, seed: string): H5Group {
  if (has(f, 'units')) {
    throw new SpikeDeskError({ code: 'FORMAT_UNSUPPORTED', file: f.filename, message: 'The NWB recording already has a units table', fix: 'Export into a new NWB file instead of a copy of the source.' });
  }
  const fs_ = result.recording.sampleRate;
  const metrics = [...new Set(units.flatMap((u) => Object.keys(u.metrics)))];
  const safeMetrics = metrics.map((m) => safeName(m, 'metric'));
  const reserved = new Set(['id', 'spike_times', 'spike_times_index', 'electrodes', 'electrodes_index', 'waveform_mean', 'label']);
  const metricCols = safeMetrics.map((m) => (reserved.has(m) ? `metric_${m}` : m));
  const g = f.create_group('units');
  const colnames = ['spike_times', 'electrodes', 'waveform_mean', 'label', ...metricCols];
  typed(g, 'Units', 'core', seed, { colnames, description: `units sorted by SpikeDesk from ${path.basename(result.recording.path)}` });
  typed(dataset(g, 'id', BigInt64Array.from(units, (u) => BigInt(u.id))), 'ElementIdentifiers', 'hdmf-common', seed);
  const total = units.reduce((a, u) => a + u.spikes.length, 0);
  const times = new Float64Array(total);
  const ends = total < 2 ** 32 ? new Uint32Array(units.length) : new BigUint64Array(units.length);
  let k = 0;
  units.forEach((u, i) => {
    for (const s of u.spikes) times[k++] = s / fs_;
    if (ends instanceof Uint32Array) ends[i] = k; else ends[i] = BigInt(k);
  });
  const st = dataset(g, 'spike_times', times);
  typed(st, 'VectorData', 'hdmf-common', seed, { description: 'spike times in seconds from the start of the recording', resolution: 1 / fs_ });
  typed(dataset(g, 'spike_times_index', ends), 'VectorIndex', 'hdmf-common', seed,
    { description: 'index into spike_times: end of each unit\'s spikes', target: st.create_reference() });
  const el = dataset(g, 'electrodes', Int32Array.from(units, (u) => rowOf[u.channel]));
  typed(el, 'DynamicTableRegion', 'hdmf-common', seed, { description: 'the electrode (channel) each unit was sorted on', table: (f.get(ELECTRODES) as H5Group).create_reference() });
  typed(dataset(g, 'electrodes_index', Uint32Array.from(units, (_, i) => i + 1)), 'VectorIndex', 'hdmf-common', seed,
    { description: 'index into electrodes', target: el.create_reference() });
  const w = result.waveform.pre + result.waveform.post;
  const wf = new Float32Array(units.length * w);
  units.forEach((u, i) => { for (let j = 0; j < w; j++) wf[i * w + j] = (u.meanWaveform[j] ?? NaN) * 1e-6; });
  typed(dataset(g, 'waveform_mean', wf, [units.length, w]), 'VectorData', 'hdmf-common', seed,
    { description: `mean waveform on the unit's channel, ${result.waveform.pre} samples before the peak`, sampling_rate: { f32: fs_ }, unit: 'volts' });
  typed(dataset(g, 'label', units.map((u) => u.label)), 'VectorData', 'hdmf-common', seed, { description: 'curation label: good, mua, noise or unsorted' });
  metrics.forEach((m, j) => {
    const v = Float64Array.from(units, (u) => u.metrics[m] ?? NaN);
    typed(dataset(g, metricCols[j], v), 'VectorData', 'hdmf-common', seed, { description: `quality metric ${m} (NaN = undefined)` });
  });
  return g;
}

/** Write the NWB file at `file` (a temp path; the caller renames it). */
export async function writeNwb(file: string, result: SortedResult, units: ExportUnit[], prov: Provenance, opts: NwbWrite): Promise<void> {
  const seed = `${prov.createdAt}|${result.recording.path}|${opts.copyOf ?? 'new'}`;
  if (opts.copyOf) fs.copyFileSync(opts.copyOf, file);
  const f = await openForWrite(file, opts.copyOf ? 'a' : 'w');
  try {
    let rowOf: Int32Array | null = null;
    if (opts.copyOf) {
      rowOf = existingRows(f, result.recording.channels.length, opts.notes);
    } else {
      typed(f, 'NWBFile', 'core', seed, { nwb_version: NWB_VERSION });
      dataset(f, 'identifier', uuidFrom(`${seed}|identifier`));
      dataset(f, 'session_description', `Spike sorting of ${path.basename(result.recording.path)}, exported by SpikeDesk ${prov.version}`);
      const start = sessionStart(result, opts.notes);
      dataset(f, 'session_start_time', start);
      dataset(f, 'timestamps_reference_time', start);
      dataset(f, 'file_create_date', [prov.createdAt]);
      for (const g of ['/acquisition', '/analysis', '/processing', '/stimulus/presentation', '/stimulus/templates', '/general/devices']) ensureGroup(f, g);
    }
    rowOf ??= writeElectrodes(f, result, seed);
    const unitsGroup = writeUnits(f, result, units, rowOf, seed);
    const text = JSON.stringify({ ...prov, notes: [...prov.notes, ...opts.notes] });
    const general = ensureGroup(f, '/general');
    if (!has(general, 'notes')) dataset(general, 'notes', `SpikeDesk provenance: ${text}`);
    else unitsGroup.create_attribute('spikedesk_provenance', text);
  } finally {
    f.close();
  }
}
