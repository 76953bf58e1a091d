// EDF+C writer for corrected recordings. Streams blocks from a reader into a crash-safe temp
// file; 16-bit quantisation per channel uses a physical range that is either given or found by
// a first scanning pass. Events are stored as TALs in an 'EDF Annotations' signal.

import { SpikeDeskError } from '../../../shared/errors';
import { AtomicFileWriter } from '../atomic';
import { ioError } from '../common/errors';
import { blockLength, checkHeader, fetchBlock, type BlockReader, type WriteHeader, type WriteOptions } from '../common/writer';

export interface EdfWriteOptions extends WriteOptions {
  /** Physical range in uV: one [min, max] for all channels or one per channel; default: scan. */
  range?: [number, number] | [number, number][];
}

export interface EdfWriteResult {
  path: string;
  recordSamples: number;
  recordDuration: number;
  /** Samples added at the end to fill the last record (0 when nSamples fits exactly). */
  padded: number;
  physMin: number[];
  physMax: number[];
}

const DMIN = -32768;
const DMAX = 32767;

/** A number in at most 8 characters, rounded down or up so the range still holds the data. */
export function fit8(x: number, dir: 'down' | 'up'): string {
  for (let dec = 7; dec >= 0; dec--) {
    const f = 10 ** dec;
    const v = dir === 'down' ? Math.floor(x * f) / f : Math.ceil(x * f) / f;
    const s = v.toFixed(dec);
    if (s.length <= 8) return dec > 0 ? s.replace(/\.?0+$/, '') || '0' : s;
  }
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `Value ${x} does not fit an EDF header field`, fix: 'Use a physical range within +-99,999,999 uV.' });
}

function pad(s: string, n: number): string {
  const ascii = s.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length >= n ? ascii.slice(0, n) : ascii + ' '.repeat(n - ascii.length);
}

function decimal(x: number): string {
  return x.toFixed(9).replace(/\.?0+$/, '') || '0';
}

/** Samples per record: prefer a duration that divides the recording exactly. */
function chooseRecord(rate: number, n: number): { spr: number; dur: number } {
  const durations = [1, 0.5, 0.25, 0.2, 0.1, 0.05, 0.04, 0.02, 0.01, 2, 4, 5, 10];
  const ok = durations.filter((d) => Math.abs(rate * d - Math.round(rate * d)) < 1e-6 && Math.round(rate * d) >= 1);
  if (ok.length === 0) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `EDF needs a whole number of samples per record; ${rate} Hz does not give one`, fix: 'Resample to an integer rate, or export as BrainVision.' });
  }
  // Records shorter than 0.1 s would make the annotation signal dominate the file.
  const exact = ok.find((d) => d >= 0.1 && n % Math.round(rate * d) === 0);
  const dur = exact ?? ok[0];
  return { spr: Math.round(rate * dur), dur };
}

function edfDate(d: Date | undefined): { date: string; time: string; startdate: string } {
  if (!d) return { date: '01.01.85', time: '00.00.00', startdate: 'Startdate X X X X' };
  const two = (n: number) => String(n).padStart(2, '0');
  const mon = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][d.getUTCMonth()];
  return {
    date: `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}.${two(d.getUTCFullYear() % 100)}`,
    time: `${two(d.getUTCHours())}.${two(d.getUTCMinutes())}.${two(d.getUTCSeconds())}`,
    startdate: `Startdate ${two(d.getUTCDate())}-${mon}-${d.getUTCFullYear()} X SpikeDesk X`,
  };
}

async function scanRange(file: string, h: WriteHeader, read: BlockReader, block: number): Promise<[number[], number[]]> {
  const lo = h.channels.map(() => Infinity);
  const hi = h.channels.map(() => -Infinity);
  for (let s = 0; s < h.nSamples; s += block) {
    const data = await fetchBlock(file, h, read, s, Math.min(h.nSamples, s + block));
    data.forEach((d, c) => {
      let a = lo[c]; let b = hi[c];
      for (let i = 0; i < d.length; i++) { const v = d[i]; if (v < a) a = v; if (v > b) b = v; }
      lo[c] = a; hi[c] = b;
    });
  }
  return [lo, hi];
}

