// The global stage of gradient-artifact correction: from the trigger list and one reference channel,
// compute once the aligned trigger positions, the epoch geometry and the acquisition window. The
// resulting CorrectionPlan is a small plain object sent unchanged to every channel task, so parallel
// and sequential runs subtract exactly the same epochs.

import { SpikeDeskError } from '../../shared/errors';
import { validateCorrect, type CorrectParams } from '../../shared/params';
import { alignTriggers } from './align';
import { refineOnsets, type RefineReport } from './align-spline';
import { describeCrossChannel } from './cross-channel';
import { planLowBand, type LowBandPlan } from './low-band';
import { chooseTemplateModel, describeModel, type TemplateChoice } from './select';
import type { TemplateModel } from './spline-aas';
import { fitTimingModel, type TimingReport } from './timing';
import { median } from './triggers';

/** Advanced method options that are not user-facing parameters (defaults follow FASTR/FACET). */
export interface CorrectOptions {
  /** Epoch start before each trigger, as a fraction of the slice spacing. */
  preFraction: number;
  /** Largest alignment lag searched, original samples. */
  maxLag: number;
  /** Half-width of the resampling kernel, original samples. */
  halfWidth: number;
  /** OBS is fitted on the residual high-passed here, so it cannot remove EEG below it (FASTR). */
  obsHighpassHz: number;
  /** When > 0, choose the number of OBS components by explained variance instead of obsComponents. */
  obsVariance: number;
  /** Butterworth order of the OBS high-pass. */
  obsHighpassOrder: number;
  /** Butterworth order of the final low-pass; steep, so that (applied forward and backward) EEG
   * below ~55 Hz keeps its power. */
  lowpassOrder: number;
  /** FARM: epochs are chosen among this many times the window around each epoch. */
  farmSearch: number;
  /** ANC (LMS) taps and normalised step. */
  ancTaps: number;
  ancMu: number;
  /** Replace the aligned onsets by the fitted timing model when it explains them (see timing.ts). */
  timingModel: boolean;
  /** Alignment correlates the epoch without its first and last alignSkip x slice spacing after the
   * trigger (the onset transient and the next slice's start, which differ at volume boundaries). */
  alignSkip: number;
  /** Most Gauss-Newton passes refining the onsets against the spline template (0 = off); they stop
   * earlier once converged (align-spline.ts, REFINE_STEP_TOL). Source: 2 passes left seed 6064 (drifting)
   * unconverged, 3 converged it; the bound only caps the cost where the passes do not converge. */
  refinePasses: number;
}

export const DEFAULT_CORRECT_OPTIONS: CorrectOptions = {
  preFraction: 0.03, maxLag: 3, halfWidth: 16, obsHighpassHz: 70, obsVariance: 0, obsHighpassOrder: 4, lowpassOrder: 8,
  farmSearch: 3, ancTaps: 16, ancMu: 0.0002, timingModel: true, alignSkip: 0.05, refinePasses: 6,
};

export interface CorrectionPlan {
  fs: number;
  nSamples: number;
  upsample: number;
  /** Aligned trigger positions (fractional original samples), ascending. */
  positions: Float64Array;
  /** Original samples an epoch starts before its trigger. */
  pre: number;
  /** Epoch length in original samples. */
  epochLength: number;
  /** Acquisition window [acqStart, acqEnd): data outside stays untouched. */
  acqStart: number;
  acqEnd: number;
  /** Per-epoch alignment lag (samples) and peak correlation with the reference epoch. */
  lags: Float64Array;
  peakR: Float64Array;
  refIndex: number;
  aligned: boolean;
  options: CorrectOptions;
  /** Spline engine: the template model every channel uses (null for the upsampled engine). */
  template: TemplateModel | null;
  /** How the template model was chosen (null when the window was fixed or the engine is upsampled). */
  templateChoice: { chosen: string; candidates: string; channels: number; evaluatedEpochs: number } | null;
  /** Timing model onset = t0 + volume*TR + slice*dt fitted to the aligned onsets (null without alignment). */
  timing: TimingReport | null;
  /** Cross-channel low rank (cross-channel.ts): the shapes every channel's template is projected on
   * (rank 0 / null = not used), and the held-out comparison that decided it (null when not tried). */
  crossChannel: { rank: number; basis: number[] | null; report: string } | null;
  /** Cross-channel low band of the all-epoch template (low-band.ts; absent / null = not tried). */
  lowBand?: LowBandPlan | null;
  /** The onset refinement's passes and last step (null when it did not run). */
  refine: RefineReport | null;
}

