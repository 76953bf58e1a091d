// The per-channel correction chain: AAS (continuous-time spline template by default, or upsampled
// aligned epochs) -> OBS residual removal ->
// low-pass -> optional ANC, applied inside the acquisition window only. Two entry points that give the
// same samples: correctChannel (whole channel in memory, "fast" mode) and correctChannelStreamed
// (low-memory mode: time sections with margins covering the averaging window, the resampling kernel
// and the filter transients; OBS needs one extra pass to fit its basis over all epochs first).

import { SpikeDeskError } from '../../shared/errors';
import type { CorrectParams } from '../../shared/params';
import { butterSos } from '../dsp/butter';
import { sosfiltfilt } from '../dsp/sos';
import { aasArtifact, epochsTouching, geometry, regionEnd, type ReadFn } from './aas';
import { fitChannelTemplate, splineArtifact, type ChannelTemplate } from './spline-aas';
import { ancRun, ancState } from './anc';
import { fitObs, obsAccumulator, obsAdd, obsSubtract, type ObsAccumulator, type ObsModel } from './obs';
import type { CorrectionPlan } from './plan';

export interface ChannelSummary {
  epochs: number;
  /** Spline engine: the template model used. */
  template?: string;
  obs: { k: number; explained: number } | null;
  sections: number;
}

interface Stages {
  hp: Float64Array | null;
  lp: Float64Array | null;
  mHp: number;
  mLp: number;
}

/** Samples after which a Butterworth transient has decayed below ~1e-10 of its start. */
export function transientSamples(fc: number, order: number, fs: number): number {
  const slowest = 2 * Math.PI * fc * Math.sin(Math.PI / (2 * order));
  return Math.ceil((23 / slowest) * fs);
}

function stagesFor(plan: CorrectionPlan, params: CorrectParams): Stages {
  const o = plan.options, fs = plan.fs;
  const useObs = params.obsComponents > 0 || o.obsVariance > 0;
  const hp = useObs ? butterSos('highpass', o.obsHighpassOrder, o.obsHighpassHz, fs) : null;
  const useLp = params.lowpassHz > 0 && params.lowpassHz < fs / 2;
  const lp = useLp ? butterSos('lowpass', o.lowpassOrder, params.lowpassHz, fs) : null;
  return {
    hp, lp,
    mHp: hp ? transientSamples(o.obsHighpassHz, o.obsHighpassOrder, fs) : 0,
    mLp: lp ? transientSamples(params.lowpassHz, o.lowpassOrder, fs) : 0,
  };
}

/**
 * The AAS stage's per-channel state: for the spline engine the template fitted over all epochs when the
 * model needs it (all epochs, drift); null for a sliding window and for the upsampled engine.
 */
export function aasChannelState(read: ReadFn, plan: CorrectionPlan, params: CorrectParams): ChannelTemplate | null {
  if (params.engine !== 'spline') return null;
  if (!plan.template) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: 'the correction plan has no template model for the spline engine', fix: 'prepare the plan with the same parameters' });
  return fitChannelTemplate(read, plan, plan.template);
}

/** AAS artifact estimate over [a, b) with either engine (the AAS stage's kernel). */
export function aasEstimate(read: ReadFn, plan: CorrectionPlan, params: CorrectParams, state: ChannelTemplate | null, a: number, b: number): Float64Array {
  return state ? splineArtifact(read, plan, state, a, b) : aasArtifact(read, plan, params, a, b);
}

/** x - AAS artifact over [a, b) (inside the acquisition window), float64. */
function residual(read: ReadFn, plan: CorrectionPlan, params: CorrectParams, a: number, b: number, state: ChannelTemplate | null): Float64Array {
  const art = aasEstimate(read, plan, params, state, a, b);
  // Read after the AAS reads, so a reader that reuses one buffer is fine.
  const x = read(a, b);
  for (let i = 0; i < art.length; i++) art[i] = x[i] - art[i];
  return art;
}

