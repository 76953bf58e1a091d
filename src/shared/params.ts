// Method parameters for both workflows, their defaults (DOMAIN.md) and validation.
// Job settings (mode, jobs, memory budget) are kept apart from method parameters on purpose.

import { SpikeDeskError } from './errors';

export interface FilterParams {
  /** High-pass corner in Hz (0 disables). */
  lowHz: number;
  /** Low-pass corner in Hz (0 or >= Nyquist disables). */
  highHz: number;
  /** Butterworth order of each of the high-pass and low-pass parts. */
  order: number;
  /** Optional notch centre (Hz), 0 = off. */
  notchHz: number;
  /** Common reference across the channel group. */
  reference: 'none' | 'car' | 'cmr';
}

export interface DetectParams {
  /** Threshold in units of sigma = median(|x|)/0.6745. */
  threshold: number;
  polarity: 'neg' | 'pos' | 'both';
  deadTimeMs: number;
  /** Events larger than this many sigma are rejected as artifacts. */
  artifactSigma: number;
  /** Rolling window for sigma in seconds; 0 = one sigma for the whole channel. */
  sigmaWindowS: number;
  /** Upsampling factor for alignment to the extremum (1 = none). */
  alignUpsample: number;
  preMs: number;
  postMs: number;
}

export interface FeatureParams {
  nPcs: number;
  energy: boolean;
  amplitude: boolean;
}

export interface ClusterParams {
  kMin: number;
  kMax: number;
  restarts: number;
  maxIter: number;
  seed: number;
  /** Fit on at most this many spikes, then label all. */
  maxFitSpikes: number;
  /** Spikes whose Mahalanobis distance to their cluster exceeds this are left unassigned (0 = off). */
  outlierMahalanobis: number;
  /**
   * Unimodality threshold for split and merge (dip score along the discriminant, sort/isocut.ts);
   * 0 turns split/merge off. 1.0 is ISO-SPLIT's isocut threshold (Magland & Barnett 2015).
   */
  dipThreshold: number;
  /** Principal components of a cluster's own waveforms for its trial 2-way cut (ISO-SPLIT cuts in few dimensions). */
  splitPcs: number;
  /** Nearest-template passes refining a trial cut (stops early when nothing moves). */
  splitRefine: number;
  /**
   * Largest lag (ms) of a second spike overlapping an event that the overlap pass models; 0 = off.
   * 1.5 ms: the window in which overlapping spikes ended in extra clusters (issue 13's breakdown).
   */
  overlapMs: number;
  /** Alignment error (ms) of the detector's trough for the primary template: one sample at 10-20 kHz. */
  alignToleranceMs: number;
  /** Two troughs closer than this (ms) are one event, not an overlap: about a narrow spike's trough half-width. */
  minPairLagMs: number;
  /** A cluster is dissolved when more than this fraction of its events are better explained by the others (a majority). */
  dissolveFraction: number;
  /**
   * Send events that noise alone explains at least as well as their unit's template (whitened
   * likelihood ratio <= 1) to the noise cluster. False-alarm rate on true spikes under the noise
   * model: Q(D / 2) for a template D noise SDs from zero (<= 1e-3 when D >= 6.2).
   */
  rejectBackground: boolean;
  /** Clusters with fewer spikes are not units (their spikes get label -1): too few for any unit statistic. */
  minUnitSpikes: number;
}

export interface SortParams {
  filter: FilterParams;
  detect: DetectParams;
  features: FeatureParams;
  cluster: ClusterParams;
}

export interface TriggerParams {
  /** Where triggers come from: decided automatically, a stim channel or event labels. */
  source: 'auto' | 'channel' | 'events';
  /** Stim channel name when source = 'channel'. */
  channel: string;
  /** Regular expression on event labels when source = 'events'. */
  regex: string;
  kind: 'slice' | 'volume';
  /** Complete missing triggers by template matching. */
  completeMissing: boolean;
}

export interface CorrectParams {
  triggers: TriggerParams;
  upsample: number;
  /** Number of neighbouring epochs averaged into each template. */
  window: number;
  align: boolean;
  /** Correlation-weighted epoch selection (FARM-like). */
  farm: boolean;
  /** OBS / PCA residual removal: number of components, 0 = off. */
  obsComponents: number;
  /** Low-pass after correction in Hz, 0 = off. */
  lowpassHz: number;
  anc: boolean;
  /** Reference channel for alignment (name); '' = first EEG channel. */
  alignChannel: string;
}