/** Channels the global stage may read (whole, one at a time) to choose the template model. */
export interface SelectChannels {
  count: number;
  read(i: number): Float32Array;
  /** Channels whose all-epoch templates give the cross-channel shapes (default: the selection channels);
   * of[i] is selection channel i's index among them. Why more than the selection: a gradient axis that
   * is weak on the few selection channels gives a shape buried in their templates' EEG (tuning seed 3032,
   * drifting: third singular value 931 against 27 for the EEG with 4 channels, 7720 against 60 with 8;
   * worst channel 0.087 -> 0.034 with the true onsets). One template pass per channel. */
  shapeSource?: ShapeSource;
}

export interface ShapeSource { count: number; read(i: number): Float32Array; of: number[] }

/** EEG channels the global stage reads (whole, one at a time) to refine the onsets and choose the
 * template model (cost bound: each costs a held-out evaluation of every candidate). */
export const SELECT_CHANNELS = 4;
/** EEG channels whose all-epoch templates give the cross-channel shapes (cost bound: one template pass
 * each; 8 were enough on the tuning seeds, more spread over a montage cover its gradient axes better). */
export const SHAPE_CHANNELS = 16;

/** Which of the montage's EEG channels (indices given) the global stage reads: `pick` for the selection,
 * `shapes` (a superset, ascending) for the cross-channel shapes, and each pick's index among the shapes. */
export function montageChannels(eeg: number[]): { pick: number[]; shapes: number[]; of: number[] } {
  const spread = (m: number): number[] => Array.from(new Set(Array.from({ length: Math.min(m, eeg.length) }, (_, j) => eeg[Math.floor((j * eeg.length) / Math.min(m, eeg.length))])));
  const pick = spread(SELECT_CHANNELS);
  const shapes = Array.from(new Set([...spread(SHAPE_CHANNELS), ...pick])).sort((a, b) => a - b);
  return { pick, shapes, of: pick.map((c) => shapes.indexOf(c)) };
}

/** First fine-grid (x upsample) sample of each epoch. */
export function fineStarts(plan: CorrectionPlan): Float64Array {
  const U = plan.upsample;
  return plan.positions.map((p) => Math.round((p - plan.pre) * U));
}

/** First original sample of each epoch. */
export function coarseStarts(plan: CorrectionPlan): Float64Array {
  return plan.positions.map((p) => Math.round(p - plan.pre));
}

/** The template window [w0, w1) of epoch k: N neighbours centred on k, frozen at the recording edges. */
export function templateWindow(k: number, K: number, N: number): [number, number] {
  if (K <= N) return [0, K];
  const w0 = Math.min(Math.max(0, k - Math.floor(N / 2)), K - N);
  return [w0, w0 + N];
}