/** Epochs [e0, e1) whose OBS correction regions touch [a, b), and the range their fit needs. */
export function obsSpan(plan: CorrectionPlan, a: number, b: number, margin: number): { e0: number; e1: number; from: number; to: number } {
  const c = geometry(plan).coarse;
  const E = plan.epochLength;
  const [e0, e1] = epochsTouching(c, E, a, b);
  const from = Math.max(plan.acqStart, (e1 > e0 ? Math.min(a, c[e0]) : a) - margin);
  const to = Math.min(plan.acqEnd, (e1 > e0 ? Math.max(b, c[e1 - 1] + E) : b) + margin);
  return { e0, e1, from, to };
}

export function applyObs(plan: CorrectionPlan, model: ObsModel, hp: Float64Array, r: Float64Array, start: number, e0: number, e1: number): void {
  const c = geometry(plan).coarse;
  for (let e = e0; e < e1; e++) {
    const f = c[e] - start;
    if (f < 0 || f + plan.epochLength > hp.length) continue;
    obsSubtract(model, hp, f, r, f, regionEnd(c, e, plan.epochLength) - c[e]);
  }
}

function checkInput(n: number, plan: CorrectionPlan): void {
  if (n !== plan.nSamples) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel has ${n} samples but the correction plan was made for ${plan.nSamples}`, fix: 'prepare the correction plan on the same recording' });
  }
}

export type StageName = 'aas' | 'obs' | 'lowpass' | 'anc';

/**
 * Whole-channel correction ("fast" mode). Returns the corrected channel; outside the acquisition window
 * it equals x. onStage, if given, sees the acquisition window after each stage (for per-stage metrics).
 */
export function correctChannel(
  x: Float32Array, fs: number, plan: CorrectionPlan, params: CorrectParams, summary?: ChannelSummary,
  onStage?: (stage: StageName, windowData: Float64Array) => void,
): Float32Array {
  checkInput(x.length, plan);
  if (fs !== plan.fs) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `sample rate ${fs} Hz differs from the plan's ${plan.fs} Hz`, fix: 'prepare the plan on the same recording' });
  const st = stagesFor(plan, params);
  const read: ReadFn = (a, b) => x.subarray(a, b);
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  const state = aasChannelState(read, plan, params);
  const r = residual(read, plan, params, A0, A1, state);
  onStage?.('aas', r);
  let model: ObsModel | null = null;
  if (st.hp) {
    const hp = sosfiltfilt(st.hp, r);
    const acc = obsAccumulator(plan.epochLength);
    accumulate(plan, acc, hp, A0, 0, plan.positions.length);
    model = fitObs(acc, params.obsComponents, plan.options.obsVariance);
    applyObs(plan, model, hp, r, A0, 0, plan.positions.length);
    onStage?.('obs', r);
  }
  let y: Float64Array = r;
  if (st.lp) { y = sosfiltfilt(st.lp, r); onStage?.('lowpass', y); }
  if (params.anc) {
    // Reference: the artifact estimate (AAS + OBS), band-limited like the output.
    const art = new Float64Array(r.length);
    for (let i = 0; i < art.length; i++) art[i] = x[A0 + i] - r[i];
    if (y === r) y = Float64Array.from(r);
    ancRun(ancState(plan.options.ancTaps, plan.options.ancMu), st.lp ? sosfiltfilt(st.lp, art) : art, y);
    onStage?.('anc', y);
  }
  const out = Float32Array.from(x);
  for (let i = 0; i < y.length; i++) out[A0 + i] = y[i];
  if (summary) Object.assign(summary, { epochs: plan.positions.length, obs: model && { k: model.k, explained: model.explained }, sections: 1, template: state?.model && JSON.stringify(state.model) });
  return out;
}

export function accumulate(plan: CorrectionPlan, acc: ObsAccumulator, hp: Float64Array, start: number, e0: number, e1: number): void {
  const c = geometry(plan).coarse;
  for (let e = e0; e < e1; e++) obsAdd(acc, hp, c[e] - start);
}

