// How a time-frequency run is split into tasks, and the automatic choice between the three splits:
//   channel    - one task per channel (all frequencies);
//   frequency  - each channel's frequencies split into batches, one task per (channel, batch), for
//                few long channels (fewer channels than workers would leave workers idle);
//   recording  - one task per recording (a batch of recordings; used by the batch runner, #17).
// Every split computes each (channel, frequency, time) value with the same block grid (cwt.ts), so
// all give the sequential result bit for bit; the choice is purely about speed and memory.
//
// The choice minimises the estimated makespan: tasks are list-scheduled on the workers, a channel's
// cost is nBlocks x (input FFT + nFreqs x per-frequency work), and a frequency batch repeats the input
// FFT and the wavelet bank set-up. The per-block cost ratios are from bench/tf.bench.ts (fft.js on this
// machine: real FFT of N ~ 0.66 complex inverse FFT of N; multiply + fold ~ 0.1 of an inverse FFT of N).

import type { CwtGeometry } from './cwt';

export type TfStrategy = 'channel' | 'frequency' | 'recording';
export const TF_STRATEGIES: readonly TfStrategy[] = ['channel', 'frequency', 'recording'];

/** Split nF frequency indices into `batches` contiguous, near-equal batches (never an empty one). */
export function batchIndices(nF: number, batches: number): number[][] {
  const b = Math.max(1, Math.min(nF, Math.floor(batches)));
  const out: number[][] = [];
  for (let i = 0; i < b; i++) {
    const lo = Math.floor((i * nF) / b), hi = Math.floor(((i + 1) * nF) / b);
    out.push(Array.from({ length: hi - lo }, (_, k) => lo + k));
  }
  return out;
}

/** Relative cost units of one block (1 = an inverse complex FFT of N points). */
export const COST = {
  /** Real-input forward FFT of the block, relative to a complex inverse FFT of the same size. */
  inputFft: 0.66,
  /** Spectrum multiply and fold, per frequency. */
  multiply: 0.1,
  /** Building a frequency's wavelet spectrum (once per task), in blocks' worth of inverse FFTs. */
  bankPerFreq: 1.2,
  /** Per task: dispatch, opening the source, reading the channel (measured ~ 2 inverse FFTs of 65536). */
  task: 2,
};

function log2(x: number): number {
  return Math.log(x) / Math.LN2;
}

/** Cost of one task: `blocks` blocks of `nF` frequencies (units: inverse FFTs of N points). */
export function taskCost(g: CwtGeometry, nF: number): number {
  const inv = (g.N / g.fold) * log2(g.N / g.fold) / (g.N * log2(g.N));
  return g.nBlocks * (COST.inputFft + nF * (COST.multiply + inv)) + nF * COST.bankPerFreq + COST.task;
}

/** A recording's task: its channels in order on one worker, one wavelet bank and one dispatch. */
function recordingCost(g: CwtGeometry, nF: number, channels: number): number {
  const one = taskCost(g, nF) - nF * COST.bankPerFreq - COST.task;
  return channels * one + nF * COST.bankPerFreq + COST.task;
}

/** Longest-processing-time list scheduling of equal-ish tasks on `workers` lanes. */
function makespan(costs: number[], workers: number): number {
  const lanes = new Array<number>(Math.max(1, workers)).fill(0);
  for (const c of [...costs].sort((a, b) => b - a)) {
    let i = 0;
    for (let k = 1; k < lanes.length; k++) if (lanes[k] < lanes[i]) i = k;
    lanes[i] += c;
  }
  return Math.max(...lanes);
}

export interface StrategyChoice {
  strategy: TfStrategy;
  /** Frequency batches per channel (1 unless strategy = frequency). */
  batches: number;
  /** Estimated makespan of each candidate (cost units), for the report. */
  estimates: Partial<Record<TfStrategy, number>>;
  reason: string;
}

export interface WorkSize {
  geom: CwtGeometry;
  nFreqs: number;
  /** Channels per recording. */
  channels: number[];
  workers: number;
}

/** Chooses the split with the smallest estimated makespan (ties: the simpler split). */
export function chooseStrategy(w: WorkSize): StrategyChoice {
  const W = Math.max(1, w.workers);
  const nF = w.nFreqs;
  const per = taskCost(w.geom, nF);
  const allChannels = w.channels.reduce((a, b) => a + b, 0);
  const estimates: Partial<Record<TfStrategy, number>> = {};
  estimates.channel = makespan(new Array<number>(allChannels).fill(per), W);
  let bestBatches = 1;
  let bestFreq = Infinity;
  for (let b = 2; b <= Math.min(nF, 4 * W); b++) {
    const sizes = batchIndices(nF, b).map((r) => taskCost(w.geom, r.length));
    const costs: number[] = [];
    for (let c = 0; c < allChannels; c++) costs.push(...sizes);
    const m = makespan(costs, W);
    if (m < bestFreq - 1e-9) { bestFreq = m; bestBatches = b; }
  }
  if (bestBatches > 1) estimates.frequency = bestFreq;
  if (w.channels.length > 1) estimates.recording = makespan(w.channels.map((c) => recordingCost(w.geom, nF, c)), W);
  let strategy: TfStrategy = 'channel';
  // A split must beat the simpler one by 3% to be worth its overhead (bank set-up, more tasks).
  if (estimates.recording !== undefined && estimates.recording < 0.97 * estimates[strategy]!) strategy = 'recording';
  if (estimates.frequency !== undefined && estimates.frequency < 0.97 * estimates[strategy]!) strategy = 'frequency';
  const reason = strategy === 'frequency'
    ? `${allChannels} channel(s) on ${W} workers: ${bestBatches} frequency batches per channel keep every worker busy`
    : strategy === 'recording' ? `${w.channels.length} recordings spread over ${W} workers` : `${allChannels} channels fill ${W} workers`;
  return { strategy, batches: strategy === 'frequency' ? bestBatches : 1, estimates, reason };
}
