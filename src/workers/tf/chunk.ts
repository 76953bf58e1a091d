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

/** x holds samples [a, a + x.length); computes outputs of input range [s, e) (s on the block grid). */
export function tfChunk(p: TfKernelParams, x: ArrayLike<number> & { subarray?: unknown }, a: number, s: number, e: number, n: number, sfreq: number): TfPart {
  const { geom, bank } = bankFor(p, n, sfreq);
  const b0 = s / geom.S;
  const b1 = Math.ceil(e / geom.S);
  const [o0, o1] = outputRange(geom, b0, b1);
  const len = o1 - o0;
  const power = new Float32Array(bank.indices.length * len);
  const phase = p.phase ? new Float32Array(power.length) : undefined;
  const arr = x as Float32Array;
  transformBlocks(bank, (u, v) => arr.subarray(u - a, v - a), b0, b1, { power, phase, rowLength: len, outOffset: o0 });
  return { o0, o1, power, phase };
}

/** Joins the chunks of one channel, in order, into rows x nOut. */
export function tfAssemble(p: TfKernelParams, parts: TfPart[], n: number, sfreq: number): TfChannelOutput {
  const geom = cwtGeometry(n, sfreq, p);
  const rows = rowsOf(p);
  const power = new Float32Array(rows.length * geom.nOut);
  const phase = p.phase ? new Float32Array(power.length) : null;
  for (const part of parts) {
    const len = part.o1 - part.o0;
    for (let r = 0; r < rows.length; r++) {
      power.set(part.power.subarray(r * len, (r + 1) * len), r * geom.nOut + part.o0);
      if (phase && part.phase) phase.set(part.phase.subarray(r * len, (r + 1) * len), r * geom.nOut + part.o0);
    }
  }
  return { rows, nOut: geom.nOut, power, phase };
}
