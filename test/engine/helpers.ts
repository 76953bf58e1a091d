// Shared set-up for the engine tests: small synthetic recordings written as raw int16 .dat files
// (the most basic input format) and worker pools on threads.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSpikeRecording, type SpikeRecording } from '../../src/workers/synth/spikes';
import { Pool } from '../../src/main/pool/pool';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { openSource } from '../../src/main/io';
import { writeBrainVision } from '../../src/main/io/brainvision/bv-write';
import { generateEegFmri, type EegFmriRecording } from '../../src/workers/synth/eeg-fmri';
import type { OpenOptions, RecordingMeta, SourceRef } from '../../src/shared/recording';

export const WORKER_ENTRY = fileURLToPath(new URL('../../src/main/pool/worker.ts', import.meta.url));
export const GAIN = 0.195;

const made: string[] = [];

/** A fresh scratch folder (recording, session cache, outputs); removeTmpDirs() deletes them all. */
export function tmpDir(tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `sd-engine-${tag}-`));
  made.push(d);
  return d;
}

export function removeTmpDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Interleaved int16 samples of the generator, `gain` uV per bit. */
export function writeDat(file: string, rec: SpikeRecording, gain = GAIN): void {
  const n = rec.nSamples, c = rec.nChannels;
  const fd = fs.openSync(file, 'w');
  const block = 65536;
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    const chans = Array.from({ length: c }, (_, k) => rec.channelBlock(k, s, e));
    const buf = new Int16Array((e - s) * c);
    for (let i = 0; i < e - s; i++) {
      for (let k = 0; k < c; k++) buf[i * c + k] = Math.max(-32768, Math.min(32767, Math.round(chans[k][i] / gain)));
    }
    fs.writeSync(fd, new Uint8Array(buf.buffer));
  }
  fs.closeSync(fd);
}

export interface TestRecording {
  ref: SourceRef;
  meta: RecordingMeta;
  rec: SpikeRecording;
}

export async function makeRecording(dir: string, o: { seed?: number; nChannels?: number; durationS?: number; sampleRate?: number; unitsPerChannel?: number[] } = {}): Promise<TestRecording> {
  const rec = generateSpikeRecording({ seed: o.seed ?? 7, nChannels: o.nChannels ?? 4, durationS: o.durationS ?? 4, sampleRate: o.sampleRate ?? 20000, unitsPerChannel: o.unitsPerChannel });
  return writeRecording(dir, rec);
}

/** Write a generated recording to dir/rec.dat (int16, GAIN uV per bit) and open it as a raw source. */
export async function writeRecording(dir: string, rec: SpikeRecording): Promise<TestRecording> {
  const file = path.join(dir, 'rec.dat');
  writeDat(file, rec);
  const open: OpenOptions = { format: 'raw', channels: rec.nChannels, rate: rec.sampleRate, dtype: 'int16', gain: GAIN };
  const src = await openSource(file, open);
  const meta = src.meta;
  src.close();
  return { ref: { path: file, open }, meta, rec };
}

export async function makePool(size: number, maxHeapMB?: number): Promise<Pool> {
  const pool = new Pool(new ThreadHost(), WORKER_ENTRY, { size, maxHeapMB });
  await pool.start();
  return pool;
}

/** A small EEG-fMRI recording as BrainVision (scanner markers in the .vmrk, stim channel 'STI'). */
export async function makeEegRecording(dir: string, o: { durationS?: number; nChannels?: number; fs?: number } = {}): Promise<TestRecording & { eeg: EegFmriRecording }> {
  const eeg = generateEegFmri({ seed: 3, nChannels: o.nChannels ?? 3, fs: o.fs ?? 2000, durationS: o.durationS ?? 45, cleanBeforeS: 4, cleanAfterS: 4 });
  const file = path.join(dir, 'eeg.vhdr');
  const nCh = eeg.meta.channels.length;
  await writeBrainVision(file, { channels: eeg.meta.channels.map((c) => ({ name: c.name })), sampleRate: eeg.fs, nSamples: eeg.nSamples, events: eeg.events },
    (s, e) => Array.from({ length: nCh }, (_, c) => (c < eeg.nChannels ? eeg.channelBlock(c, s, e) : eeg.stimBlock(s, e))));
  const src = await openSource(file);
  const meta = src.meta;
  src.close();
  return { ref: { path: file }, meta, rec: null as never, eeg };
}