/**
 * Low-memory correction of one channel: `read(start, end)` returns raw samples, `onSection(start, data)`
 * receives consecutive corrected sections covering [0, n). Equals correctChannel within float rounding
 * for any section size.
 */
export function correctChannelStreamed(
  read: ReadFn, n: number, fs: number, plan: CorrectionPlan, params: CorrectParams, sectionSamples: number,
  onSection: (start: number, data: Float32Array) => void, summary?: ChannelSummary,
): void {
  checkInput(n, plan);
  if (!(Number.isInteger(sectionSamples) && sectionSamples > 0)) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `section size ${sectionSamples} is not a positive integer`, fix: 'use e.g. 60 s worth of samples' });
  if (fs !== plan.fs) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `sample rate ${fs} Hz differs from the plan's ${plan.fs} Hz`, fix: 'prepare the plan on the same recording' });
  const st = stagesFor(plan, params);
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  const c = geometry(plan).coarse;
  const state = aasChannelState(read, plan, params);
  const sections: Array<[number, number]> = [];
  for (let s = 0; s < n; s += sectionSamples) sections.push([s, Math.min(n, s + sectionSamples)]);

  let model: ObsModel | null = null;
  if (st.hp) {
    // Pass 1: accumulate the residual covariance of the epochs starting in each section, in epoch order.
    const acc = obsAccumulator(plan.epochLength);
    for (const [s, e] of sections) {
      const e0 = Math.max(0, Math.ceil(lowerIndex(c, s))), e1 = lowerIndex(c, e);
      if (e1 <= e0) continue;
      const from = Math.max(A0, c[e0] - st.mHp), to = Math.min(A1, c[e1 - 1] + plan.epochLength + st.mHp);
      const hp = sosfiltfilt(st.hp, residual(read, plan, params, from, to, state));
      accumulate(plan, acc, hp, from, e0, e1);
    }
    model = fitObs(acc, params.obsComponents, plan.options.obsVariance);
  }
  const anc = params.anc ? ancState(plan.options.ancTaps, plan.options.ancMu) : null;
  for (const [s, e] of sections) {
    const out = Float32Array.from(read(s, e));
    const ca = Math.max(s, A0), cb = Math.min(e, A1);
    if (ca < cb) {
      const r2a = Math.max(A0, ca - st.mLp), r2b = Math.min(A1, cb + st.mLp);
      const span = model ? obsSpan(plan, r2a, r2b, st.mHp) : { e0: 0, e1: 0, from: r2a, to: r2b };
      const r = residual(read, plan, params, span.from, span.to, state);
      const raw = anc ? read(span.from, span.to) : null;
      if (model && st.hp) applyObs(plan, model, sosfiltfilt(st.hp, r), r, span.from, span.e0, span.e1);
      let seg = r.subarray(r2a - span.from, r2b - span.from);
      if (st.lp) seg = sosfiltfilt(st.lp, seg);
      if (anc && raw) {
        // ANC runs on the section core only so its state continues exactly across sections.
        const core = seg.slice(ca - r2a, cb - r2a);
        const art = Float64Array.from({ length: r2b - r2a }, (_, i) => raw[r2a - span.from + i] - r[r2a - span.from + i]);
        const ref = (st.lp ? sosfiltfilt(st.lp, art) : art).subarray(ca - r2a, cb - r2a);
        ancRun(anc, ref, core);
        for (let i = ca; i < cb; i++) out[i - s] = core[i - ca];
      } else {
        for (let i = ca; i < cb; i++) out[i - s] = seg[i - r2a];
      }
    }
    onSection(s, out);
  }
  if (summary) Object.assign(summary, { epochs: plan.positions.length, obs: model && { k: model.k, explained: model.explained }, sections: sections.length, template: state?.model && JSON.stringify(state.model) });
}

/** Number of epoch starts below v. */
export function lowerIndex(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
