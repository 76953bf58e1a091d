// BrainVision reader: .vhdr header, binary .eeg data (INT_16, INT_32 or IEEE_FLOAT_32,
// MULTIPLEXED or VECTORIZED) and the .vmrk markers, which become events 'Type/Description'
// (EEG-fMRI amplifiers put the scanner's volume/slice triggers there).

import { sidecarPath } from '../common/sidecar';
import * as path from 'node:path';
import type { ChannelInfo, RecordingMeta } from '../../../shared/recording';
import { corrupt, ioError, mismatch, num, posInt } from '../common/errors';
import { BlockFile, exists, readText } from '../common/file';
import { BYTES, MatrixSource, type SampleType } from '../common/matrix';
import type { IoOpenOptions } from '../common/options';
import { toMicrovolts } from '../common/units';
import { parseIni, parseMarkers, unescapeField } from './vhdr';

export function isBrainVisionText(head: string): boolean {
  return /^(\uFEFF|\u00ef\u00bb\u00bf)?\s*Brain ?Vision Data Exchange Header File/i.test(head);
}

/**
 * The .vhdr for a .eeg/.vmrk/.dat path: a header with the same stem whose DataFile (or
 * MarkerFile, for a .vmrk) names this file, so an unrelated raw .dat is not mistaken for one.
 */
export function findVhdr(p: string): string | null {
  if (!/\.(eeg|vmrk|dat)$/i.test(p)) return null;
  const stem = p.replace(/\.[^.]+$/, '');
  const base = path.basename(p).toLowerCase();
  for (const ext of ['.vhdr', '.VHDR', '.ahdr']) {
    const cand = stem + ext;
    if (!exists(cand)) continue;
    try {
      const common = parseIni(readText(cand, 1 << 20)).get('Common Infos');
      const named = common?.get(/\.vmrk$/i.test(p) ? 'MarkerFile' : 'DataFile');
      if (named ? path.basename(named).toLowerCase() === base : /\.eeg$/i.test(p)) return cand;
    } catch {
      // An unreadable or oversized candidate is not this file's header.
    }
  }
  return null;
}

const TYPES: Record<string, SampleType> = { INT_16: 'int16', UINT_16: 'uint16', INT_32: 'int32', IEEE_FLOAT_32: 'float32' };

