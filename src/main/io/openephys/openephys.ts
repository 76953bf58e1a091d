// Open Ephys binary format: <recording>/structure.oebin (JSON) describes the streams; each
// continuous stream is continuous/<folder_name>/continuous.dat, interleaved int16 with bit_volts
// per channel. Accepts the structure.oebin, its folder (or a parent), or a continuous.dat.
// TTL events (events/<stream>/TTL*/) become events labelled 'TTL/<state>'.

import { sidecarPath } from '../common/sidecar';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChannelInfo, EventMark, RecordingMeta } from '../../../shared/recording';
import { corrupt, ioError, mismatch } from '../common/errors';
import { BlockFile, exists, readText } from '../common/file';
import { MatrixSource } from '../common/matrix';
import { readNpy1d, readNpyHead } from '../common/npy';
import type { IoOpenOptions } from '../common/options';
import { toMicrovolts } from '../common/units';

interface OebinChannel { channel_name?: unknown; bit_volts?: unknown; units?: unknown }
interface OebinStream { folder_name?: unknown; sample_rate?: unknown; num_channels?: unknown; channels?: unknown }

/** Find structure.oebin for a path that is the file itself, a folder above it, or a continuous.dat. */
export function findOebin(p: string): { oebin: string; datHint?: string } | null {
  if (path.basename(p) === 'structure.oebin') return { oebin: p };
  let st: fs.Stats;
  try { st = fs.statSync(p); } catch { return null; }
  if (st.isDirectory()) {
    const found = searchDown(p, 4);
    return found ? { oebin: found } : null;
  }
  if (path.basename(p) === 'continuous.dat') {
    // continuous/<stream>/continuous.dat, where <stream> may itself be nested one level.
    for (let up = 3; up <= 4; up++) {
      let d = p;
      for (let i = 0; i < up; i++) d = path.dirname(d);
      const o = path.join(d, 'structure.oebin');
      if (exists(o)) return { oebin: o, datHint: p };
    }
  }
  return null;
}

function searchDown(dir: string, depth: number): string | null {
  const direct = path.join(dir, 'structure.oebin');
  if (exists(direct)) return direct;
  if (depth === 0) return null;
  let entries: fs.Dirent[];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return null; }
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = searchDown(path.join(dir, e.name), depth - 1);
    if (r) return r;
  }
  return null;
}

