// SpikeGLX: <name>.bin (interleaved int16) with its <name>.meta sidecar (key=value lines). The
// meta gives the channel count, rate, file size and the gains that turn bits into uV (imec
// probes: imroTbl per-channel gains; NI-DAQ: MN/MA gains); the sync/digital words become 'stim'.

import * as path from 'node:path';
import type { ChannelInfo, RecordingMeta } from '../../../shared/recording';
import { corrupt, ioError, mismatch, num, posInt, truncated } from '../common/errors';
import { BlockFile, exists, readText } from '../common/file';
import { MatrixSource } from '../common/matrix';
import type { IoOpenOptions } from '../common/options';
import { sidecarPath } from '../common/sidecar';

export function parseMeta(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) m.set(line.slice(0, eq).trim().replace(/^~/, ''), line.slice(eq + 1).trim());
  }
  return m;
}

/** The .meta beside a .bin (or the .bin beside a .meta). */
export function metaPathFor(p: string): string {
  return p.replace(/\.(bin|meta)$/i, '') + '.meta';
}

export function binPathFor(p: string): string {
  return p.replace(/\.(bin|meta)$/i, '') + '.bin';
}

export function hasMeta(p: string): boolean {
  return /\.(bin|meta)$/i.test(p) && exists(metaPathFor(p));
}

/** Original channel numbers of the saved channels ("all" or ranges like 0:3,8). */
function savedChannels(subset: string | undefined, n: number, file: string): number[] {
  if (!subset || subset === 'all') return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (const part of subset.split(',')) {
    const [a, b] = part.split(':').map((x) => Number(x.trim()));
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw corrupt(file, `Bad snsSaveChanSubset '${subset}'`);
    for (let c = a; c <= (b ?? a) && out.length <= n; c++) out.push(c);
  }
  if (out.length !== n) throw mismatch(file, `snsSaveChanSubset lists ${out.length} channels but nSavedChans is ${n}`);
  return out;
}

function tuples(s: string | undefined): string[] {
  return s ? [...s.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]) : [];
}

export async function openSpikeGlx(p: string, opts: IoOpenOptions = {}): Promise<MatrixSource> {
  // The .meta and .bin are sidecars of each other: both must really lie in the chosen file's folder.
  const metaPath = sidecarPath(p, path.basename(metaPathFor(p)), 'The SpikeGLX .meta sidecar');
  const bin = sidecarPath(p, path.basename(binPathFor(p)), 'The SpikeGLX .bin data file');
  const m = parseMeta(readText(metaPath));
  const nCh = posInt(metaPath, 'nSavedChans', m.get('nSavedChans'));
  if (nCh > 65536) throw corrupt(metaPath, `nSavedChans=${nCh} is not plausible`);
  const isNi = m.get('typeThis') === 'nidq' || (!m.has('imSampRate') && m.has('niSampRate'));
  const rate = num(metaPath, isNi ? 'niSampRate' : 'imSampRate', m.get(isNi ? 'niSampRate' : 'imSampRate'));
  if (rate <= 0) throw corrupt(metaPath, `Sample rate must be positive, got ${rate}`);
  const saved = savedChannels(m.get('snsSaveChanSubset'), nCh, metaPath);
  const names = tuples(m.get('snsChanMap')).slice(1).map((t) => t.split(';')[0]);
  const scale = new Float64Array(nCh);
  const channels: ChannelInfo[] = [];
  if (isNi) {
    const counts = (m.get('snsMnMaXaDw') ?? `0,0,${nCh},0`).split(',').map(Number);
    const range = num(metaPath, 'niAiRangeMax', m.get('niAiRangeMax') ?? '5');
    const maxInt = num(metaPath, 'niMaxInt', m.get('niMaxInt') ?? '32768');
    const gains = [num(metaPath, 'niMNGain', m.get('niMNGain') ?? '1'), num(metaPath, 'niMAGain', m.get('niMAGain') ?? '1'), 1];
    saved.forEach((orig, i) => {
      let kind = 0;
      let acc = counts[0];
      while (kind < 3 && orig >= acc) acc += counts[++kind] ?? 0;
      const digital = kind >= 3;
      scale[i] = digital ? 1 : (range / maxInt / gains[kind]) * 1e6;
      channels.push({ name: names[orig] ?? `NI${orig}`, group: digital ? 'sync' : 'ni', unit: 'uV', scale: scale[i], kind: digital ? 'stim' : 'ephys' });
    });
  } else {
    const counts = (m.get('snsApLfSy') ?? `${nCh},0,0`).split(',').map(Number);
    const range = num(metaPath, 'imAiRangeMax', m.get('imAiRangeMax') ?? '0.6');
    const maxInt = num(metaPath, 'imMaxInt', m.get('imMaxInt') ?? '512');
    const imro = tuples(m.get('imroTbl')).slice(1).map((t) => t.trim().split(/\s+/).map(Number));
    const nAp = counts[0] ?? 0;
    const nLf = counts[1] ?? 0;
    saved.forEach((orig, i) => {
      const sync = orig >= nAp + nLf;
      const lf = !sync && orig >= nAp;
      const entry = imro[lf ? orig - nAp : orig];
      // NP1.0 rows: chan bank ref apGain lfGain hp; NP2.0 rows have no gain (fixed at 80).
      const g = entry && entry.length >= 6 ? entry[lf ? 4 : 3] : 80;
      if (!sync && !(g > 0)) throw corrupt(metaPath, `imroTbl gain of channel ${orig} is not valid`);
      scale[i] = sync ? 1 : (range / maxInt / g) * 1e6;
      channels.push({ name: names[orig] ?? (sync ? `SY${orig}` : `${lf ? 'LF' : 'AP'}${orig}`), group: sync ? 'sync' : '0', unit: 'uV', scale: scale[i], kind: sync ? 'stim' : 'ephys' });
    });
  }
  const f = BlockFile.open(bin);
  try {
    if (f.size === 0) throw ioError('FILE_EMPTY', bin, 'The .bin file is empty', 'The recording holds no samples; choose another one.');
    const declared = m.has('fileSizeBytes') ? posInt(metaPath, 'fileSizeBytes', m.get('fileSizeBytes'), true) : f.size;
    if (f.size < declared) throw truncated(bin, `The .meta says ${declared} bytes but the .bin has ${f.size}`);
    if (f.size > declared) throw mismatch(bin, `The .meta says ${declared} bytes but the .bin has ${f.size}`, 'The .meta belongs to another recording; keep each .meta with its own .bin.');
    if (f.size % (nCh * 2) !== 0) {
      throw mismatch(bin, `${f.size} bytes is not a whole number of ${nCh}-channel frames`, 'nSavedChans in the .meta does not fit the data; re-export the file.');
    }
    const meta: RecordingMeta = {
      path: bin, format: 'spikeglx', channels, sampleRate: rate, nSamples: f.size / (nCh * 2), events: [],
      notes: [`SpikeGLX ${isNi ? 'NI-DAQ' : 'imec'} stream, gains from ${path.basename(metaPath)}.`],
    };
    return new MatrixSource(meta, f, {
      dataOffset: 0, stored: nCh, column: channels.map((_, i) => i), type: 'int16', orientation: 'interleaved',
      scale, offset: new Float64Array(nCh),
    }, opts.nonFinite);
  } catch (e) {
    f.close();
    throw e;
  }
}