export async function writeEdf(file: string, h: WriteHeader, readBlock: BlockReader, opts: EdfWriteOptions = {}): Promise<EdfWriteResult> {
  checkHeader(file, h);
  const nCh = h.channels.length;
  const { spr, dur } = chooseRecord(h.sampleRate, h.nSamples);
  const nRec = Math.ceil(h.nSamples / spr);
  const recBlock = Math.max(1, Math.floor(blockLength(h, opts) / spr));
  let lo: number[]; let hi: number[];
  if (opts.range) {
    const r = opts.range;
    const per = typeof r[0] === 'number' ? h.channels.map(() => r as [number, number]) : (r as [number, number][]);
    if (per.length !== nCh || per.some(([a, b]) => !(b > a) || !Number.isFinite(a) || !Number.isFinite(b))) {
      throw ioError('BAD_PARAMETER', file, 'The physical range must be [min, max] with min < max (one pair, or one per channel)', 'Give a valid range in uV, or leave it out to scan the data.');
    }
    lo = per.map((p) => p[0]); hi = per.map((p) => p[1]);
  } else {
    [lo, hi] = await scanRange(file, h, readBlock, recBlock * spr);
  }
  const pminS = lo.map((v, c) => fit8(v === hi[c] ? v - 1 : v, 'down'));
  const pmaxS = hi.map((v, c) => fit8(v === lo[c] ? v + 1 : v, 'up'));
  // Quantise with the values a reader will parse back, not the unrounded ones.
  const pmin = pminS.map(Number); const pmax = pmaxS.map(Number);

  // Annotations: one timekeeping TAL per record plus the events whose onset falls in it.
  const perRec: string[] = Array.from({ length: nRec }, (_, r) => `+${decimal(r * dur)}\x14\x14\0`);
  for (const ev of h.events ?? []) {
    if (!(ev.sample >= 0 && ev.sample < h.nSamples)) continue;
    const r = Math.floor(ev.sample / spr);
    const durS = ev.duration > 0 ? `\x15${decimal(ev.duration / h.sampleRate)}` : '';
    perRec[r] += `+${decimal(ev.sample / h.sampleRate)}${durS}\x14${ev.label.replace(/[\x00\x14\x15]/g, ' ')}\x14\0`;
  }
  const annBytes = Math.ceil(Math.max(...perRec.map((s) => Buffer.byteLength(s, 'utf8'))) / 2) * 2;
  const annSpr = annBytes / 2;
  const ns = nCh + 1;
  const d = edfDate(h.startTime);
  const fields: string[] = [
    pad('0', 8), pad('X X X X', 80), pad(d.startdate, 80), d.date, d.time, pad(String(256 * (ns + 1)), 8),
    pad('EDF+C', 44), pad(String(nRec), 8), pad(decimal(dur), 8), pad(String(ns), 4),
  ];
  const labels = [...h.channels.map((c) => c.name), 'EDF Annotations'];
  const col = (f: (i: number) => string, n: number) => { for (let i = 0; i < ns; i++) fields.push(pad(f(i), n)); };
  col((i) => labels[i], 16);
  col(() => '', 80);
  col((i) => (i < nCh ? 'uV' : ''), 8);
  col((i) => (i < nCh ? pminS[i] : '-1'), 8);
  col((i) => (i < nCh ? pmaxS[i] : '1'), 8);
  col(() => String(DMIN), 8);
  col(() => String(DMAX), 8);
  col(() => '', 80);
  col((i) => String(i < nCh ? spr : annSpr), 8);
  col(() => '', 32);
  const header = Buffer.from(fields.join(''), 'latin1');
  if (header.length !== 256 * (ns + 1)) throw ioError('INTERNAL', file, 'EDF header has the wrong size');

  const recBytes = (nCh * spr + annSpr) * 2;
  const w = AtomicFileWriter.open(file, opts);
  try {
    w.write(header);
    const k = pmin.map((a, c) => (DMAX - DMIN) / (pmax[c] - a));
    for (let r0 = 0; r0 < nRec; r0 += recBlock) {
      const nr = Math.min(recBlock, nRec - r0);
      const s0 = r0 * spr;
      const s1 = Math.min(h.nSamples, s0 + nr * spr);
      const data = await fetchBlock(file, h, readBlock, s0, s1);
      const ab = new ArrayBuffer(nr * recBytes);
      const out = Buffer.from(ab);
      const i16 = new Int16Array(ab); // little-endian hosts only, as everywhere in io/
      for (let r = 0; r < nr; r++) {
        for (let c = 0; c < nCh; c++) {
          const base = (r * recBytes + c * spr * 2) / 2;
          const pad = Math.min(Math.max(0, pmin[c]), pmax[c]); // fill the last record with 0 uV
          quantise(data[c], r * spr, spr, pmin[c], k[c], pad, i16, base);
        }
        out.write(perRec[r0 + r], r * recBytes + nCh * spr * 2, 'utf8');
      }
      w.write(out);
    }
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
  return { path: file, recordSamples: spr, recordDuration: dur, padded: nRec * spr - h.nSamples, physMin: pmin, physMax: pmax };
}

/** 16-bit quantisation, rounding half up and clamping; samples past the data get `pad` (uV). */
function quantise(src: Float32Array, from: number, n: number, pmin: number, k: number, pad: number, dst: Int16Array, at: number): void {
  const m = Math.max(0, Math.min(n, src.length - from));
  // Shifted so every value is >= 0 before `| 0`, which then floors (much faster than Math.round).
  const off = DMIN + 32768.5;
  for (let i = 0; i < m; i++) {
    let y = (src[from + i] - pmin) * k + off;
    y = y < 0.5 ? 0.5 : y > 65535.5 ? 65535.5 : y;
    dst[at + i] = (y | 0) - 32768;
  }
  if (m < n) {
    const q = Math.min(DMAX, Math.max(DMIN, Math.round((pad - pmin) * k + DMIN)));
    dst.fill(q, at + m, at + n);
  }
}
