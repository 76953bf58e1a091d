// Loads a `spikedesk sort --out` folder (sort-output.ts layout: Phy arrays, params.py,
// cluster_group.tsv, units.tsv) into a SortedResult. spike_clusters.npy and cluster_group.tsv
// are read as the truth, so a folder curated in phy afterwards exports its curated units; units.tsv
// supplies each unit's recording channel, channel name and metrics, and provenance.json (when
// present) the recording, parameters and input hash.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLabel, type Label } from '../../shared/curation';
import { SpikeDeskError } from '../../shared/errors';
import type { ExportChannel, ExportUnit, Provenance, SortedResult } from '../../shared/export';
import { decodeNpy } from './npy';
import { PROVENANCE_JSON, UNIT_COLUMNS } from './tsv';

function corrupt(file: string, message: string): never {
  throw new SpikeDeskError({ code: 'FORMAT_CORRUPT', file, message, fix: 'Re-run spikedesk sort with --out to write the folder again.' });
}

function npy(dir: string, name: string, required: boolean): { shape: number[]; values: number[] } | null {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return required ? corrupt(file, `${name} is missing`) : null;
  try {
    return decodeNpy(fs.readFileSync(file), file);
  } catch (e) {
    return corrupt(file, `${name} is not a readable .npy file (${(e as Error).message})`);
  }
}

/** `key = value` lines of phy's params.py (Python literals: strings, numbers, True/False). */
export function parseParamsPy(text: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_]\w*)\s*=\s*(.+?)\s*$/.exec(line);
    if (!m) continue;
    const v = m[2];
    if (/^r?(['"]).*\1$/.test(v)) out[m[1]] = v.startsWith('"') ? JSON.parse(v) as string : v.replace(/^r?'|'$/g, '');
    else if (v === 'True' || v === 'False') out[m[1]] = v === 'True';
    else if (Number.isFinite(Number(v))) out[m[1]] = Number(v);
  }
  return out;
}

/** Rows of a tab-separated table with a header, as objects keyed by column. */
export function readTsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
}

function metricValue(s: string): number | null {
  const v = Number(s);
  return s.trim() === '' || !Number.isFinite(v) ? null : v;
}

/** Waveforms are aligned to their extremum: the most common extremum index of the mean waveforms. */
function alignedAt(units: ExportUnit[], W: number): number {
  const votes = new Int32Array(Math.max(1, W));
  for (const u of units) {
    let best = 0;
    for (let j = 1; j < W; j++) if (Math.abs(u.meanWaveform[j]) > Math.abs(u.meanWaveform[best])) best = j;
    votes[best] += u.spikes.length;
  }
  return votes.indexOf(Math.max(...votes));
}

export interface SortFolderOptions {
  /** The recording the folder was sorted from (overrides provenance.json / params.py). */
  recording?: { path: string; format?: SortedResult['recording']['format']; nSamples?: number; channels?: ExportChannel[] };
}

