// The time-frequency result as NWB 2.x: a DecompositionSeries named "morlet_power" in the processing
// module "ecephys" (data: times x channels x frequencies, float32 power, the band table "bands" with
// one row per wavelet: name, limits f +- f/n_cycles, mean f and the wavelet's spectral SD f/n_cycles),
// and, when the run had bands, a second DecompositionSeries "band_power" (times x rows x bands are
// flattened as times x (band, channel/ROI) rows with its own band table). Written atomically.

import * as path from 'node:path';
import type { TfResult } from '../pipeline/tf-result';
import { withAtomicOutput } from './atomic-output';
import { VERSION } from '../compose';
import { dataset, ensureGroup, openForWrite, setAttrs, typed, uuidFrom, type H5Dataset, type H5Group } from './h5-write';
import { NWB_VERSION } from './nwb';

function bandTable(g: H5Group, seed: string, names: string[], limits: number[][], mean: number[], sd: number[], description: string): void {
  const t = g.create_group('bands');
  typed(t, 'DynamicTable', 'hdmf-common', seed, { colnames: ['band_name', 'band_limits', 'band_mean', 'band_stdev'], description });
  typed(dataset(t, 'id', BigInt64Array.from(names, (_, i) => BigInt(i))), 'ElementIdentifiers', 'hdmf-common', seed);
  const col = (name: string, data: Parameters<typeof dataset>[2], desc: string, shape?: number[]) =>
    typed(dataset(t, name, data, shape), 'VectorData', 'hdmf-common', seed, { description: desc });
  col('band_name', names, 'name of the band');
  col('band_limits', Float64Array.from(limits.flat()), 'low and high limit of the band (Hz)', [names.length, 2]);
  col('band_mean', Float64Array.from(mean), 'centre frequency of the band (Hz)');
  col('band_stdev', Float64Array.from(sd), 'standard deviation of the band (Hz)');
}

/** Bytes of power per written time block (the NWB layout is built block by block, never whole). */
const BLOCK_BYTES = 16 << 20;
/** HDF5 chunk of the streamed dataset: about 1 MB, HDF5's default chunk cache size. */
const CHUNK_BYTES = 1 << 20;

function series(parent: H5Group, name: string, seed: string, write: (g: H5Group) => H5Dataset, unit: string, rate: number, start: number, description: string, metric: string): H5Group {
  const g = parent.create_group(name);
  typed(g, 'DecompositionSeries', 'core', seed, { description, comments: 'exported by SpikeDesk' });
  const d = write(g);
  setAttrs(d, { unit, conversion: { f32: 1 }, resolution: { f32: -1 }, offset: { f32: 0 } });
  const st = dataset(g, 'starting_time', start);
  setAttrs(st, { rate, unit: 'seconds' });
  dataset(g, 'metric', metric);
  return g;
}

/**
 * The power as NWB's times x channels x frequencies, written in blocks of times: each block is
 * gathered from the channels' cache entries (frequency rows of a time range) and appended to a
 * chunked dataset. The demo's full-rate run is 2.8 GB, more than h5wasm's 2 GB heap could take whole.
 */
function writePower(g: H5Group, r: TfResult, nT: number, nC: number, nF: number, blockBytes: number): H5Dataset {
  const perT = nC * nF * 4;
  const T = Math.max(1, Math.min(nT, Math.floor(blockBytes / perT)));
  const chunkT = Math.max(1, Math.min(T, Math.floor(CHUNK_BYTES / perT)));
  const open = r.channels.map((c) => r.openChannel(c));
  try {
    const row = new Float32Array(T);
    let d: H5Dataset | null = null;
    for (let t0 = 0; t0 < nT; t0 += T) {
      const len = Math.min(T, nT - t0);
      const block = new Float32Array(len * nC * nF);
      const part = row.subarray(0, len);
      open.forEach((ch, ci) => {
        for (let fi = 0; fi < nF; fi++) {
          ch.read(fi, t0, part);
          for (let t = 0; t < len; t++) block[(t * nC + ci) * nF + fi] = part[t];
        }
      });
      if (!d) {
        d = g.create_dataset({ name: 'data', data: block, shape: [len, nC, nF], dtype: '<f4', maxshape: [nT, nC, nF], chunks: [chunkT, nC, nF] });
      } else {
        d.resize([t0 + len, nC, nF]);
        d.write_slice([[t0, t0 + len], [], []], block);
      }
    }
    return d!;
  } finally {
    for (const ch of open) ch.close();
  }
}

