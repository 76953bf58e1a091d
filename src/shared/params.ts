// Method parameters for both workflows, their defaults (DOMAIN.md) and validation.
// Job settings (mode, jobs, memory budget) are kept apart from method parameters on purpose.
// The types come from the schemas in ./schema/params-schema.ts (bounds on every field); this file
// adds the checks that need the recording (Nyquist, channel count) or compare two fields, and is
// the one validator every boundary calls (backend, engine, CLI, renderer form).

import type { FieldIssue } from './errors';
import { fieldError, fieldIssues, parseWith } from './schema/fields';
import {
  ClusterParamsSchema, CorrectParamsSchema, DetectParamsSchema, ExecutionModeSchema, FeatureParamsSchema,
  FilterParamsSchema, PipelineSpecSchema, SortParamsSchema, TfParamsSchema, TriggerParamsSchema,
} from './schema/params-schema';
import * as v from 'valibot';

export { LIMITS } from './schema/params-schema';

export type FilterParams = v.InferOutput<typeof FilterParamsSchema>;
export type DetectParams = v.InferOutput<typeof DetectParamsSchema>;
export type FeatureParams = v.InferOutput<typeof FeatureParamsSchema>;
export type ClusterParams = v.InferOutput<typeof ClusterParamsSchema>;
export type SortParams = v.InferOutput<typeof SortParamsSchema>;
export type TriggerParams = v.InferOutput<typeof TriggerParamsSchema>;
export type CorrectParams = v.InferOutput<typeof CorrectParamsSchema>;
export type ExecutionMode = v.InferOutput<typeof ExecutionModeSchema>;
export type PipelineSpec = v.InferOutput<typeof PipelineSpecSchema>;
export type TfParams = v.InferOutput<typeof TfParamsSchema>;

export const DEFAULT_FILTER: FilterParams = { lowHz: 300, highHz: 6000, order: 4, notchHz: 0, reference: 'none' };

export const DEFAULT_SORT: SortParams = {
  filter: DEFAULT_FILTER,
  detect: {
    threshold: 5, polarity: 'neg', deadTimeMs: 1, artifactSigma: 50, sigmaWindowS: 0,
    // x5 upsampled trough alignment: sub-sample jitter otherwise makes narrow units at high SNR
    // multimodal and they get split (ground-truth evaluation, issue 13).
    alignUpsample: 5, preMs: 1, postMs: 1.5, noiseSnippets: 3000,
  },
  features: { nPcs: 3, energy: false, amplitude: false, whitenFloor: 0.01 },
  cluster: {
    kMin: 1, kMax: 7, restarts: 3, maxIter: 200, seed: 1, maxFitSpikes: 10000, outlierMahalanobis: 0,
    dipThreshold: 1, refractoryMs: 1.5, splitRefractory: true, resplitMerged: true, resplitFinal: true, resplitEvidence: 3.16, resplitSymmetric: true, resplitFinalDip: true, splitPcs: 4, splitRefine: 5, overlapMs: 1.5, alignToleranceMs: 0.1, minPairLagMs: 0.2,
    dissolveFraction: 0.5, rejectBackground: true, backgroundFalseAlarm: 0, minUnitSpikes: 10, peelMax: 2, peelAmplitudeQuantile: 0.01, peelFalseAlarm: 0.01, discriminantPasses: 5,
    templateMaxShift: 1, isocutBinSize: 16, ldaShrinkage: 1e-3, peelMedianRows: 2000, minSpikesToCluster: 20,
  },
};

export const DEFAULT_CORRECT: CorrectParams = {
  triggers: { source: 'auto', channel: '', regex: '', kind: 'slice', completeMissing: true },
  // OBS is off by default: after the spline template it gave no gain in 0.5-40 Hz on the tuning seeds
  // (src/workers/correct/evaluation.test.ts) and costs much of the CPU.
  engine: 'spline', upsample: 10, window: 0, align: true, farm: false, obsComponents: 0, lowpassHz: 70, anc: false,
  alignChannel: '', crossChannel: 'auto',
};

