// EDF / BDF / EDF+ header: the fixed 256-byte part and one 256-byte block per signal, parsed
// and checked against the file size so a lying header fails at open time, not mid-read.

import { corrupt, ioError, mismatch, num, posInt, truncated } from '../common/errors';
import type { BlockFile } from '../common/file';

export interface EdfSignal {
  label: string;
  transducer: string;
  physDim: string;
  physMin: number;
  physMax: number;
  digMin: number;
  digMax: number;
  prefilter: string;
  samplesPerRecord: number;
  /** Byte offset of this signal inside a data record. */
  offset: number;
  annotation: boolean;
}

export interface EdfHeader {
  bdf: boolean;
  /** 'EDF+C', 'EDF+D', 'BDF+C', '24BIT', '' ... */
  reserved: string;
  plus: boolean;
  discontinuous: boolean;
  patient: string;
  recording: string;
  startDate: string;
  startTime: string;
  headerBytes: number;
  nRecords: number;
  recordDuration: number;
  signals: EdfSignal[];
  recordBytes: number;
  bytesPerSample: number;
  notes: string[];
}

export function isEdfMagic(head: Buffer): 'edf' | 'bdf' | null {
  if (head.length >= 8 && head.toString('latin1', 0, 8) === '0       ') return 'edf';
  if (head.length >= 8 && head[0] === 0xff && head.toString('latin1', 1, 8) === 'BIOSEMI') return 'bdf';
  return null;
}

export function parseEdfHeader(f: BlockFile): EdfHeader {
  const file = f.path;
  if (f.size < 256) throw truncated(file, `An EDF/BDF header needs at least 256 bytes, the file has ${f.size}`);
  const h = f.readAt(0, 256);
  const kind = isEdfMagic(h);
  if (!kind) throw corrupt(file, 'Not an EDF or BDF file (bad version field)');
  const txt = (a: number, n: number) => h.toString('latin1', a, a + n).trim();
  const headerBytes = posInt(file, 'header bytes', txt(184, 8));
  const reserved = txt(192, 44);
  const nRecRaw = num(file, 'number of data records', txt(236, 8));
  const recordDuration = num(file, 'record duration', txt(244, 8));
  const ns = posInt(file, 'number of signals', txt(252, 4));
  if (ns > 4096) throw corrupt(file, `${ns} signals is not plausible`);
  if (headerBytes !== 256 * (ns + 1)) {
    throw mismatch(file, `Header size field says ${headerBytes} bytes but ${ns} signals need ${256 * (ns + 1)}`);
  }
  if (!(recordDuration > 0)) throw corrupt(file, `Record duration must be positive, got ${recordDuration}`);
  if (f.size < headerBytes) throw truncated(file, `The header needs ${headerBytes} bytes but the file has ${f.size}`);
  const b = f.readAt(256, ns * 256);
  let pos = 0;
  const field = (n: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < ns; i++) out.push(b.toString('latin1', pos + i * n, pos + (i + 1) * n).trim());
    pos += n * ns;
    return out;
  };
  const labels = field(16); const transducer = field(80); const physDim = field(8);
  const physMin = field(8); const physMax = field(8); const digMin = field(8); const digMax = field(8);
  const prefilter = field(80); const spr = field(8);
  const bps = kind === 'bdf' ? 3 : 2;
  const limit = kind === 'bdf' ? 8388608 : 32768;
  const signals: EdfSignal[] = [];
  let offset = 0;
  for (let i = 0; i < ns; i++) {
    const annotation = labels[i] === 'EDF Annotations' || labels[i] === 'BDF Annotations';
    const s: EdfSignal = {
      label: labels[i], transducer: transducer[i], physDim: physDim[i],
      physMin: num(file, `physical minimum of '${labels[i]}'`, physMin[i]),
      physMax: num(file, `physical maximum of '${labels[i]}'`, physMax[i]),
      digMin: num(file, `digital minimum of '${labels[i]}'`, digMin[i]),
      digMax: num(file, `digital maximum of '${labels[i]}'`, digMax[i]),
      prefilter: prefilter[i], samplesPerRecord: posInt(file, `samples per record of '${labels[i]}'`, spr[i]),
      offset, annotation,
    };
    if (!annotation) {
      if (s.digMax <= s.digMin || s.digMin < -limit || s.digMax >= limit) {
        throw corrupt(file, `Signal '${s.label}' has an invalid digital range ${s.digMin}..${s.digMax}`);
      }
      if (s.physMax === s.physMin) throw corrupt(file, `Signal '${s.label}' has an empty physical range`);
    }
    if (s.samplesPerRecord > 1e7) throw corrupt(file, `Signal '${s.label}' has an implausible ${s.samplesPerRecord} samples per record`);
    offset += s.samplesPerRecord * bps;
    signals.push(s);
  }
  const recordBytes = offset;
  const notes: string[] = [];
  const dataBytes = f.size - headerBytes;
  let nRecords: number;
  if (nRecRaw === -1) {
    nRecords = Math.floor(dataBytes / recordBytes);
    notes.push(`Number of records not set in the header (-1); ${nRecords} found from the file size.`);
  } else {
    if (!Number.isInteger(nRecRaw) || nRecRaw < 0) throw corrupt(file, `Number of data records must be a non-negative integer, got ${nRecRaw}`);
    nRecords = nRecRaw;
    if (nRecords * recordBytes > dataBytes) {
      throw truncated(file, `The header announces ${nRecords} records of ${recordBytes} bytes but only ${Math.floor(dataBytes / recordBytes)} are complete`);
    }
    if (nRecords * recordBytes < dataBytes) notes.push(`${dataBytes - nRecords * recordBytes} bytes after the last data record are ignored.`);
  }
  if (nRecords === 0) throw ioError('FILE_EMPTY', file, 'The file has no data records', 'The recording holds no samples; choose another one.');
  const plus = /^(EDF|BDF)\+[CD]/.test(reserved);
  return {
    bdf: kind === 'bdf', reserved, plus, discontinuous: /^(EDF|BDF)\+D/.test(reserved),
    patient: txt(8, 80), recording: txt(88, 80), startDate: txt(168, 8), startTime: txt(176, 8),
    headerBytes, nRecords, recordDuration, signals, recordBytes, bytesPerSample: bps, notes,
  };
}

export interface Tal { onset: number; duration: number; texts: string[] }

/** Time-stamped annotation lists of one record's annotation bytes (EDF+ section 2.2). */
export function parseTals(bytes: Buffer): { tals: Tal[]; bad: number } {
  const tals: Tal[] = [];
  let bad = 0;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0) continue;
    if (i > start) {
      const tal = bytes.toString('utf8', start, i);
      const k = tal.indexOf('\x14');
      const [onsetStr, durStr] = (k < 0 ? tal : tal.slice(0, k)).split('\x15');
      const onset = /^[+-]\d+(\.\d*)?$/.test(onsetStr) ? Number(onsetStr) : NaN;
      const duration = durStr === undefined || durStr === '' ? 0 : Number(durStr);
      if (k < 0 || !Number.isFinite(onset) || !Number.isFinite(duration) || duration < 0) bad++;
      else tals.push({ onset, duration, texts: tal.slice(k + 1).split('\x14').filter((t) => t.length > 0) });
    }
    start = i + 1;
  }
  return { tals, bad };
}