export function fromSortFolder(dir: string, opts: SortFolderOptions = {}): SortedResult {
  if (!fs.existsSync(path.join(dir, 'params.py')) || !fs.existsSync(path.join(dir, 'spike_times.npy'))) {
    throw new SpikeDeskError({ code: 'FORMAT_UNKNOWN', file: dir, message: 'This folder is not a spikedesk sort output (no params.py / spike_times.npy)', fix: 'Give the folder written by spikedesk sort --out.' });
  }
  const params = parseParamsPy(fs.readFileSync(path.join(dir, 'params.py'), 'utf8'));
  const fsHz = Number(params.sample_rate);
  if (!(fsHz > 0)) corrupt(path.join(dir, 'params.py'), 'params.py has no positive sample_rate');
  const prov = fs.existsSync(path.join(dir, PROVENANCE_JSON)) ? JSON.parse(fs.readFileSync(path.join(dir, PROVENANCE_JSON), 'utf8')) as Partial<Provenance> : null;

  const times = npy(dir, 'spike_times.npy', true)!.values;
  const clusters = npy(dir, 'spike_clusters.npy', true)!.values;
  if (clusters.length !== times.length) corrupt(path.join(dir, 'spike_clusters.npy'), `${clusters.length} cluster ids for ${times.length} spikes`);
  const spikeTemplates = npy(dir, 'spike_templates.npy', false)?.values ?? clusters;
  const amps = npy(dir, 'amplitudes.npy', false)?.values ?? null;
  const pcf = npy(dir, 'pc_features.npy', false);
  const tpl = npy(dir, 'templates.npy', true)!;
  const [T, W, C] = tpl.shape;
  // templates.npy is in the counts of the trace file when params.py gives their scale (filtered.dat,
  // or a raw recording with its gain); else uV.
  const givenScale = typeof params.uv_per_bit === 'number' && params.uv_per_bit > 0 ? params.uv_per_bit : undefined;
  const uvPerBit = givenScale ?? 1;
  const featInd = npy(dir, 'pc_feature_ind.npy', false)?.values ?? null;
  const channelMap = npy(dir, 'channel_map.npy', false)?.values ?? Array.from({ length: C }, (_, i) => i);

  // units.tsv: recording channel, name and metrics of each unit the sorter produced.
  const unitRows = fs.existsSync(path.join(dir, 'units.tsv')) ? readTsv(path.join(dir, 'units.tsv')) : [];
  const fixed = new Set<string>([...UNIT_COLUMNS, 'n_spikes']);
  const byUnit = new Map(unitRows.map((r) => [Number(r.unit), r]));
  const names = new Map<number, string>();
  for (const r of unitRows) if (r.channel_name) names.set(Number(r.channel), r.channel_name);
  // Template column -> recording channel: from units.tsv (template t is unit t) else channel_map.
  const colChannel = channelMap.slice();
  if (featInd) for (let t = 0; t < T; t++) { const r = byUnit.get(t); if (r) colChannel[featInd[t]] = Number(r.channel); }
  const templateCol = (t: number): number => {
    if (featInd) return featInd[t];
    let best = 0, amp = -1; // the column where the template is largest
    for (let c = 0; c < C; c++) for (let j = 0; j < W; j++) { const a = Math.abs(tpl.values[(t * W + j) * C + c]); if (a > amp) { amp = a; best = c; } }
    return best;
  };

  const labels = new Map<number, Label>();
  const cg = path.join(dir, 'cluster_group.tsv');
  if (fs.existsSync(cg)) for (const r of readTsv(cg)) { const g = r.group ?? r.KSLabel; labels.set(Number(r.cluster_id), isLabel(g) ? g : 'unsorted'); }

  const members = new Map<number, number[]>();
  clusters.forEach((c, i) => { let m = members.get(c); if (!m) members.set(c, m = []); m.push(i); });
  const nPc = pcf ? pcf.shape[1] * (pcf.shape[2] ?? 1) : 0;
  const units: ExportUnit[] = [...members.keys()].sort((a, b) => a - b).map((id) => {
    const idx = members.get(id)!.sort((a, b) => times[a] - times[b] || a - b);
    // Mean waveform: the spikes' templates on the unit's column, weighted by spike count.
    const count = new Map<number, number>();
    for (const i of idx) count.set(spikeTemplates[i], (count.get(spikeTemplates[i]) ?? 0) + 1);
    const main = [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    if (main < 0 || main >= T) corrupt(path.join(dir, 'spike_templates.npy'), `template ${main} does not exist`);
    const col = templateCol(main);
    const mean = new Float32Array(W);
    for (const [t, n] of count) if (t >= 0 && t < T) for (let j = 0; j < W; j++) mean[j] += (tpl.values[(t * W + j) * C + col] * n * uvPerBit) / idx.length;
    const row = byUnit.get(id);
    const metrics: Record<string, number | null> = {};
    if (row) for (const [k, v] of Object.entries(row)) if (!fixed.has(k)) metrics[k] = metricValue(v);
    return {
      id, channel: row ? Number(row.channel) : colChannel[col], label: labels.get(id) ?? 'unsorted',
      spikes: Float64Array.from(idx, (i) => times[i]),
      amplitudes: amps ? Float32Array.from(idx, (i) => amps[i]) : null,
      meanWaveform: mean, waveforms: null,
      features: pcf ? Float32Array.from({ length: idx.length * nPc }, (_, k) => pcf.values[idx[Math.floor(k / nPc)] * nPc + (k % nPc)]) : null,
      metrics,
    };
  });

  const nCh = Math.max(Number(params.n_channels_dat) || 0, ...units.map((u) => u.channel + 1), ...colChannel.map((c) => c + 1));
  const rec = opts.recording ?? (prov?.recording ? { path: prov.recording.path, format: prov.recording.format, nSamples: prov.recording.nSamples } : null);
  const datPath = typeof params.dat_path === 'string' ? params.dat_path : '';
  let nSamples = rec?.nSamples;
  if (nSamples === undefined && datPath && fs.existsSync(datPath)) {
    const bytes = params.dtype === 'int16' || params.dtype === 'uint16' ? 2 : 4;
    nSamples = Math.floor((fs.statSync(datPath).size - (Number(params.offset) || 0)) / (bytes * (Number(params.n_channels_dat) || 1)));
  }
  const channels: ExportChannel[] = opts.recording?.channels
    ?? Array.from({ length: nCh }, (_, c) => ({ name: names.get(c) ?? `ch${c}`, group: '' }));
  const format = rec?.format ?? (params.hp_filtered === false ? 'raw' : null);
  return {
    recording: {
      path: rec?.path ?? (params.hp_filtered === false ? datPath : dir), format,
      sampleRate: fsHz, nSamples: nSamples ?? Math.ceil(Math.max(0, ...times) + 1), channels,
      ...(format === 'raw' ? { raw: rawLayout(params, givenScale) } : {}),
    },
    waveform: { pre: alignedAt(units, W), post: W - alignedAt(units, W) },
    featureNames: Array.from({ length: nPc }, (_, i) => `PC${i + 1}`), units,
    params: prov?.params ?? null, curationJournalLength: prov?.curationJournalLength ?? 0,
    inputHash: prov?.inputHash ?? null, origin: { kind: 'sort-folder', path: path.resolve(dir), runId: null },
  };
}

/** The raw binary layout params.py gives phy (dat_path's dtype and header offset) with its uv_per_bit. */
function rawLayout(params: Record<string, unknown>, uvPerBit: number | undefined): NonNullable<SortedResult['recording']['raw']> {
  const dtype = params.dtype === 'uint16' || params.dtype === 'float32' ? params.dtype : 'int16';
  const offset = typeof params.offset === 'number' && params.offset >= 0 ? params.offset : 0;
  return { dtype, offset, ...(uvPerBit ? { uvPerBit } : {}) };
}