/** Time-frequency defaults: 4-40 Hz in 1 Hz steps, 7 cycles, MNE's other defaults (no zero mean, decim 1). */
export const DEFAULT_TF: TfParams = {
  freqs: Array.from({ length: 37 }, (_, i) => 4 + i), nCycles: [7], zeroMean: false, decim: 1, phase: false, strategy: 'auto',
  bands: [], rois: [], baseline: { mode: 'none', start: null, end: null }, epochs: { regex: '', tmin: -0.5, tmax: 1.5 },
  correction: null,
};

/** Every N-th output: a power of two keeping the output rate >= 8x the top frequency (exact fold, cwt.ts). */
export function autoDecim(sampleRate: number, topHz: number): number {
  let d = 1;
  while (sampleRate / (d * 2) >= 8 * topHz && d < 1024) d *= 2;
  return d;
}

/** Bytes of a tf run's power (and phase) output: channels x freqs x ceil(samples / decim) float32. */
export function tfOutputBytes(p: Pick<TfParams, 'freqs' | 'decim' | 'phase'>, channels: number, nSamples: number): number {
  return channels * p.freqs.length * Math.ceil(nSamples / p.decim) * 4 * (p.phase ? 2 : 1);
}

/** A size as people read it: 2.6 GB, 339 MB, 12 kB (binary units, as the estimates). */
export function formatBytes(b: number): string {
  return b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(1)} GB` : b >= 1 << 20 ? `${Math.round(b / (1 << 20))} MB` : `${Math.max(1, Math.round(b / 1024))} kB`;
}

/** Preset bands (Hz, inclusive); theta is the workflow's preset. */
export const TF_BANDS = { delta: [1, 4], theta: [4, 8], alpha: [8, 13], beta: [13, 30], gamma: [30, 80] } as const;

function tfIssues(p: TfParams, sampleRate: number): FieldIssue[] {
  const out: FieldIssue[] = [];
  const nyq = sampleRate / 2;
  p.freqs.forEach((f, i) => { if (f >= nyq) out.push({ path: `freqs.${i}`, message: `(${f} Hz) must be below Nyquist (${nyq} Hz)` }); });
  if (p.nCycles.length !== 1 && p.nCycles.length !== p.freqs.length) out.push({ path: 'nCycles', message: `must have one value or one per frequency (${p.freqs.length}), got ${p.nCycles.length}` });
  p.bands.forEach((b, i) => {
    if (b.lo > b.hi) out.push({ path: `bands.${i}.hi`, message: `(${b.hi} Hz) must not be below the band's lower edge (${b.lo} Hz)` });
    else if (!p.freqs.some((f) => f >= b.lo && f <= b.hi)) out.push({ path: `bands.${i}`, message: `(${b.lo}-${b.hi} Hz) contains none of the analysed frequencies` });
  });
  if (p.baseline.start !== null && p.baseline.end !== null && p.baseline.start > p.baseline.end) out.push({ path: 'baseline.end', message: `(${p.baseline.end} s) must not be before the baseline start (${p.baseline.start} s)` });
  if (p.epochs.regex) {
    try { new RegExp(p.epochs.regex); } catch { out.push({ path: 'epochs.regex', message: `(/${p.epochs.regex}/) is not a valid regular expression` }); }
    if (!(p.epochs.tmax > p.epochs.tmin)) out.push({ path: 'epochs.tmax', message: `(${p.epochs.tmax} s) must be after tmin (${p.epochs.tmin} s)` });
  }
  if ((p.baseline.mode !== 'none' || p.epochs.regex) && !p.bands.length && !p.rois.length) out.push({ path: 'bands', message: 'must name a band (or a region of interest) for baseline correction or epochs' });
  if (p.correction) out.push(...correctCrossIssues(p.correction).map(at('correction.')));
  return out;
}