export type ExecutionMode = { kind: 'low-memory' | 'fast'; jobs: number; memoryBudgetMB: number };

export type PipelineSpec =
  | { workflow: 'sort'; params: SortParams; mode: ExecutionMode; channels?: number[] }
  | { workflow: 'correct'; params: CorrectParams; mode: ExecutionMode; channels?: number[] }
  | { workflow: 'filter'; params: FilterParams; mode: ExecutionMode; channels?: number[] };

export const DEFAULT_FILTER: FilterParams = { lowHz: 300, highHz: 6000, order: 4, notchHz: 0, reference: 'none' };

export const DEFAULT_SORT: SortParams = {
  filter: DEFAULT_FILTER,
  detect: {
    threshold: 5, polarity: 'neg', deadTimeMs: 1, artifactSigma: 50, sigmaWindowS: 0,
    alignUpsample: 5, preMs: 1, postMs: 1.5,
  },
  features: { nPcs: 3, energy: false, amplitude: false },
  cluster: {
    kMin: 1, kMax: 7, restarts: 3, maxIter: 200, seed: 1, maxFitSpikes: 10000, outlierMahalanobis: 0,
    dipThreshold: 1, splitPcs: 4, splitRefine: 5, overlapMs: 1.5, alignToleranceMs: 0.1, minPairLagMs: 0.2,
    dissolveFraction: 0.5, rejectBackground: true, minUnitSpikes: 10,
  },
};

export const DEFAULT_CORRECT: CorrectParams = {
  triggers: { source: 'auto', channel: '', regex: '', kind: 'slice', completeMissing: true },
  upsample: 10, window: 30, align: true, farm: false, obsComponents: 4, lowpassHz: 70, anc: false,
  alignChannel: '',
};

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

export function validateFilter(p: FilterParams, sampleRate: number): FilterParams {
  const nyq = sampleRate / 2;
  if (!(p.lowHz >= 0)) bad(`high-pass corner ${p.lowHz} Hz is negative`, 'use 0 (off) or a positive frequency');
  if (!(p.highHz >= 0)) bad(`low-pass corner ${p.highHz} Hz is negative`, 'use 0 (off) or a positive frequency');
  if (p.lowHz > 0 && p.highHz > 0 && p.highHz < nyq && p.lowHz >= p.highHz)
    bad(`band ${p.lowHz}-${p.highHz} Hz is empty`, 'make the high-pass corner lower than the low-pass corner');
  if (p.lowHz >= nyq) bad(`high-pass corner ${p.lowHz} Hz is at or above Nyquist (${nyq} Hz)`, `choose a corner below ${nyq} Hz`);
  if (!Number.isInteger(p.order) || p.order < 1 || p.order > 10)
    bad(`filter order ${p.order} is not an integer from 1 to 10`, 'use an order from 1 to 10 (2-5 is usual)');
  if (p.notchHz < 0 || p.notchHz >= nyq) bad(`notch ${p.notchHz} Hz is outside 0..Nyquist`, 'use 0 (off), 50 or 60');
  return p;
}

