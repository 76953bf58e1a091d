// EDF, BDF and EDF+/BDF+ reader. Data signals that share the highest sampling rate are exposed
// (others are listed in notes); the annotations signal is parsed into events at open time by
// reading only its bytes in each record. Reads touch only the records of the window.

import type { ChannelInfo, EventMark, RecordingMeta } from '../../../shared/recording';
import type { Source } from '../source';
import { checkRequest, outputs } from '../common/checks';
import { ioError } from '../common/errors';
import { alignedBuffer, BlockFile } from '../common/file';
import type { IoOpenOptions } from '../common/options';
import { toMicrovolts } from '../common/units';
import { parseEdfHeader, parseTals, type EdfHeader, type EdfSignal } from './header';

const CHUNK_BYTES = 4 * 1024 * 1024;

export class EdfSource implements Source {
  private buf: Buffer | null = null;

  constructor(readonly meta: RecordingMeta, private readonly f: BlockFile, private readonly h: EdfHeader,
    private readonly sig: EdfSignal[], private readonly scale: Float64Array, private readonly offset: Float64Array) {}

  read(channels: number[], start: number, end: number, into?: Float32Array[]): Float32Array[] {
    checkRequest(this.meta, channels, start, end);
    const out = outputs(this.meta, channels, end - start, into);
    if (end <= start || channels.length === 0) return out;
    const { recordBytes, headerBytes, bdf } = this.h;
    const spr = this.sig[0].samplesPerRecord;
    const r0 = Math.floor(start / spr);
    const r1 = Math.ceil(end / spr);
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / recordBytes));
    const buf = recordBytes <= CHUNK_BYTES ? (this.buf ??= alignedBuffer(CHUNK_BYTES)) : alignedBuffer(recordBytes);
    const i16 = new Int16Array(buf.buffer, 0, Math.floor(buf.byteLength / 2));
    for (let c0 = r0; c0 < r1; c0 += perChunk) {
      const nr = Math.min(perChunk, r1 - c0);
      this.f.readAt(headerBytes + c0 * recordBytes, nr * recordBytes, buf);
      for (let r = 0; r < nr; r++) {
        const first = (c0 + r) * spr; // absolute sample index of this record's first sample
        const a = Math.max(start, first);
        const b = Math.min(end, first + spr);
        for (let k = 0; k < channels.length; k++) {
          const c = channels[k];
          const s = this.scale[c];
          const o = this.offset[c];
          const dst = out[k];
          const base = r * recordBytes + this.sig[c].offset;
          if (!bdf) {
            const p = base / 2 - first; // recordBytes and offsets are even, so this stays aligned
            for (let t = a; t < b; t++) dst[t - start] = i16[p + t] * s + o;
          } else {
            for (let t = a; t < b; t++) {
              const q = base + (t - first) * 3;
              const v = (buf[q] | (buf[q + 1] << 8) | (buf[q + 2] << 16)) << 8 >> 8;
              dst[t - start] = v * s + o;
            }
          }
        }
      }
    }
    return out;
  }

  close(): void {
    this.f.close();
    this.buf = null;
  }
}

export async function openEdf(file: string, _opts: IoOpenOptions = {}): Promise<EdfSource> {
  const f = BlockFile.open(file);
  try {
    if (f.size === 0) throw ioError('FILE_EMPTY', file, 'The file is empty', 'Choose the recording file, not an empty placeholder.');
    const h = parseEdfHeader(f);
    if (h.discontinuous) {
      throw ioError('FORMAT_UNSUPPORTED', file, 'This is a discontinuous EDF+D/BDF+D recording (it has gaps)',
        'Convert it to continuous EDF+C (e.g. in EDFbrowser), or export each continuous segment as its own file.');
    }
    const data = h.signals.filter((s) => !s.annotation);
    if (data.length === 0) throw ioError('FORMAT_UNSUPPORTED', file, 'The file holds only annotations, no signals', 'Open the file that holds the recorded signals.');
    const spr = Math.max(...data.map((s) => s.samplesPerRecord));
    const kept = data.filter((s) => s.samplesPerRecord === spr);
    const notes = [...h.notes];
    const skipped = data.filter((s) => s.samplesPerRecord !== spr);
    if (skipped.length) notes.push(`Signals at a lower rate are not shown: ${skipped.map((s) => s.label).join(', ')}.`);
    const rate = spr / h.recordDuration;
    const scale = new Float64Array(kept.length);
    const offset = new Float64Array(kept.length);
    const channels: ChannelInfo[] = kept.map((s, i) => {
      const toUv = toMicrovolts(s.physDim);
      const stim = toUv === null || /^(status|trigger|sti|stim)/i.test(s.label);
      const g = ((s.physMax - s.physMin) / (s.digMax - s.digMin)) * (toUv ?? 1);
      scale[i] = g;
      offset[i] = (s.physMin - s.digMin * (s.physMax - s.physMin) / (s.digMax - s.digMin)) * (toUv ?? 1);
      return { name: s.label || `ch${i}`, group: stim ? 'stim' : 'eeg', unit: toUv === null ? s.physDim : 'uV', scale: g, kind: stim ? 'stim' : 'ephys' };
    });
    const nSamples = h.nRecords * spr;
    const events = readAnnotations(f, h, rate, nSamples, notes);
    const meta: RecordingMeta = {
      path: file, format: h.bdf ? 'bdf' : 'edf', channels, sampleRate: rate, nSamples, events,
      notes: notes.length ? notes : undefined,
    };
    return new EdfSource(meta, f, h, kept, scale, offset);
  } catch (e) {
    f.close();
    throw e;
  }
}

function readAnnotations(f: BlockFile, h: EdfHeader, rate: number, nSamples: number, notes: string[]): EventMark[] {
  const ann = h.signals.find((s) => s.annotation);
  if (!ann) return [];
  const len = ann.samplesPerRecord * h.bytesPerSample;
  const events: EventMark[] = [];
  let t0 = 0;
  let bad = 0;
  let outside = 0;
  for (let r = 0; r < h.nRecords; r++) {
    const { tals, bad: b } = parseTals(f.readAt(h.headerBytes + r * h.recordBytes + ann.offset, len));
    bad += b;
    tals.forEach((t, i) => {
      // The first TAL of each record keeps time; the first record's one is the file's start offset.
      if (i === 0 && t.texts.length === 0) { if (r === 0) t0 = t.onset; return; }
      const sample = Math.round((t.onset - t0) * rate);
      if (sample < 0 || sample >= nSamples) { outside += t.texts.length; return; }
      for (const label of t.texts) events.push({ sample, duration: Math.round(t.duration * rate), label });
    });
  }
  if (bad) notes.push(`${bad} malformed annotations were skipped.`);
  if (outside) notes.push(`${outside} annotations outside the recording were skipped.`);
  return events.sort((a, b) => a.sample - b.sample);
}