/** Checks that need the sample rate (Nyquist); `at` prefixes the field paths. */
function filterRateIssues(p: FilterParams, sampleRate: number, at: string): FieldIssue[] {
  const nyq = sampleRate / 2;
  const out: FieldIssue[] = [];
  if (p.lowHz >= nyq) out.push({ path: `${at}lowHz`, message: `(high-pass corner ${p.lowHz} Hz) must be below Nyquist (${nyq} Hz)` });
  else if (p.lowHz > 0 && p.highHz > 0 && p.highHz < nyq && p.lowHz >= p.highHz) {
    out.push({ path: `${at}highHz`, message: `band ${p.lowHz}-${p.highHz} Hz is empty: the low-pass corner must be above the high-pass corner` });
  }
  if (p.notchHz >= nyq) out.push({ path: `${at}notchHz`, message: `(${p.notchHz} Hz) must be below Nyquist (${nyq} Hz); use 0 (off), 50 or 60` });
  return out;
}

function sortCrossIssues(p: SortParams): FieldIssue[] {
  const out: FieldIssue[] = [];
  const d = p.detect, c = p.cluster;
  if (d.preMs + d.postMs > 20) out.push({ path: 'detect.postMs', message: `(window ${d.preMs}+${d.postMs} ms) must leave preMs + postMs at most 20 ms` });
  if (!(d.artifactSigma > d.threshold)) out.push({ path: 'detect.artifactSigma', message: `(${d.artifactSigma}) must be above the threshold (${d.threshold} sigma)` });
  if (c.kMax < c.kMin) out.push({ path: 'cluster.kMax', message: `(${c.kMax}) must be at least kMin (${c.kMin})` });
  return out;
}

function correctCrossIssues(p: CorrectParams): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (p.window === 1) out.push({ path: 'window', message: '(1) must be 0 (chosen from the data) or at least 2 epochs' });
  if (p.engine === 'upsampled' && p.window === 0) out.push({ path: 'window', message: "(0 = from the data) needs the spline engine; the upsampled engine needs a fixed window, e.g. 30" });
  if (p.engine === 'upsampled' && p.window > 500) out.push({ path: 'window', message: `(${p.window}) must be at most 500 epochs with the upsampled engine` });
  if (p.farm && p.engine !== 'upsampled') out.push({ path: 'farm', message: "(FARM epoch selection) needs engine 'upsampled'" });
  if (p.triggers.source === 'events' && p.triggers.regex) {
    try { new RegExp(p.triggers.regex); } catch {
      out.push({ path: 'triggers.regex', message: `(/${p.triggers.regex}/) is not a valid regular expression, e.g. R128` });
    }
  }
  return out;
}

function throwIf(fields: FieldIssue[], what: string): void {
  if (fields.length) throw fieldError(fields, what);
}

export function validateFilter(p: FilterParams, sampleRate: number): FilterParams {
  const out = parseWith(FilterParamsSchema, p, 'filter parameters are invalid');
  throwIf(filterRateIssues(out, sampleRate, ''), 'filter parameters are invalid');
  return out;
}

export function validateSort(p: SortParams, sampleRate: number): SortParams {
  const out = parseWith(SortParamsSchema, p, 'sort parameters are invalid');
  throwIf([...filterRateIssues(out.filter, sampleRate, 'filter.'), ...sortCrossIssues(out)], 'sort parameters are invalid');
  return out;
}

export function validateCorrect(p: CorrectParams): CorrectParams {
  const out = parseWith(CorrectParamsSchema, p, 'correction parameters are invalid');
  throwIf(correctCrossIssues(out), 'correction parameters are invalid');
  return out;
}

/**
 * The one validator of a whole run request (backend and engine both call it): structure and bounds
 * from the schema, then the channel count and the sample-rate dependent checks. Returns the parsed spec.
 */
export function validateSpec(spec: unknown, rec: { sampleRate: number; nChannels: number }): PipelineSpec {
  const r = v.safeParse(PipelineSpecSchema, spec);
  if (!r.success) throw fieldError(fieldIssues(r.issues), 'the run request is invalid');
  const s = r.output;
  const fields: FieldIssue[] = [];
  (s.channels ?? []).forEach((c, i) => {
    if (c >= rec.nChannels) fields.push({ path: `channels.${i}`, message: `(channel ${c}) does not exist: the recording has channels 0..${rec.nChannels - 1}` });
  });
  if (s.workflow === 'filter') fields.push(...filterRateIssues(s.params, rec.sampleRate, 'params.'));
  else if (s.workflow === 'sort') fields.push(...filterRateIssues(s.params.filter, rec.sampleRate, 'params.filter.'), ...sortCrossIssues(s.params).map(at('params.')));
  else if (s.workflow === 'tf') fields.push(...tfIssues(s.params, rec.sampleRate).map(at('params.')));
  else fields.push(...correctCrossIssues(s.params).map(at('params.')));
  throwIf(fields, 'the run request is invalid');
  return s;
}