/** blockBytes: the size of a written block of times (tests set it small to write many blocks). */
export async function writeTfNwb(out: string, r: TfResult, recordingPath: string, overwrite: boolean, blockBytes = BLOCK_BYTES): Promise<void> {
  await withAtomicOutput(path.resolve(out), 'file', overwrite, async (tmp) => {
    const seed = `${r.run.runId}|${recordingPath}`;
    const f = await openForWrite(tmp, 'w');
    try {
      const now = new Date().toISOString();
      typed(f, 'NWBFile', 'core', seed, { nwb_version: NWB_VERSION });
      dataset(f, 'identifier', uuidFrom(`${seed}|identifier`));
      dataset(f, 'session_description', `Morlet time-frequency analysis of ${path.basename(recordingPath)}${r.params.correction ? ' after MRI gradient-artifact correction' : ''}, exported by SpikeDesk ${VERSION}`);
      dataset(f, 'session_start_time', now);
      dataset(f, 'timestamps_reference_time', now);
      dataset(f, 'file_create_date', [now]);
      for (const g of ['/acquisition', '/analysis', '/processing', '/stimulus/presentation', '/stimulus/templates', '/general']) ensureGroup(f, g);
      dataset(ensureGroup(f, '/general'), 'notes', `SpikeDesk provenance: ${JSON.stringify({ software: 'SpikeDesk', version: VERSION, runId: r.run.runId, params: r.params, recording: recordingPath })}`);
      const mod = ensureGroup(f, '/processing/ecephys');
      typed(mod, 'ProcessingModule', 'core', seed, { description: 'time-frequency decomposition (Morlet wavelets, as MNE tfr_array_morlet)' });
      const p = r.params;
      const nF = p.freqs.length, nC = r.channels.length, nT = r.nOut;
      const unit = `${r.meta.channels[r.channels[0]]?.unit ?? 'uV'}^2`;
      const rate = r.meta.sampleRate / p.decim;
      const chans = r.channels.map((c) => r.meta.channels[c].name);
      const g = series(mod, 'morlet_power', seed, (sg) => writePower(sg, r, nT, nC, nF, blockBytes), unit, rate, 0,
        `Morlet power of channels ${chans.join(', ')} (axis 1, in this order); every ${p.decim}-th sample`, 'power');
      dataset(g, 'channel_names', chans);
      const cyc = p.freqs.map((_, i) => (p.nCycles.length === 1 ? p.nCycles[0] : p.nCycles[i]));
      bandTable(g, seed, p.freqs.map((fr) => `${fr} Hz`), p.freqs.map((fr, i) => [fr - fr / cyc[i], fr + fr / cyc[i]]), p.freqs,
        p.freqs.map((fr, i) => fr / cyc[i]), 'Morlet wavelets: centre frequency and spectral SD (f / n_cycles)');
      const b = r.band;
      if (b && p.bands.length) {
        const rows = b.labels.length / p.bands.length;
        const names = b.labels.slice(0, rows).map((l) => l.split('\t')[1]);
        const nTb = b.times.length;
        const bd = new Float32Array(nTb * rows * p.bands.length);
        for (let bi = 0; bi < p.bands.length; bi++) for (let k = 0; k < rows; k++) for (let t = 0; t < nTb; t++) bd[(t * rows + k) * p.bands.length + bi] = b.series[(bi * rows + k) * nTb + t];
        const bg = series(mod, 'band_power', seed, (sg) => dataset(sg, 'data', bd, [nTb, rows, p.bands.length], '<f4'), b.unit, rate, b.times[0],
          `Band power of channels and regions ${names.join(', ')} (axis 1)${b.epochs ? `, event-locked average of ${b.epochs.used} epochs` : ''}${p.baseline.mode !== 'none' ? `, baseline ${p.baseline.mode}` : ''}`, 'power');
        dataset(bg, 'channel_names', names);
        bandTable(bg, seed, p.bands.map((x) => x.name), p.bands.map((x) => [x.lo, x.hi]), p.bands.map((x) => (x.lo + x.hi) / 2),
          p.bands.map((x) => (x.hi - x.lo) / 2), 'bands of the band-power series (mean power over the analysed frequencies in the limits)');
      }
    } finally {
      f.close();
    }
  });
}
