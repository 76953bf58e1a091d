// The correction chain as separately cached stages (the engine runs each as its own stage):
// AAS -> OBS -> low-pass (+ ANC). Each stage reads its input channel through a reader and emits
// consecutive sections of one fixed grid (correctionSection), one float32 value per sample, with
// data outside the acquisition window passed through. The same primitives as chain.ts
// (aasArtifact, the OBS fit, Butterworth sosfiltfilt with transient margins, ANC); the stage
// outputs are stored as float32 between stages, so they agree with correctChannel to float32
// rounding, and with each other bit for bit in every mode (the sections never depend on the mode).

import type { CorrectParams } from '../../shared/params';
import { butterSos } from '../dsp/butter';
import { sosfiltfilt } from '../dsp/sos';
import { geometry, type ReadFn } from './aas';
import { ancRun, ancState } from './anc';
import { aasChannelState, aasEstimate, accumulate, applyObs, lowerIndex, obsSpan, transientSamples } from './chain';
import { fitObs, obsAccumulator, type ObsModel } from './obs';
import type { CorrectionPlan } from './plan';

export type Emit = (start: number, data: Float32Array) => void;

function sections(n: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}

function f64(x: Float32Array): Float64Array {
  return Float64Array.from(x);
}

/**
 * Stage 1: x - AAS artifact inside the acquisition window, with the engine of params.engine (spline:
 * one pass over the epochs first when the template model needs all of them).
 */
export function aasStage(read: ReadFn, n: number, plan: CorrectionPlan, params: CorrectParams, section: number, emit: Emit, progress?: (f: number) => void): void {
  const state = aasChannelState(read, plan, params);
  for (const [s, e] of sections(n, section)) {
    const out = Float32Array.from(read(s, e));
    const ca = Math.max(s, plan.acqStart), cb = Math.min(e, plan.acqEnd);
    if (ca < cb) {
      const art = aasEstimate(read, plan, params, state, ca, cb);
      const x = read(ca, cb);
      for (let i = 0; i < art.length; i++) out[ca - s + i] = x[i] - art[i];
    }
    emit(s, out);
    progress?.(e / n);
  }
}

/** Whether OBS runs for these parameters. */
export function obsEnabled(plan: CorrectionPlan, obsComponents: number): boolean {
  return obsComponents > 0 || plan.options.obsVariance > 0;
}

/**
 * Stage 2: OBS residual removal on the AAS output. Pass 1 fits the basis over every epoch of the
 * high-passed residual (section by section, in epoch order); pass 2 subtracts the fitted components.
 */
export function obsStage(read: ReadFn, n: number, plan: CorrectionPlan, obsComponents: number, section: number, emit: Emit, progress?: (f: number) => void): { k: number; explained: number } {
  const o = plan.options, fs = plan.fs;
  const hp = butterSos('highpass', o.obsHighpassOrder, o.obsHighpassHz, fs);
  const mHp = transientSamples(o.obsHighpassHz, o.obsHighpassOrder, fs);
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  const c = geometry(plan).coarse;
  const grid = sections(n, section);
  const acc = obsAccumulator(plan.epochLength);
  for (const [s, e] of grid) {
    const e0 = lowerIndex(c, s), e1 = lowerIndex(c, e);
    if (e1 <= e0) continue;
    const from = Math.max(A0, c[e0] - mHp), to = Math.min(A1, c[e1 - 1] + plan.epochLength + mHp);
    accumulate(plan, acc, sosfiltfilt(hp, f64(read(from, to))), from, e0, e1);
  }
  progress?.(0.5);
  const model: ObsModel = fitObs(acc, obsComponents, o.obsVariance);
  for (const [s, e] of grid) {
    const out = Float32Array.from(read(s, e));
    const ca = Math.max(s, A0), cb = Math.min(e, A1);
    if (ca < cb) {
      const span = obsSpan(plan, ca, cb, mHp);
      const r = f64(read(span.from, span.to));
      applyObs(plan, model, sosfiltfilt(hp, r), r, span.from, span.e0, span.e1);
      for (let i = ca; i < cb; i++) out[i - s] = r[i - span.from];
    }
    emit(s, out);
    progress?.(0.5 + (0.5 * e) / n);
  }
  return { k: model.k, explained: model.explained };
}

/**
 * Stage 3: zero-phase low-pass of the corrected residual inside the acquisition window (margins
 * cover the filter transient), then optional ANC with the band-limited artifact estimate
 * (raw - residual) as reference, run section after section so its state carries over.
 */
export function lowpassStage(read: ReadFn, readRaw: ReadFn, n: number, plan: CorrectionPlan, lowpassHz: number, anc: boolean, section: number, emit: Emit, progress?: (f: number) => void): void {
  const o = plan.options, fs = plan.fs;
  const lp = lowpassHz > 0 && lowpassHz < fs / 2 ? butterSos('lowpass', o.lowpassOrder, lowpassHz, fs) : null;
  const mLp = lp ? transientSamples(lowpassHz, o.lowpassOrder, fs) : 0;
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  const state = anc ? ancState(o.ancTaps, o.ancMu) : null;
  for (const [s, e] of sections(n, section)) {
    const out = Float32Array.from(read(s, e));
    const ca = Math.max(s, A0), cb = Math.min(e, A1);
    if (ca < cb && (lp || state)) {
      const r2a = Math.max(A0, ca - mLp), r2b = Math.min(A1, cb + mLp);
      const r = f64(read(r2a, r2b));
      const seg = lp ? sosfiltfilt(lp, r) : r;
      if (state) {
        const raw = readRaw(r2a, r2b);
        const art = Float64Array.from({ length: r2b - r2a }, (_, i) => raw[i] - r[i]);
        const ref = (lp ? sosfiltfilt(lp, art) : art).subarray(ca - r2a, cb - r2a);
        const core = seg.slice(ca - r2a, cb - r2a);
        ancRun(state, ref, core);
        for (let i = ca; i < cb; i++) out[i - s] = core[i - ca];
      } else {
        for (let i = ca; i < cb; i++) out[i - s] = seg[i - r2a];
      }
    }
    emit(s, out);
    progress?.(e / n);
  }
}
