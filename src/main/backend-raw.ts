// Backend side of the raw-binary open dialog: a raw .dat/.bin has no header, so the user gives
// channels, rate, sample type, gain and header offset. This module guesses them from the file
// size, reads a short preview with a candidate format, and remembers the chosen format per file
// in a sidecar (raw-format.json in the recording's session folder, written crash-safe) so the
// next open needs no dialog.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RawFormat, RawPreview, RawProbe } from '../shared/api';
import { SpikeDeskError } from '../shared/errors';
import type { OpenOptions } from '../shared/recording';
import { writeFileAtomic } from './io/atomic';
import { openRaw } from './io/raw/raw';
import { sessionDirFor } from './pipeline/cache';

export const RAW_SIDECAR = 'raw-format.json';
const BYTES = { int16: 2, uint16: 2, float32: 4 } as const;
/** Channel counts of common probes and headstages, most common first (the order of the guesses). */
const CHANNEL_COUNTS = [32, 64, 16, 128, 384, 8, 4, 256, 2, 1];
const MAX_PREVIEW_CHANNELS = 16;
const MAX_PREVIEW_SAMPLES = 6000;

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

/** Checks a format coming from the renderer (every field typed and in range). */
export function checkRawFormat(f: unknown): RawFormat {
  const r = f as Partial<RawFormat> | null;
  if (!r || typeof r !== 'object') bad('the raw format is missing', 'give channels, rate, dtype, gain and offset');
  const { channels, rate, dtype, gain, offset } = r;
  if (!Number.isInteger(channels) || channels! < 1 || channels! > 65536) bad(`channels must be a whole number from 1 to 65536, got ${String(channels)}`, 'enter the number of interleaved channels (--channels on the command line)');
  if (typeof rate !== 'number' || !(rate > 0) || rate > 1e6) bad(`the sample rate must be a number of Hz up to 1 MHz, got ${String(rate)}`, 'enter the sampling rate in Hz (--rate on the command line)');
  if (dtype !== 'int16' && dtype !== 'uint16' && dtype !== 'float32') bad(`unsupported sample type ${String(dtype)}`, 'use int16, uint16 or float32');
  if (typeof gain !== 'number' || !Number.isFinite(gain) || gain === 0) bad(`the gain must be a non-zero number of µV per bit, got ${String(gain)}`, 'enter the gain (0.195 for Intan, 1 if unknown)');
  if (!Number.isInteger(offset) || offset! < 0) bad(`the header offset must be a whole number of bytes >= 0, got ${String(offset)}`, 'enter 0 unless the file starts with a header');
  return { channels: channels!, rate, dtype, gain, offset: offset! };
}

export function rawOpenOptions(f: RawFormat): OpenOptions {
  return { format: 'raw', channels: f.channels, rate: f.rate, dtype: f.dtype, gain: f.gain, offset: f.offset };
}

function sidecarPath(file: string): string {
  return path.join(sessionDirFor(file), RAW_SIDECAR);
}

/** The format remembered for a file, or null (a missing or damaged sidecar counts as none). */
export function rememberedFormat(file: string): RawFormat | null {
  try {
    return checkRawFormat(JSON.parse(fs.readFileSync(sidecarPath(file), 'utf8')));
  } catch {
    return null;
  }
}

