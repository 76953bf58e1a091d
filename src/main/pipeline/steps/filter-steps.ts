// The filter step (raw samples -> filtered float32 channel file in the cache) and a reader for
// filtered channels that later steps use: from memory in fast mode, from the file otherwise.
// Blocks lie on a fixed grid that depends only on the filter and the sample rate, never on the
// mode or the memory budget, so fast mode (whole channel in memory) and low-memory mode
// (streamed) give bit-identical samples.

import * as fs from 'node:fs';
import type { FilterParams } from '../../../shared/params';
import { bandpassSos } from '../../../workers/dsp/butter';
import { filtfiltBlocked, requiredMargin } from '../../../workers/dsp/blocked';
import { AtomicStream } from '../cache';
import type { StepContext } from './context';

export interface FilterGrid {
  sos: Float64Array;
  block: number;
  margin: number;
}

export function filterGrid(p: FilterParams, fs: number): FilterGrid {
  const sos = bandpassSos(p, fs);
  const margin = requiredMargin(sos, fs);
  return { sos, margin, block: Math.max(1 << 18, 8 * margin) };
}

export function filterStep(ctx: StepContext): void {
  const { task, source } = ctx;
  const n = source.meta.nSamples;
  const g = filterGrid(task.filter, source.meta.sampleRate);
  const out = new AtomicStream(task.files.filter!);
  try {
    if (task.blockSamples > 0) {
      // Low-memory: one block (plus margins) at a time, straight to the file.
      const read = (s: number, e: number): Float32Array => source.read([task.channel], s, e)[0];
      filtfiltBlocked(g.sos, read, n, g.block, g.margin, (s, y) => {
        out.write(y);
        ctx.progress('filter', Math.min(1, (s + y.length) / n));
      });
    } else {
      // Fast: the whole channel in memory, filtered on the same grid, kept for the next steps.
      const raw = source.read([task.channel], 0, n)[0];
      const y = new Float32Array(n);
      filtfiltBlocked(g.sos, (s, e) => raw.subarray(s, e), n, g.block, g.margin, (s, b) => {
        y.set(b, s);
        ctx.progress('filter', Math.min(1, (s + b.length) / n));
      });
      out.write(y);
      ctx.memo.set('filtered', y);
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Random access to a float32 channel file (filtered, reference or corrected samples). */
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
