// Small interactive tasks the workbench sends to pool workers (src/main/pool/worker.ts exposes them):
// min/max decimation of a trace window (the worker reads its channels itself, so whole windows never
// pass through main) and the GMM that re-clusters one cluster into k parts.

import * as fs from 'node:fs';
import type { SourceRef } from '../../shared/recording';
import { SpikeDeskError } from '../../shared/errors';
import { minMaxDecimate } from '../../workers/trace/decimate';
import { fitGmm, predictGmm } from '../../workers/sort/gmm';
import { sharedSource } from '../pipeline/open-source';

/** Where a decimation task reads: the recording itself, or per-channel float32 result files of a run. */
export type TraceInput = { kind: 'source'; ref: SourceRef } | { kind: 'f32'; files: Record<number, string> };

export interface DecimateTask {
  input: TraceInput;
  channels: number[];
  /** The whole window [start, end) and its number of columns. */
  start: number;
  end: number;
  columns: number;
  /** This task's share of the columns, [colStart, colEnd) (default: all). */
  colStart?: number;
  colEnd?: number;
}

export interface DecimateResult { min: Float32Array[]; max: Float32Array[] }

/** Samples [start, end) of a float32 channel file (one channel's cached result). */
export function readF32(file: string, start: number, end: number): Float32Array {
  const out = new Float32Array(end - start);
  const bytes = new Uint8Array(out.buffer);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < bytes.length) {
      const got = fs.readSync(fd, bytes, done, bytes.length - done, start * 4 + done);
      if (got <= 0) throw new SpikeDeskError({ code: 'FILE_TRUNCATED', message: 'cached result is shorter than the recording', file });
      done += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

export async function readChannels(input: TraceInput, channels: number[], start: number, end: number): Promise<Float32Array[]> {
  if (input.kind === 'source') return (await sharedSource(input.ref)).read(channels, start, end);
  return channels.map((c) => {
    const f = input.files[c];
    if (!f) throw new SpikeDeskError({ code: 'NOT_FOUND', message: `channel ${c} has no result in the last run`, fix: 'run the pipeline on this channel' });
    return readF32(f, start, end);
  });
}

/**
 * Min/max of columns [colStart, colEnd) of a window split into `columns` columns. Column c covers
 * samples floor(c n / columns) .. floor((c + 1) n / columns) of the window, the same boundaries as
 * minMaxDecimate over the whole window, so splitting the columns among workers changes nothing.
 */
export async function decimateTask(t: DecimateTask): Promise<DecimateResult> {
  const n = t.end - t.start;
  const c0 = t.colStart ?? 0, c1 = t.colEnd ?? t.columns;
  if (c0 === 0 && c1 === t.columns) {
    const out = (await readChannels(t.input, t.channels, t.start, t.end)).map((x) => minMaxDecimate(x, t.columns));
    return { min: out.map((o) => o.min), max: out.map((o) => o.max) };
  }
  const edge = (c: number): number => Math.floor((c * n) / t.columns);
  const off = edge(c0);
  const data = await readChannels(t.input, t.channels, t.start + off, t.start + edge(c1));
  const min: Float32Array[] = [], max: Float32Array[] = [];
  for (const x of data) {
    const lo = new Float32Array(c1 - c0), hi = new Float32Array(c1 - c0);
    for (let c = c0; c < c1; c++) {
      let a = Infinity, b = -Infinity;
      for (let i = edge(c) - off, e = edge(c + 1) - off; i < e; i++) { const v = x[i]; if (v < a) a = v; if (v > b) b = v; }
      lo[c - c0] = a;
      hi[c - c0] = b;
    }
    min.push(lo);
    max.push(hi);
  }
  return { min, max };
}

/** Sub-labels 0..k-1 for the rows of X (n x d) from a k-component GMM with a fixed seed. */
export function gmmSplitTask(X: Float32Array, n: number, d: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2 || k > 20) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `cannot re-cluster into ${k} parts`, fix: 'choose k from 2 to 20' });
  if (n < k * 2) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `a cluster of ${n} spikes is too small to split into ${k}`, fix: 'choose a smaller k or a larger cluster' });
  const model = fitGmm(X, n, d, k, { seed, restarts: 3, maxIter: 200 });
  return predictGmm(model, X, n).labels;
}
