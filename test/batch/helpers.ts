// Batch tests: a folder of small raw recordings (distinct seeds) plus, optionally, a broken one,
// and byte comparison of two batch output folders.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateSpikeRecording } from '../../src/workers/synth/spikes';
import { GAIN, writeDat } from '../engine/helpers';

export const RAW_ARGS = ['--channels', '4', '--rate', '20000', '--dtype', 'int16', '--gain', String(GAIN)];

/** `n` recordings rec-0.dat ... in `dir` (4 ch, 20 kHz, `durationS` s); `broken` adds bad.dat (not a whole number of frames). */
export function writeRecordings(dir: string, n: number, o: { durationS?: number; broken?: boolean } = {}): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const rec = generateSpikeRecording({ seed: 100 + i, nChannels: 4, durationS: o.durationS ?? 3, sampleRate: 20000 });
    const f = path.join(dir, `rec-${i}.dat`);
    writeDat(f, rec);
    files.push(f);
  }
  if (o.broken) {
    const f = path.join(dir, 'bad.dat');
    fs.writeFileSync(f, Buffer.alloc(4 * 2 * 1000 + 3, 7));
    files.push(f);
  }
  return files;
}

/** Every file under `dir` (relative path -> bytes), skipping the batch's own state and reports. */
export function treeBytes(dir: string, skip: (rel: string) => boolean = () => false): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(p);
      else out.set(rel, fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Output files of the recordings only (not .batch/, batch.tsv/json, whose times differ by nature). */
export function outputBytes(dir: string): Map<string, Buffer> {
  return treeBytes(dir, (rel) => rel === '.batch' || rel === 'batch.tsv' || rel === 'batch.json');
}

/** Remove the session folders (stage caches) beside the recordings, so the next run computes again. */
export function clearSessions(dir: string): void {
  for (const e of fs.readdirSync(dir)) if (e.endsWith('.spikedesk')) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
}
