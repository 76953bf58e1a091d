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
  /** AAS engine: 'spline' = continuous-time template (B-spline in time since onset, no upsampling);
   * 'upsampled' = classic AAS on an upsampled grid (FASTR). */
  engine: 'spline' | 'upsampled';
  /** Upsampling factor of the 'upsampled' engine and of the alignment search. */
  upsample: number;
  /** Number of neighbouring epochs averaged into each template; 0 = chosen from the data (spline
   * engine: held-out error over windows from 10 epochs to all and slow-drift models). */
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
    alignUpsample: 1, preMs: 1, postMs: 1.5,
  },
  features: { nPcs: 3, energy: false, amplitude: false },
  cluster: { kMin: 1, kMax: 7, restarts: 3, maxIter: 200, seed: 1, maxFitSpikes: 10000, outlierMahalanobis: 0 },
};

export const DEFAULT_CORRECT: CorrectParams = {
  triggers: { source: 'auto', channel: '', regex: '', kind: 'slice', completeMissing: true },
  // OBS is off by default: on the evaluation seeds it gave no gain in 0.5-40 Hz after the spline
  // template and cost ~45 % of the CPU (see src/workers/correct/evaluation.test.ts).
  engine: 'spline', upsample: 10, window: 0, align: true, farm: false, obsComponents: 0, lowpassHz: 70, anc: false,
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
  return p;
}

export function validateCorrect(p: CorrectParams): CorrectParams {
  if (!Number.isInteger(p.upsample) || p.upsample < 1 || p.upsample > 64) bad(`upsampling x${p.upsample} is out of range`, 'use 1 to 64 (10 is usual)');
  if (p.engine !== 'spline' && p.engine !== 'upsampled') bad(`AAS engine "${String(p.engine)}" is unknown`, "use 'spline' (default) or 'upsampled'");
  if (!Number.isInteger(p.window) || p.window < 0 || p.window === 1 || p.window > 100000) bad(`averaging window ${p.window} epochs is out of range`, 'use 0 (chosen from the data) or 2 to 100000 epochs');
  if (p.engine === 'upsampled' && p.window === 0) bad('the upsampled AAS engine needs a fixed window', "set the window (30 is usual) or use engine 'spline'");
  if (p.engine === 'upsampled' && p.window > 500) bad(`averaging window ${p.window} epochs is too long for the upsampled engine`, 'use 2 to 500 (30 is usual)');
  if (p.farm && p.engine !== 'upsampled') bad('FARM epoch selection needs the upsampled engine', "set engine to 'upsampled'");
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
