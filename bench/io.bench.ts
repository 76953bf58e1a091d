// io benchmarks: read throughput of every format (MB of file per second, reading all channels in
// blocks as a worker does) against a plain sequential fs read of the same file in the same run;
// writer throughput for EDF+ and BrainVision; and the peak RSS of a child process that reads a
// 1 GB raw file channel by channel (target < 200 MB; quick mode uses 128 MB).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource } from '../src/main/io';
import { writeBrainVision } from '../src/main/io/brainvision/bv-write';
import { writeEdf } from '../src/main/io/edf/edf-write';
import type { IoOpenOptions } from '../src/main/io/common/options';
import { Rng } from '../src/workers/rng';
import { medianMs, type BenchContext, type BenchRow } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
const NCH = 64;
const RATE = 30000;
const AREA = 'io';

/** Fill a file of ~`bytes` with interleaved int16 noise, repeating one seeded 4 MB chunk. */
function makeRaw(file: string, bytes: number): number {
  const rng = new Rng(9);
  const chunk = new Int16Array((4 << 20) / 2).map(() => Math.round(rng.normal() * 800));
  const frames = Math.floor(bytes / (NCH * 2));
  const total = frames * NCH * 2;
  const fd = fs.openSync(file, 'w');
  for (let w = 0; w < total;) {
    const n = Math.min(chunk.byteLength, total - w);
    fs.writeSync(fd, new Uint8Array(chunk.buffer, 0, n));
    w += n;
  }
  fs.closeSync(fd);
  return frames;
}

function plainRead(file: string): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let pos = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
  }
  fs.closeSync(fd);
}

function readEverything(p: string, opts: IoOpenOptions | undefined, block: number): () => Promise<void> {
  return async () => {
    const src = await openSource(p, opts);
    const chans = src.meta.channels.map((_, i) => i);
    for (let s = 0; s < src.meta.nSamples; s += block) src.read(chans, s, Math.min(src.meta.nSamples, s + block));
    src.close();
  };
}