export async function openBrainVision(p: string, opts: IoOpenOptions = {}): Promise<MatrixSource> {
  const text0 = readText(p);
  const vhdr = isBrainVisionText(text0) ? p : findVhdr(p);
  if (!vhdr) throw ioError('FORMAT_UNKNOWN', p, 'No BrainVision header (.vhdr) found for this file', 'Open the .vhdr file; keep .vhdr, .vmrk and .eeg together.');
  const text = vhdr === p ? text0 : readText(vhdr);
  if (!isBrainVisionText(text)) throw corrupt(vhdr, 'Not a BrainVision header (first line is wrong)');
  const ini = parseIni(text);
  const common = ini.get('Common Infos');
  if (!common) throw corrupt(vhdr, 'The header has no [Common Infos] section');
  const fmt = (common.get('DataFormat') ?? 'BINARY').toUpperCase();
  if (fmt !== 'BINARY') throw ioError('FORMAT_UNSUPPORTED', vhdr, `DataFormat=${fmt} is not supported`, 'Export the recording as binary BrainVision from BrainVision Analyzer/Recorder.');
  const orient = (common.get('DataOrientation') ?? 'MULTIPLEXED').toUpperCase();
  if (orient !== 'MULTIPLEXED' && orient !== 'VECTORIZED') throw corrupt(vhdr, `Unknown DataOrientation '${orient}'`);
  const nCh = posInt(vhdr, 'NumberOfChannels', common.get('NumberOfChannels'));
  if (nCh > 65536) throw corrupt(vhdr, `NumberOfChannels=${nCh} is not plausible`);
  const interval = num(vhdr, 'SamplingInterval', common.get('SamplingInterval'));
  if (interval <= 0) throw corrupt(vhdr, `SamplingInterval must be positive, got ${interval}`);
  const binFmt = (ini.get('Binary Infos')?.get('BinaryFormat') ?? 'INT_16').toUpperCase();
  const type = TYPES[binFmt];
  if (!type) throw ioError('FORMAT_UNSUPPORTED', vhdr, `BinaryFormat=${binFmt} is not supported`, 'Export as INT_16 or IEEE_FLOAT_32.');
  const chInfo = ini.get('Channel Infos') ?? new Map<string, string>();
  const channels: ChannelInfo[] = [];
  const scale = new Float64Array(nCh);
  for (let i = 0; i < nCh; i++) {
    const entry = chInfo.get(`Ch${i + 1}`);
    if (entry === undefined) throw mismatch(vhdr, `NumberOfChannels=${nCh} but channel Ch${i + 1} is not described`);
    const [name, , res, unitRaw] = entry.split(',');
    const resolution = res === undefined || res.trim() === '' ? 1 : num(vhdr, `resolution of Ch${i + 1}`, res);
    const unit = unitRaw === undefined || unitRaw.trim() === '' ? 'uV' : unitRaw.trim();
    const toUv = toMicrovolts(unit);
    scale[i] = resolution * (toUv ?? 1);
    channels.push({ name: unescapeField(name ?? '').trim() || `Ch${i + 1}`, group: 'eeg', unit: toUv === null ? unit : 'uV', scale: scale[i], kind: toUv === null ? 'stim' : 'ephys' });
  }
  const notes: string[] = [];
  // DataFile= and MarkerFile= are checked like the header itself: inside its folder, symlinks resolved.
  let dataPath = common.get('DataFile') ? sidecarPath(vhdr, common.get('DataFile')!, 'DataFile= in the header') : '';
  if (!dataPath || !exists(dataPath)) {
    const guess = sidecarPath(vhdr, path.basename(vhdr).replace(/\.[^.]+$/, '.eeg'), 'The data file beside the header');
    if (!exists(guess)) {
      throw ioError('FILE_NOT_FOUND', dataPath || guess, 'The BrainVision data file named in the header is missing',
        'Keep the .eeg file next to the .vhdr, or fix DataFile= in the .vhdr if it was renamed.');
    }
    notes.push(`DataFile '${common.get('DataFile') ?? ''}' not found; using ${path.basename(guess)}.`);
    dataPath = guess;
  }
  const f = BlockFile.open(dataPath);
  try {
    if (f.size === 0) throw ioError('FILE_EMPTY', dataPath, 'The data file is empty', 'The recording holds no samples; choose another one.');
    const frame = nCh * BYTES[type];
    if (f.size % frame !== 0) {
      throw mismatch(dataPath, `${f.size} bytes is not a whole number of ${nCh}-channel ${binFmt} frames`,
        'NumberOfChannels or BinaryFormat in the .vhdr does not fit the .eeg; fix the header or re-export.');
    }
    const nSamples = f.size / frame;
    const mk = common.get('MarkerFile');
    let events: RecordingMeta['events'] = [];
    if (mk) {
      const mkPath = sidecarPath(vhdr, mk, 'MarkerFile= in the header');
      if (exists(mkPath)) events = parseMarkers(readText(mkPath), nSamples, notes);
      else notes.push(`Marker file '${mk}' not found; no events.`);
    }
    const meta: RecordingMeta = {
      path: vhdr, format: 'brainvision', channels, sampleRate: rateFromInterval(interval), nSamples, events,
      notes: notes.length ? notes : undefined,
    };
    return new MatrixSource(meta, f, {
      dataOffset: 0, stored: nCh, column: channels.map((_, i) => i), type, orientation: orient === 'VECTORIZED' ? 'vectorized' : 'interleaved',
      scale, offset: new Float64Array(nCh),
    }, opts.nonFinite);
  } catch (e) {
    f.close();
    throw e;
  }
}

/** 1e6 / interval, snapped to an integer rate when the header only lost float precision (33.333... us). */
function rateFromInterval(us: number): number {
  const r = 1e6 / us;
  return Math.abs(r - Math.round(r)) < 1e-6 * r ? Math.round(r) : r;
}
