// The trace file of a Phy folder when the recording is not raw binary: an interleaved float32
// copy of the sorted channels' filtered samples, streamed from the session cache's per-channel
// files (ch0000.f32 ...) in blocks, written atomically.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { AtomicFileWriter } from '../io/atomic';

export function filteredChannelFile(dir: string, c: number): string {
  return path.join(dir, `ch${String(c).padStart(4, '0')}.f32`);
}

export function writeFilteredDat(file: string, dir: string, channels: number[], nSamples: number): string {
  const fds = channels.map((c) => fs.openSync(filteredChannelFile(dir, c), 'r'));
  const w = AtomicFileWriter.open(file);
  try {
    const B = 1 << 16, C = channels.length;
    const col = new Float32Array(B);
    const frame = new Float32Array(B * C);
    for (let s = 0; s < nSamples; s += B) {
      const m = Math.min(B, nSamples - s);
      fds.forEach((fd, k) => {
        fs.readSync(fd, new Uint8Array(col.buffer, 0, m * 4), 0, m * 4, s * 4);
        for (let i = 0; i < m; i++) frame[i * C + k] = col[i];
      });
      w.write(new Uint8Array(frame.buffer, 0, m * C * 4));
    }
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
  return file;
}