function dataBytes(paths: string[]): number {
  return paths.reduce((a, p) => a + fs.statSync(p).size, 0);
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = fs.mkdtempSync(path.join(ctx.tmpDir, 'io-'));
  const size = (ctx.quick ? 16 : 192) << 20;
  const runs = ctx.quick ? 3 : 5;
  const rawPath = path.join(dir, 'rec.dat');
  const frames = makeRaw(rawPath, size);
  const rawOpts: IoOpenOptions = { channels: NCH, rate: RATE, gain: 0.195 };

  // Sidecar variants of the same bytes.
  fs.writeFileSync(path.join(dir, 'rec.meta'), [`nSavedChans=${NCH}`, `imSampRate=${RATE}`, `fileSizeBytes=${frames * NCH * 2}`, 'typeThis=imec', `snsApLfSy=${NCH},0,0`].join('\n'));
  const oe = path.join(dir, 'oe');
  fs.mkdirSync(path.join(oe, 'continuous', 'S-100.0'), { recursive: true });
  fs.linkSync(rawPath, path.join(oe, 'continuous', 'S-100.0', 'continuous.dat'));
  fs.writeFileSync(path.join(oe, 'structure.oebin'), JSON.stringify({ continuous: [{ folder_name: 'S-100.0/', sample_rate: RATE, num_channels: NCH, channels: Array.from({ length: NCH }, (_, i) => ({ channel_name: `CH${i + 1}`, bit_volts: 0.195, units: 'uV' })) }] }));

  // Writers, fed from the raw source (this also produces the EDF and BrainVision inputs).
  const src = await openSource(rawPath, rawOpts);
  const all = src.meta.channels.map((_, i) => i);
  const header = { channels: src.meta.channels.map((c) => ({ name: c.name })), sampleRate: RATE, nSamples: frames };
  const edfPath = path.join(dir, 'rec.edf');
  const bvPath = path.join(dir, 'rec.vhdr');
  const tEdf = performance.now();
  await writeEdf(edfPath, header, (s, e) => src.read(all, s, e), { range: [-8000, 8000] });
  const edfMs = performance.now() - tEdf;
  const tBv = performance.now();
  await writeBrainVision(bvPath, header, (s, e) => src.read(all, s, e));
  const bvMs = performance.now() - tBv;
  src.close();
  rows.push({ area: AREA, name: 'write EDF+ (16-bit, given range)', unit: 'MB/s', value: fs.statSync(edfPath).size / 2 ** 20 / (edfMs / 1000), note: `${NCH} ch, includes reading the raw input` });
  rows.push({ area: AREA, name: 'write BrainVision (float32)', unit: 'MB/s', value: fs.statSync(bvPath.replace('.vhdr', '.eeg')).size / 2 ** 20 / (bvMs / 1000), note: `${NCH} ch, includes reading the raw input` });

  const cases: { name: string; path: string; files: string[]; opts?: IoOpenOptions }[] = [
    { name: 'raw int16', path: rawPath, files: [rawPath], opts: rawOpts },
    { name: 'SpikeGLX', path: rawPath.replace('.dat', '.meta'), files: [rawPath] },
    { name: 'Open Ephys', path: oe, files: [rawPath] },
    { name: 'EDF+', path: edfPath, files: [edfPath] },
    { name: 'BrainVision float32', path: bvPath, files: [bvPath.replace('.vhdr', '.eeg')] },
  ];
  // SpikeGLX wants rec.bin beside rec.meta.
  fs.linkSync(rawPath, path.join(dir, 'rec.bin'));
  cases[1].path = path.join(dir, 'rec.bin');

  let hdfNote: string | undefined;
  if (ctx.python) {
    const script = `
import sys, numpy as np, h5py
d, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
x = np.fromfile(d + '/rec.dat', dtype=np.int16).reshape(n, c)
with h5py.File(d + '/rec.nwb', 'w') as f:
    g = f.create_group('acquisition/es'); g.attrs['neurodata_type'] = 'ElectricalSeries'
    ds = g.create_dataset('data', data=x); ds.attrs['conversion'] = 0.195e-6
    st = g.create_dataset('starting_time', data=0.0); st.attrs['rate'] = 30000.0
with h5py.File(d + '/rec_blech.h5', 'w') as f:
    for i in range(c): f.create_dataset('raw/electrode%02d' % i, data=np.ascontiguousarray(x[:, i]))
`;
    const r = spawnSync(ctx.python, ['-c', script, dir, String(frames), String(NCH)], { encoding: 'utf8' });
    if (r.status === 0) {
      cases.push({ name: 'NWB (h5wasm, contiguous)', path: path.join(dir, 'rec.nwb'), files: [path.join(dir, 'rec.nwb')] });
      cases.push({ name: 'blech_clust (h5wasm)', path: path.join(dir, 'rec_blech.h5'), files: [path.join(dir, 'rec_blech.h5')], opts: { rate: RATE } });
    } else hdfNote = `h5py could not write the HDF5 inputs: ${r.stderr.slice(-200)}`;
  } else hdfNote = 'python with h5py is not installed: NWB and blech rows skipped';

  for (const c of cases) {
    const bytes = dataBytes(c.files);
    const mb = bytes / 2 ** 20;
    const ref = mb / ((await medianMs(() => { for (const f of c.files) plainRead(f); }, runs, 1)) / 1000);
    const ours = mb / ((await medianMs(readEverything(c.path, c.opts, 32768), runs, 1)) / 1000);
    rows.push({ area: AREA, name: `read ${c.name}, all channels in 32k-sample blocks`, unit: 'MB/s', value: ours, reference: ref,
      referenceName: 'plain sequential fs read', ratio: ours / ref, note: `${mb.toFixed(0)} MB file, page cache warm` });
  }
  if (hdfNote) rows.push({ area: AREA, name: 'read NWB / blech_clust', unit: 'MB/s', value: NaN, note: hdfNote });

  // Channel-by-channel read of a raw file in a separate process; its peak RSS must stay bounded.
  const big = path.join(dir, 'big.dat');
  fs.rmSync(path.join(dir, 'rec.nwb'), { force: true });
  fs.rmSync(path.join(dir, 'rec_blech.h5'), { force: true });
  const bigBytes = (ctx.quick ? 128 : 1024) << 20;
  makeRaw(big, bigBytes);
  const gb = (bigBytes / 2 ** 30).toFixed(2);
  const labels: Record<string, string> = {
    fresh: 'each channel whole, new arrays (fast mode)',
    reuse: 'each channel whole, one reused array',
    blocks: 'each channel in 1 M-sample blocks (low-memory mode)',
  };
  for (const mode of ['fresh', 'reuse', 'blocks']) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'io-rss-child.ts'), big, String(NCH), String(RATE), mode],
      { encoding: 'utf8', cwd: path.join(here, '..') });
    if (child.status !== 0) throw new Error(`io-rss-child failed: ${child.stderr.slice(-500)}`);
    const res = JSON.parse(child.stdout.trim().split('\n').pop()!) as { peakMB: number; startMB: number; ms: number; bytes: number };
    rows.push({ area: AREA, name: `peak RSS reading a ${gb} GB raw file channel by channel: ${labels[mode]}`, unit: 'MB',
      value: res.peakMB, target: '< 200 MB', pass: res.peakMB < 200,
      note: `child process (${res.startMB.toFixed(0)} MB before opening); ${NCH} ch, one channel = ${(res.bytes / NCH / 2 * 4 / 2 ** 20).toFixed(0)} MB as Float32; ${(res.ms / 1000).toFixed(1)} s` });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return rows;
}