export async function openOpenEphys(p: string, opts: IoOpenOptions = {}): Promise<MatrixSource> {
  const loc = findOebin(p);
  if (!loc) {
    throw ioError('FORMAT_UNKNOWN', p, 'No Open Ephys structure.oebin found here',
      'Open the structure.oebin file or the recording folder that contains it.');
  }
  const { oebin } = loc;
  let json: { continuous?: unknown; events?: unknown };
  try {
    json = JSON.parse(readText(oebin));
  } catch (e) {
    if (e instanceof SyntaxError) throw corrupt(oebin, `structure.oebin is not valid JSON (${e.message})`);
    throw e;
  }
  if (typeof json !== 'object' || json === null || !Array.isArray(json.continuous) || json.continuous.length === 0) {
    throw corrupt(oebin, 'structure.oebin lists no continuous stream');
  }
  const streams = json.continuous as OebinStream[];
  const names = streams.map((s) => (typeof s?.folder_name === 'string' ? s.folder_name : ''));
  let idx = 0;
  if (opts.series !== undefined) {
    idx = names.findIndex((n) => n.replace(/\/$/, '') === opts.series!.replace(/\/$/, ''));
    if (idx < 0) throw ioError('BAD_PARAMETER', oebin, `No continuous stream named '${opts.series}'`, `Choose one of: ${names.join(', ')}.`);
  } else if (loc.datHint) {
    const want = path.resolve(path.dirname(loc.datHint));
    const k = names.findIndex((n) => path.resolve(path.dirname(oebin), 'continuous', n) === want);
    if (k >= 0) idx = k;
  }
  const s = streams[idx];
  const folder = names[idx];
  if (!folder || folder.includes('..')) throw corrupt(oebin, `Stream ${idx} has no valid folder_name`);
  const rate = Number(s.sample_rate);
  const nCh = Number(s.num_channels);
  if (!(rate > 0) || !Number.isFinite(rate)) throw corrupt(oebin, `Stream '${folder}' has no valid sample_rate`);
  if (!Number.isInteger(nCh) || nCh < 1 || nCh > 65536) throw corrupt(oebin, `Stream '${folder}' has no valid num_channels`);
  const chans = Array.isArray(s.channels) ? (s.channels as OebinChannel[]) : [];
  if (chans.length !== nCh) {
    throw mismatch(oebin, `Stream '${folder}' says num_channels=${nCh} but lists ${chans.length} channels`);
  }
  const channels: ChannelInfo[] = [];
  const scale = new Float64Array(nCh);
  chans.forEach((c, i) => {
    const bv = Number(c?.bit_volts);
    if (!Number.isFinite(bv)) throw corrupt(oebin, `Channel ${i} of '${folder}' has no valid bit_volts`);
    const unit = typeof c.units === 'string' ? c.units : 'uV';
    const f = toMicrovolts(unit);
    const name = typeof c.channel_name === 'string' && c.channel_name ? c.channel_name : `CH${i + 1}`;
    scale[i] = bv * (f ?? 1);
    const analogIn = /^ADC|^AUX/i.test(name) || unit === 'V';
    channels.push({ name, group: analogIn ? 'aux' : '0', unit: 'uV', scale: scale[i], kind: /^ADC/i.test(name) ? 'stim' : 'ephys' });
  });
  // folder_name comes from the header: the stream's files must really lie under the oebin's folder.
  const dat = sidecarPath(oebin, path.join('continuous', folder, 'continuous.dat'), `folder_name '${folder}' in structure.oebin`);
  const dir = path.dirname(dat);
  const f = BlockFile.open(dat);
  try {
    const frame = nCh * 2;
    if (f.size % frame !== 0) {
      throw mismatch(dat, `continuous.dat has ${f.size} bytes, not a whole number of ${nCh}-channel int16 frames`,
        'The channel count in structure.oebin does not fit the data; check num_channels or re-export.');
    }
    if (f.size === 0) throw ioError('FILE_EMPTY', dat, 'continuous.dat is empty', 'The recording holds no samples; choose another recording.');
    const notes: string[] = [];
    if (streams.length > 1) notes.push(`Stream '${folder}' chosen; other streams: ${names.filter((_, i) => i !== idx).join(', ')}.`);
    const events = readEvents(path.dirname(oebin), json.events, folder, dir, notes);
    const meta: RecordingMeta = {
      path: dat, format: 'openephys', channels, sampleRate: rate, nSamples: f.size / frame, events,
      notes: notes.length ? notes : undefined,
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

/** TTL events of the chosen stream, in samples from the first sample of continuous.dat. */
function readEvents(root: string, evList: unknown, folder: string, contDir: string, notes: string[]): EventMark[] {
  if (!Array.isArray(evList)) return [];
  const stream = folder.split('/')[0];
  const out: EventMark[] = [];
  try {
    let first = 0;
    for (const n of ['sample_numbers.npy', 'timestamps.npy']) {
      const p = path.join(contDir, n);
      if (exists(p)) { first = readNpyHead(p, 1)[0] ?? 0; break; }
    }
    for (const ev of evList as { folder_name?: unknown }[]) {
      const fn = typeof ev?.folder_name === 'string' ? ev.folder_name : '';
      if (!fn || fn.split('/')[0] !== stream || fn.includes('..')) continue;
      const d = sidecarPath(path.join(root, 'structure.oebin'), path.join('events', fn), `events folder_name '${fn}' in structure.oebin`);
      const sPath = ['sample_numbers.npy', 'timestamps.npy'].map((n) => path.join(d, n)).find(exists);
      const stPath = ['states.npy', 'channel_states.npy'].map((n) => path.join(d, n)).find(exists);
      if (!sPath || !stPath) continue;
      const samples = readNpy1d(sPath);
      const states = readNpy1d(stPath);
      if (samples.length !== states.length) { notes.push(`Events in ${fn} skipped: sample and state counts differ.`); continue; }
      samples.forEach((t, i) => out.push({ sample: Math.round(t - first), duration: 0, label: `TTL/${states[i]}` }));
    }
  } catch (e) {
    notes.push(`Events could not be read (${e instanceof Error ? e.message : String(e)}).`);
    return [];
  }
  return out.sort((a, b) => a.sample - b.sample);
}