const at = (prefix: string) => (f: FieldIssue): FieldIssue => ({ ...f, path: prefix + f.path });

/**
 * Deep-merge a partial user parameter object (e.g. from --params file.json) over defaults. Unknown
 * fields and wrong types are all reported at once, field by field (BAD_PARAMETER).
 */
export function mergeParams<T>(defaults: T, partial: unknown): T {
  const issues: FieldIssue[] = [];
  const out = mergeInto(defaults, partial, '', issues);
  if (issues.length) throw fieldError(issues, 'the parameters do not fit the parameter layout', 'BAD_PARAMETER', 'fix or remove the named fields (see the README for the parameter layout)');
  return out;
}

function mergeInto<T>(defaults: T, partial: unknown, at: string, issues: FieldIssue[]): T {
  if (partial === undefined || partial === null) return structuredClone(defaults);
  if (typeof defaults !== 'object' || defaults === null) return partial as T;
  // A list (tf freqs, bands, regions...) is replaced whole; its items are checked by the schema.
  if (Array.isArray(defaults)) {
    if (Array.isArray(partial)) return structuredClone(partial) as T;
    issues.push({ path: at || '(parameters)', message: `must be a list (got ${JSON.stringify(partial)})` });
    return structuredClone(defaults);
  }
  if (typeof partial !== 'object' || Array.isArray(partial)) {
    issues.push({ path: at || '(parameters)', message: `must be an object (got ${JSON.stringify(partial)})` });
    return structuredClone(defaults);
  }
  const base = defaults as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(partial as Record<string, unknown>)) {
    const path = at ? `${at}.${k}` : k;
    // Own fields only: "__proto__" or "constructor" in a params file must not reach the prototype.
    if (!Object.hasOwn(base, k)) { issues.push({ path, message: `is not a known parameter (use one of: ${Object.keys(base).join(', ')})` }); continue; }
    const d = base[k];
    if (typeof d === 'object' && d !== null) out[k] = mergeInto(d, v, path, issues);
    else if (typeof v !== typeof d) issues.push({ path, message: `must be a ${typeof d} (got ${JSON.stringify(v)})` });
    else out[k] = v;
  }
  return out as T;
}

/**
 * The tf parameters' defaults for merging `partial`: a `correction` object in it is merged over the
 * correction defaults (DEFAULT_TF's null has no fields to merge into).
 */
export function tfDefaultsFor(partial: unknown): TfParams {
  const c = (partial as { correction?: unknown } | null | undefined)?.correction;
  return c && typeof c === 'object' ? { ...DEFAULT_TF, correction: DEFAULT_CORRECT } : DEFAULT_TF;
}

/** User parameters (a partial object over the defaults) -> checked, typed parameters of a workflow. */
export function paramsFromUser(workflow: 'sort', partial: unknown): SortParams;
export function paramsFromUser(workflow: 'correct', partial: unknown): CorrectParams;
export function paramsFromUser(workflow: 'filter', partial: unknown): FilterParams;
export function paramsFromUser(workflow: PipelineSpec['workflow'], partial: unknown): SortParams | CorrectParams | FilterParams {
  if (workflow === 'sort') return parseWith(SortParamsSchema, mergeParams(DEFAULT_SORT, partial), 'sort parameters are invalid');
  if (workflow === 'correct') return parseWith(CorrectParamsSchema, mergeParams(DEFAULT_CORRECT, partial), 'correction parameters are invalid');
  return parseWith(FilterParamsSchema, mergeParams(DEFAULT_FILTER, partial), 'filter parameters are invalid');
}
