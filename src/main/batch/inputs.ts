// The recordings of a batch from its INPUTS: a folder (its recordings, not recursive), a glob
// (`data/*.dat`, `**` spans folders) or a manifest TSV with a header row (`path`, optional raw
// options `channels rate dtype gain offset`). Each recording gets a folder name derived from
// its input only, so every executor writes to the same place.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import type { OpenOptions } from '../../shared/recording';

export interface BatchItem {
  /** Folder name under the batch output (deterministic from the input). */
  name: string;
  /** Absolute path of the recording. */
  path: string;
  open: OpenOptions;
}

/** Recording files a folder input picks up (sidecars such as .vmrk/.eeg/.meta are not inputs). */
const RECORDING_EXT = new Set(['.dat', '.bin', '.edf', '.bdf', '.vhdr', '.nwb', '.h5', '.hdf5', '.rhd']);
const MANIFEST_COLUMNS = ['path', 'channels', 'rate', 'dtype', 'gain', 'offset'];

function bad(message: string, fix: string, file?: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix, file });
}

export function isManifest(p: string): boolean {
  return /\.(tsv|txt)$/i.test(p) && fs.existsSync(p) && fs.statSync(p).isFile();
}

/** Resolve INPUTS into batch items (sorted by path, names unique). `open` applies to every item without its own options. */
export function resolveInputs(inputs: string[], open: OpenOptions = {}, cwd = process.cwd()): BatchItem[] {
  if (!inputs.length) bad('no inputs given', 'give a folder, a glob such as data/*.dat, or a manifest .tsv');
  const found: { path: string; open: OpenOptions }[] = [];
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    if (/[*?[]/.test(input)) {
      const hits = globFiles(abs);
      if (!hits.length) bad(`the pattern ${input} matches no file`, 'check the pattern (quote it so the shell does not expand it)');
      for (const h of hits) found.push({ path: h, open });
    } else if (!fs.existsSync(abs)) {
      throw new SpikeDeskError({ code: 'FILE_NOT_FOUND', message: 'the batch input does not exist', file: abs, fix: 'check the path' });
    } else if (fs.statSync(abs).isDirectory()) {
      const hits = folderRecordings(abs);
      if (!hits.length) bad(`the folder holds no recording (${[...RECORDING_EXT].join(', ')})`, 'point at the folder holding the recordings', abs);
      for (const h of hits) found.push({ path: h, open });
    } else if (isManifest(abs)) {
      found.push(...readManifest(abs, open));
    } else {
      found.push({ path: abs, open });
    }
  }
  const seen = new Set<string>();
  const unique = found.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
  unique.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return nameItems(unique);
}

/** Folder name of each recording: its file name without extension; inputs sharing a name get a hash of their path. */
export function nameItems(list: { path: string; open: OpenOptions }[]): BatchItem[] {
  const base = (p: string): string => {
    const b = path.basename(p).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
    // Open Ephys keeps every stream as continuous.dat: name it by its experiment folders instead.
    if (b === 'continuous') return `${path.basename(path.dirname(p))}_${b}`;
    return b || 'recording';
  };
  const counts = new Map<string, number>();
  for (const f of list) counts.set(base(f.path), (counts.get(base(f.path)) ?? 0) + 1);
  return list.map((f) => {
    const b = base(f.path);
    const name = counts.get(b)! > 1 ? `${b}-${createHash('sha1').update(f.path).digest('hex').slice(0, 8)}` : b;
    return { name, path: f.path, open: f.open };
  });
}

function folderRecordings(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && RECORDING_EXT.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(dir, e.name));
}

/** Files matching an absolute glob with `*`, `?`, `[...]` within a name and `**` across folders. */
export function globFiles(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/);
  const first = parts.findIndex((p) => /[*?[]/.test(p));
  const root = parts.slice(0, first).join('/') || '/';
  const rest = parts.slice(first);
  const out: string[] = [];
  const walk = (dir: string, i: number): void => {
    if (i >= rest.length) return;
    const seg = rest[i];
    if (seg === '**') {
      walk(dir, i + 1);
      for (const e of safeList(dir)) if (e.isDirectory() && !e.name.endsWith('.spikedesk')) walk(path.join(dir, e.name), i);
      return;
    }
    const re = segmentRegex(seg);
    for (const e of safeList(dir)) {
      if (!re.test(e.name)) continue;
      const p = path.join(dir, e.name);
      if (i === rest.length - 1) { if (e.isFile()) out.push(p); } else if (e.isDirectory()) walk(p, i + 1);
    }
  };
  walk(root, 0);
  return [...new Set(out)].sort();
}

function safeList(dir: string): fs.Dirent[] {
  try { return fs.readdirSync(dir, { withFileTypes: true }); } catch { return []; }
}

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = seg.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else { re += `[${seg.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`; i = j; }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A manifest: tab-separated, header row naming `path` and any of the raw options; paths relative to the manifest. */
export function readManifest(file: string, defaults: OpenOptions = {}): { path: string; open: OpenOptions }[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() && !l.startsWith('#'));
  if (!lines.length) bad('the manifest is empty', 'add a header row (path, channels, rate, dtype, gain, offset) and one row per recording', file);
  const head = lines[0].l.split('\t').map((h) => h.trim().toLowerCase());
  if (!head.includes('path')) bad(`the manifest header has no 'path' column (found: ${head.join(', ')})`, 'the first row must name the columns, tab-separated, starting with path', file);
  const unknown = head.filter((h) => !MANIFEST_COLUMNS.includes(h));
  if (unknown.length) bad(`unknown manifest column(s): ${unknown.join(', ')}`, `use ${MANIFEST_COLUMNS.join(', ')}`, file);
  const dir = path.dirname(file);
  return lines.slice(1).map(({ l, n }) => {
    const cells = l.split('\t');
    const row = Object.fromEntries(head.map((h, i) => [h, (cells[i] ?? '').trim()]));
    const where = `${path.basename(file)} line ${n}`;
    if (!row.path) bad(`${where}: the path is empty`, 'give the recording path in the first column', file);
    const open: OpenOptions = { ...defaults };
    const numCell = (k: 'channels' | 'rate' | 'gain' | 'offset', ok: (v: number) => boolean, what: string): void => {
      if (!row[k]) return;
      const v = Number(row[k]);
      if (!Number.isFinite(v) || !ok(v)) bad(`${where}: ${k} '${row[k]}' is not ${what}`, `fix the ${k} column`, file);
      open[k] = v;
    };
    numCell('channels', (v) => Number.isInteger(v) && v > 0, 'a positive channel count');
    numCell('rate', (v) => v > 0, 'a sample rate in Hz');
    numCell('gain', (v) => v !== 0, 'a non-zero gain in uV per bit');
    numCell('offset', (v) => Number.isInteger(v) && v >= 0, 'a byte count');
    if (row.dtype) {
      if (row.dtype !== 'int16' && row.dtype !== 'uint16' && row.dtype !== 'float32') bad(`${where}: dtype '${row.dtype}' is not int16, uint16 or float32`, 'fix the dtype column', file);
      open.dtype = row.dtype;
    }
    return { path: path.resolve(dir, row.path), open };
  });
}