export function validateSort(p: SortParams, sampleRate: number): SortParams {
  validateFilter(p.filter, sampleRate);
  const d = p.detect;
  if (!(d.threshold > 0 && d.threshold < 100)) bad(`threshold ${d.threshold} sigma is out of range`, 'use 3-8 (5 is usual)');
  if (!(d.deadTimeMs >= 0 && d.deadTimeMs < 100)) bad(`dead time ${d.deadTimeMs} ms is out of range`, 'use about 1 ms');
  if (!(d.preMs > 0 && d.postMs > 0 && d.preMs + d.postMs <= 20)) bad('waveform window is empty or too long', 'use about 1 ms before and 1.5 ms after');
  if (!(d.artifactSigma > d.threshold)) bad('artifact cut-off is not above the threshold', 'use e.g. 50 sigma');
  if (!Number.isInteger(d.alignUpsample) || d.alignUpsample < 1 || d.alignUpsample > 20) bad('alignment upsampling must be 1..20', 'use 1 (off) or 5');
  const f = p.features;
  if (!Number.isInteger(f.nPcs) || f.nPcs < 1 || f.nPcs > 10) bad(`${f.nPcs} PCs requested`, 'use 1 to 10 PCs (3 is usual)');
  const c = p.cluster;
  if (!Number.isInteger(c.kMin) || !Number.isInteger(c.kMax) || c.kMin < 1 || c.kMax < c.kMin || c.kMax > 20)
    bad(`cluster range ${c.kMin}..${c.kMax} is impossible`, 'use a range like 1..7 with kMin <= kMax <= 20');
  if (!Number.isInteger(c.restarts) || c.restarts < 1) bad('restarts must be a positive integer', 'use 3');
  if (!Number.isInteger(c.seed)) bad('seed must be an integer', 'use any whole number');
  if (!(c.maxFitSpikes >= 100)) bad('fit subset too small', 'use at least 100 (10000 is usual)');
  if (!(c.dipThreshold >= 0 && c.dipThreshold <= 10)) bad(`dip threshold ${c.dipThreshold} is out of range`, 'use 0 (off) to 10 (1 is usual)');
  if (!Number.isInteger(c.splitPcs) || c.splitPcs < 1 || c.splitPcs > 10) bad(`${c.splitPcs} split PCs requested`, 'use 1 to 10 (4 is usual)');
  if (!Number.isInteger(c.splitRefine) || c.splitRefine < 0 || c.splitRefine > 50) bad('split refinement passes must be 0..50', 'use 5');
  if (!(c.overlapMs >= 0 && c.overlapMs <= 5)) bad(`overlap window ${c.overlapMs} ms is out of range`, 'use 0 (off) to 5 ms (1.5 is usual)');
  if (!(c.alignToleranceMs >= 0 && c.alignToleranceMs <= 1)) bad(`alignment tolerance ${c.alignToleranceMs} ms is out of range`, 'use 0 to 1 ms (0.1 is usual)');
  if (!(c.minPairLagMs >= 0 && c.minPairLagMs <= 2)) bad(`minimum overlap lag ${c.minPairLagMs} ms is out of range`, 'use 0 to 2 ms (0.2 is usual)');
  if (!(c.dissolveFraction > 0 && c.dissolveFraction <= 1)) bad(`dissolve fraction ${c.dissolveFraction} is outside (0, 1]`, 'use 0.5');
  if (!Number.isInteger(c.minUnitSpikes) || c.minUnitSpikes < 1) bad('minimum unit size must be a positive integer', 'use 10');
  return p;
}

export function validateCorrect(p: CorrectParams): CorrectParams {
  if (!Number.isInteger(p.upsample) || p.upsample < 1 || p.upsample > 64) bad(`upsampling x${p.upsample} is out of range`, 'use 1 to 64 (10 is usual)');
  if (!Number.isInteger(p.window) || p.window < 2 || p.window > 500) bad(`averaging window ${p.window} epochs is out of range`, 'use 2 to 500 (30 is usual)');
  if (!Number.isInteger(p.obsComponents) || p.obsComponents < 0 || p.obsComponents > 20) bad('OBS components must be 0..20', 'use 4, or 0 to turn OBS off');
  if (!(p.lowpassHz >= 0)) bad('low-pass must be >= 0', 'use 70 Hz or 0 (off)');
  if (p.triggers.source === 'events' && p.triggers.regex) {
    try { new RegExp(p.triggers.regex); } catch { bad(`trigger pattern /${p.triggers.regex}/ is not a valid regular expression`, 'fix the pattern, e.g. R128'); }
  }
  return p;
}

/** Deep-merge a partial user parameter object (e.g. from --params file.json) over defaults. */
export function mergeParams<T>(defaults: T, partial: unknown): T {
  if (partial === undefined || partial === null) return structuredClone(defaults);
  if (typeof defaults !== 'object' || defaults === null) return partial as T;
  if (typeof partial !== 'object' || Array.isArray(partial)) bad('parameters must be a JSON object', 'see the README for the parameter layout');
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(partial as Record<string, unknown>)) {
    if (!(k in out)) bad(`unknown parameter "${k}"`, `use one of: ${Object.keys(out).join(', ')}`);
    const d = out[k];
    if (typeof d === 'object' && d !== null) out[k] = mergeParams(d, v);
    else {
      if (typeof v !== typeof d) bad(`parameter "${k}" should be a ${typeof d}, got ${JSON.stringify(v)}`, `give a ${typeof d}`);
      out[k] = v;
    }
  }
  return out as T;
}
