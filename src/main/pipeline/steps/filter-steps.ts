// The filter step (raw samples -> filtered float32 channel file in the cache) and a reader for
// filtered channels that later steps use: from memory in fast mode, from the file otherwise.

import * as fs from 'node:fs';
import { AtomicStream } from '../cache';
import { blockCount, makeChannelFilter } from './filter-step';
import type { StepContext } from './context';

export function filterStep(ctx: StepContext): void {
  const { task, source } = ctx;
  const n = source.meta.nSamples;
  const f = makeChannelFilter(task.filter, source.meta.sampleRate);
  const nBlocks = blockCount(n, f.grid);
  const read = (s: number, e: number): Float32Array => source.read([task.channel], s, e)[0];
  const out = new AtomicStream(task.files.filter!);
  try {
    if (task.blockSamples > 0) {
      // Low-memory: one block (plus margins) at a time, straight to the file.
      for (let k = 0; k < nBlocks; k++) {
        out.write(f.block(k, n, read));
        ctx.progress('filter', (k + 1) / nBlocks);
      }
    } else {
      // Fast: the whole channel in memory, filtered on the same grid, kept for the next steps.
      const raw = read(0, n);
      const y = new Float32Array(n);
      for (let k = 0; k < nBlocks; k++) {
        y.set(f.block(k, n, (s, e) => raw.subarray(s, e)), k * f.grid.block);
        ctx.progress('filter', (k + 1) / nBlocks);
      }
      out.write(y);
      ctx.memo.set('filtered', y);
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Random access to a float32 channel file (filtered or corrected samples). */
export class ChannelFile {
  private fd: number;
  readonly length: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    this.length = fs.fstatSync(this.fd).size / 4;
  }

  read(start: number, end: number, into?: Float32Array): Float32Array {
    const out = into ?? new Float32Array(end - start);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, (end - start) * 4);
    let done = 0;
    while (done < bytes.length) {
      const got = fs.readSync(this.fd, bytes, done, bytes.length - done, start * 4 + done);
      if (got <= 0) throw new Error(`${this.path} is shorter than expected`);
      done += got;
    }
    return out;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** The filtered channel of this task: from memory when the filter step just ran in fast mode. */
export function filteredWhole(ctx: StepContext): Float32Array {
  const m = ctx.memo.get('filtered') as Float32Array | undefined;
  if (m) return m;
  const f = new ChannelFile(ctx.task.files.filter!);
  try {
    return f.read(0, f.length);
  } finally {
    f.close();
  }
}
