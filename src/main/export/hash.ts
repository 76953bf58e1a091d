// sha256 of the input recording for the provenance of every export. Recordings are large, so
// files are streamed in chunks; a multi-file recording (BrainVision header/markers/data, a
// SpikeGLX .bin with its .meta, a folder) hashes every part. Results are cached per
// (path, size, mtime) so exporting the same recording twice does not read it twice.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputHash } from '../../shared/export';

const CHUNK = 4 * 1024 * 1024;
const cache = new Map<string, string>();

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const st = fs.statSync(file);
  const key = `${path.resolve(file)}|${st.size}|${st.mtimeMs}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const h = createHash('sha256');
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK, signal });
  for await (const chunk of stream) h.update(chunk as Buffer);
  const hex = h.digest('hex');
  cache.set(key, hex);
  return hex;
}

/** The files that make up a recording at `p` (companions included), sorted, absolute. */
export function inputFiles(p: string): string[] {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isDirectory()) {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name.startsWith('.') || e.name.endsWith('.spikedesk')) continue; // our own session folder is not input
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.isFile()) out.push(full);
      }
    };
    walk(abs);
    return out;
  }
  const stem = abs.replace(/\.[^./\\]+$/, '');
  const ext = path.extname(abs).toLowerCase();
  const companions = ext === '.vhdr' ? ['.vmrk', '.eeg'] : ext === '.bin' ? ['.meta'] : [];
  return [abs, ...companions.map((c) => stem + c).filter((f) => fs.existsSync(f))].sort();
}

export async function hashInput(p: string, signal?: AbortSignal): Promise<InputHash | null> {
  const files = inputFiles(p);
  if (files.length === 0) return null;
  const out: InputHash = { algorithm: 'sha256', files: [] };
  for (const f of files) out.files.push({ path: f, bytes: fs.statSync(f).size, sha256: await sha256File(f, signal) });
  return out;
}