export function rememberFormat(file: string, f: RawFormat): void {
  const p = sidecarPath(file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  writeFileAtomic(p, `${JSON.stringify({ ...f, file: path.basename(file) }, null, 1)}\n`);
}

/** A rate named in the file name ("rec_30kHz.dat", "data-20000Hz.bin"), else null. */
function rateFromName(file: string): number | null {
  const b = path.basename(file);
  const k = /(\d+(?:\.\d+)?)\s*k[Hh]z/.exec(b);
  if (k) return Number(k[1]) * 1000;
  const h = /(\d{3,6})\s*[Hh]z/.exec(b);
  return h ? Number(h[1]) : null;
}

/**
 * How smooth each channel's samples are when the head of the file is read with this layout: the
 * mean lag-1 correlation r over channels, as -ln(1 - r). Interleaved data read with the right channel count and
 * type gives continuous signals (close to 1); a wrong layout mixes channels or bytes (lower).
 */
export function layoutScore(head: Uint8Array, channels: number, dtype: 'int16' | 'float32'): number {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const bytes = BYTES[dtype];
  const frames = Math.min(4096, Math.floor(head.byteLength / (channels * bytes)));
  if (frames < 8) return 0;
  let total = 0;
  for (let c = 0; c < channels; c++) {
    const x = new Float64Array(frames);
    for (let t = 0; t < frames; t++) {
      const o = (t * channels + c) * bytes;
      x[t] = dtype === 'int16' ? view.getInt16(o, true) : view.getFloat32(o, true);
    }
    let m = 0;
    for (const v of x) m += v;
    m /= frames;
    let num = 0, den = 0;
    for (let t = 0; t < frames; t++) { const a = x[t] - m; den += a * a; if (t + 1 < frames) num += a * (x[t + 1] - m); }
    const r = den > 0 && Number.isFinite(num / den) ? num / den : 0;
    total += Math.max(-1, Math.min(1, r));
  }
  // On a log scale of (1 - r): smooth signals read at a wrong stride stay close to 1 in r, but
  // their distance from 1 grows with the square of the stride.
  return -Math.log(Math.max(1e-9, 1 - total / channels));
}

/** Formats whose frame size divides the file size, the smoothest layout of the file's head first. */
export function guessFormats(sizeBytes: number, rate: number, head?: Uint8Array): (RawFormat & { durationS: number })[] {
  const out: (RawFormat & { durationS: number; score: number; rank: number })[] = [];
  for (const dtype of ['int16', 'float32'] as const) {
    CHANNEL_COUNTS.forEach((channels, rank) => {
      const frame = channels * BYTES[dtype];
      if (sizeBytes < frame || sizeBytes % frame !== 0) return;
      const score = head ? layoutScore(head, channels, dtype) : 0;
      out.push({ channels, rate, dtype, gain: 1, offset: 0, durationS: sizeBytes / frame / rate, score, rank: rank + (dtype === 'float32' ? 100 : 0) });
    });
  }
  // Scores within 0.1 (10 % in 1 - r) count as a tie, broken by how common the layout is.
  out.sort((a, b) => (Math.abs(a.score - b.score) > 0.1 ? b.score - a.score : a.rank - b.rank));
  return out.slice(0, 6).map(({ score: _s, rank: _r, ...g }) => g);
}

export function probeRaw(file: string): RawProbe {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch {
    throw new SpikeDeskError({ code: 'FILE_NOT_FOUND', file, message: 'the file does not exist', fix: 'check the path' });
  }
  if (!st.isFile()) throw new SpikeDeskError({ code: 'BAD_REQUEST', file, message: 'this is a folder, not a raw binary file', fix: 'choose the .dat or .bin file' });
  const remembered = rememberedFormat(file);
  const rate = remembered?.rate ?? rateFromName(file) ?? 30000;
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(Math.min(st.size, 1 << 18));
  try { fs.readSync(fd, head, 0, head.length, 0); } finally { fs.closeSync(fd); }
  return { path: file, sizeBytes: st.size, remembered, guesses: guessFormats(st.size, rate, head) };
}

export async function previewRaw(file: string, f: RawFormat, nSamples: number): Promise<RawPreview> {
  const src = await openRaw(file, rawOpenOptions(f));
  try {
    const n = Math.max(1, Math.min(src.meta.nSamples, MAX_PREVIEW_SAMPLES, Math.floor(Number(nSamples)) || 0));
    const chans = Array.from({ length: Math.min(f.channels, MAX_PREVIEW_CHANNELS) }, (_, i) => i);
    const data = src.read(chans, 0, n);
    const note = src.meta.notes?.find((x) => /do not fill a frame/.test(x)) ?? null;
    return { channels: f.channels, nSamples: n, sampleRate: f.rate, data, note };
  } finally {
    src.close();
  }
}