export function prepareCorrection(
  refData: Float32Array, fs: number, triggers: ArrayLike<number>, params: CorrectParams, options: Partial<CorrectOptions> = {},
  select?: SelectChannels,
): CorrectionPlan {
  validateCorrect(params);
  const o = { ...DEFAULT_CORRECT_OPTIONS, ...options };
  const t = Float64Array.from(triggers).sort();
  const n = refData.length;
  if (t.length < 2) {
    throw new SpikeDeskError({ code: 'NO_TRIGGERS', message: `${t.length} usable trigger(s); correction needs at least 2`, fix: 'check the trigger source (stim channel or marker pattern, e.g. R128)' });
  }
  const d = t.slice(1).map((v, i) => v - t[i]);
  const m = median(d);
  const within = d.filter((v) => v < 1.5 * m);
  const pre = Math.round(o.preFraction * m);
  const epochLength = Math.ceil(Math.max(...within)) + 1;
  const U = params.upsample;
  const al = params.align
    ? alignTriggers(refData, 0, t, pre, epochLength, {
      upsample: U, maxLag: o.maxLag, halfWidth: o.halfWidth,
      // Reference: a slice from the middle of the scan (not the first slice of a volume).
      refIndex: Math.floor(t.length / 2) + (Math.floor(t.length / 2) % 2 === 0 ? 1 : 0),
      window: [pre + Math.round(o.alignSkip * m), epochLength - Math.round(o.alignSkip * m)],
    })
    : { positions: t.map((v) => Math.round(v)), lags: new Float64Array(t.length), peakR: new Float64Array(t.length).fill(NaN), refIndex: 0 };
  // Timing model: scanners time slices from one clock, so the onsets lie on t0 + v*TR + s*dt; fitting
  // it to the measured onsets averages out their jitter (each epoch's measured - model is reported).
  let timing: TimingReport | null = null;
  let refine: RefineReport | null = null;
  if (params.align && o.refinePasses > 0) {
    // Refine against the continuous-time template, evidence summed over the selection channels.
    const skip = Math.round(o.alignSkip * m);
    const tmp = { positions: al.positions, lags: al.lags, pre, epochLength, fs, nSamples: n } as unknown as CorrectionPlan;
    refine = refineOnsets(tmp, select ? select.read : () => refData, select ? select.count : 1, [pre + skip, epochLength - skip], o.refinePasses);
  }
  if (params.align && o.timingModel) {
    const tm = fitTimingModel(t, al.positions, fs);
    timing = tm.report;
    if (tm.positions) al.positions = tm.positions;
  }
  const first = al.positions[0] - pre;
  const last = al.positions[t.length - 1] - pre + epochLength;
  if (first < 0 || last > n) {
    throw new SpikeDeskError({
      code: 'BAD_SAMPLES', message: `the first or last artifact epoch runs past the recording (${first.toFixed(0)}..${last.toFixed(0)} of 0..${n})`,
      fix: 'drop the first/last trigger or use a recording that contains the whole scan',
    });
  }
  const plan: CorrectionPlan = {
    fs, nSamples: n, upsample: U, positions: al.positions, pre, epochLength,
    acqStart: Math.floor(first), acqEnd: Math.min(n, Math.ceil(last) + 1),
    lags: al.lags, peakR: al.peakR, refIndex: al.refIndex, aligned: params.align, options: o,
    template: null, templateChoice: null, timing, crossChannel: null, refine,
  };
  if (params.engine === 'spline') {
    if (params.window > 0) plan.template = { kind: 'window', window: params.window };
    else {
      const ch: TemplateChoice = chooseTemplateModel(select ? select.read : () => refData, select ? select.count : 1, plan, params.crossChannel === 'auto', select?.shapeSource);
      const K = t.length;
      plan.template = ch.model;
      plan.templateChoice = {
        chosen: describeModel(ch.model, K), channels: ch.channels, evaluatedEpochs: ch.evaluatedEpochs,
        candidates: ch.candidates.map((c) => `${describeModel(c.model, K)}: ${c.relError.toFixed(3)}`).join('; '),
      };
      if (params.crossChannel === 'auto') {
        plan.crossChannel = {
          rank: ch.model.kind === 'cross' ? ch.model.rank : 0, basis: ch.crossBasis,
          report: describeCrossChannel(ch.candidates, ch.model, ch.crossDecision),
        };
        // The models built on the all-epoch template get its low band from all shape channels.
        const m = ch.model;
        if (select && ((m.kind === 'window' && m.window >= K) || m.kind === 'cross')) {
          plan.lowBand = planLowBand(select.shapeSource ?? { count: select.count, read: select.read, of: [...Array(select.count).keys()] }, plan, ch.shapeCoefs);
        }
      }
    }
  }
  return plan;
}
