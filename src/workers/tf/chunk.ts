// The Morlet transform as a chunked per-channel kernel: a chunk is a whole number of transform
// blocks (cwt.ts), its margin covers the blocks' input reach, so any chunking of the channel
// (whole channel in fast mode, time chunks in low-memory mode) and any frequency subset (frequency
// batches) computes every output value with the same arithmetic as the whole-channel transform.

import { cwtGeometry, makeBank, outputRange, transformBlocks, type CwtGeometry, type MorletBank, type MorletParams } from './cwt';

export interface TfKernelParams extends MorletParams {
  /** Also store the phase (radians). */
  phase: boolean;
  /** Indices (into freqs) this task computes; absent = all (frequency-batch strategy sets a subset). */
  freqIndices?: number[];
}

/** Input samples per chunk in low-memory mode (rounded up to whole blocks): about 4 MB of float32. */
export const CHUNK_SAMPLES = 1 << 20;

export interface TfPart {
  /** Output index range of this chunk. */
  o0: number;
  o1: number;
  /** rows x (o1 - o0), rows = the task's frequencies. */
  power: Float32Array;
  phase?: Float32Array;
}

export interface TfChannelOutput {
  /** Frequency indices (into the full list) of the rows. */
  rows: number[];
  nOut: number;
  /** rows x nOut, float32 (recording unit squared). */
  power: Float32Array;
  phase: Float32Array | null;
}

// One bank per worker is enough: every task of a run uses the same parameters.
let cached: { key: string; geom: CwtGeometry; bank: MorletBank } | null = null;

export function rowsOf(p: TfKernelParams): number[] {
  return p.freqIndices ?? p.freqs.map((_, i) => i);
}

export function bankFor(p: TfKernelParams, n: number, sfreq: number): { geom: CwtGeometry; bank: MorletBank } {
  const key = JSON.stringify([p.freqs, p.nCycles, p.zeroMean, p.decim, rowsOf(p), n, sfreq]);
  if (cached?.key !== key) {
    const geom = cwtGeometry(n, sfreq, p);
    cached = { key, geom, bank: makeBank(geom, p, rowsOf(p)) };
  }
  return cached;
}

/** Chunk grid: whole blocks, margin = the furthest input a block reads beyond its outputs. */
export function tfGrid(p: TfKernelParams, n: number, sfreq: number): { block: number; margin: number } {
  const g = cwtGeometry(n, sfreq, p);
  // At most CHUNK_SAMPLES, and a quarter of the channel when shorter, so that even short recordings
  // go through several chunks (the grid depends only on the parameters and the recording, never the mode).
  const target = Math.min(CHUNK_SAMPLES, Math.ceil(n / 4));
  return { block: g.S * Math.max(1, Math.ceil(target / g.S)), margin: g.N - g.S - g.K };
}

/**
 * x holds samples [a, a + x.length); computes outputs of input range [s, e) (s on the block grid).
 * With `into` (tfOutputFor's whole-channel arrays) the values are written in place and the part
 * holds no arrays: the same arithmetic without a second copy of the channel's output.
 */
export function tfChunk(p: TfKernelParams, x: ArrayLike<number> & { subarray?: unknown }, a: number, s: number, e: number, n: number, sfreq: number, into?: TfChannelOutput): TfPart {
  const { geom, bank } = bankFor(p, n, sfreq);
  const b0 = s / geom.S;
  const b1 = Math.ceil(e / geom.S);
  const [o0, o1] = outputRange(geom, b0, b1);
  const arr = x as Float32Array;
  const read = (u: number, v: number): Float32Array => arr.subarray(u - a, v - a);
  if (into) {
    transformBlocks(bank, read, b0, b1, { power: into.power, phase: into.phase ?? undefined, rowLength: into.nOut, outOffset: 0 });
    return { o0, o1, power: new Float32Array(0) };
  }
  const len = o1 - o0;
  const power = new Float32Array(bank.indices.length * len);
  const phase = p.phase ? new Float32Array(power.length) : undefined;
  transformBlocks(bank, read, b0, b1, { power, phase, rowLength: len, outOffset: o0 });
  return { o0, o1, power, phase };
}

/**
 * The last channel's output arrays, weakly: a worker runs one task at a time and its previous task's
 * output is written to the cache and dropped before the next task prepares, but the garbage
 * collector frees tens of MB of array memory late (the 32-channel EEG demo at full rate peaked at
 * 1.3 GB with a fresh output per channel). Reusing them while they are still uncollected keeps one
 * output per worker; once collected, a new one is allocated. Nothing is held after a run.
 */
let previous: WeakRef<TfChannelOutput> | null = null;

/** The whole channel's output arrays (rows x nOut, zero), for tfChunk's in-place writes. */
export function tfOutputFor(p: TfKernelParams, n: number, sfreq: number, reuse = false): TfChannelOutput {
  const geom = cwtGeometry(n, sfreq, p);
  const rows = rowsOf(p);
  const size = rows.length * geom.nOut;
  const old = reuse ? previous?.deref() : undefined;
  let out: TfChannelOutput;
  if (old && old.power.length === size && (old.phase !== null) === p.phase) {
    old.power.fill(0);
    old.phase?.fill(0);
    out = { rows, nOut: geom.nOut, power: old.power, phase: old.phase };
  } else {
    out = { rows, nOut: geom.nOut, power: new Float32Array(size), phase: p.phase ? new Float32Array(size) : null };
  }
  if (reuse) previous = new WeakRef(out);
  return out;
}

/** Joins the chunks of one channel, in order, into rows x nOut. */
export function tfAssemble(p: TfKernelParams, parts: TfPart[], n: number, sfreq: number): TfChannelOutput {
  const out = tfOutputFor(p, n, sfreq);
  const { rows, nOut, power, phase } = out;
  for (const part of parts) {
    const len = part.o1 - part.o0;
    for (let r = 0; r < rows.length; r++) {
      power.set(part.power.subarray(r * len, (r + 1) * len), r * nOut + part.o0);
      if (phase && part.phase) phase.set(part.phase.subarray(r * len, (r + 1) * len), r * nOut + part.o0);
    }
  }
  return out;
}
