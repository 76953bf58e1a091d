// Workflows as lists of stage descriptors (parameters are validated at the boundary by the
// schema in shared/params.ts) with the slice of the workflow's parameters each stage
// gets (and hashes). The planner walks these lists; adding a workflow = a PipelineSpec variant in
// shared/params.ts and one entry here.

import type { CorrectParams, PipelineSpec, TfParams } from '../../shared/params';
import type { RecordingMeta } from '../../shared/recording';
import type { StageDescriptor } from './stage';
import { aasStage, lowpassStage, obsStage, triggersStage } from './stages/correct';
import { filterStage, referenceStage } from './stages/filter';
import { clusterStage, detectStage, featuresStage, metricsStage } from './stages/sort';
import { tfBandParams, tfBandStage, tfSplit, tfStage, tfStageParams, tfTaskBytes } from './stages/tf';
import { pow2Factor } from '../../workers/tf/cwt';

export interface WorkflowStep<P> {
   
  stage: StageDescriptor<any, any>;
  /** The parameters this stage gets; exactly these (with its version and inputs) make its cache key. */
  params(p: P): unknown;
  /** Off for these parameters (e.g. no common reference): the stage is not planned. */
  enabled?(p: P): boolean;
  /**
   * Optional split of one channel's work on this (first-of-its-phase, chunked) stage into several
   * tasks with their own parameter slices (e.g. frequency batches); the stage's join() merges their
   * outputs into the channel's entry, which must equal the unsplit output. null = no split.
   */
  split?(p: P, work: SplitWork): unknown[] | null;
}

/** What a split decision sees: the size of the run. */
export interface SplitWork {
  meta: RecordingMeta;
  /** Channels of this run that still need the stage. */
  channels: number;
  /** Tasks that can run at the same time. */
  workers: number;
}

export interface WorkflowDef<P> {
  steps: WorkflowStep<P>[];
  /** Samples per CPU-second of one worker in fast mode for these parameters (engine bench), for estimates. */
  samplesPerCpuS: (p: P) => number;
  /**
   * Bytes a fast-mode task holds beyond its channel's samples (estimate.ts counts FAST_BYTES per
   * sample for those), when a stage's output or tables are large: the estimate, the admission of
   * tasks and Slurm's --mem come from it.
   */
  taskBytes?: (p: P, meta: RecordingMeta) => number;
  /** The stage whose samples the trace view shows as this workflow's result, if any. */
  resultSamples?: { view: 'filtered' | 'corrected'; stage: string };
}

/** Typed binding of a stage to a slice of a workflow's parameters. */
export function step<P, SP>(stage: StageDescriptor<SP, unknown>, params: (p: P) => SP, enabled?: (p: P) => boolean, split?: (p: P, work: SplitWork) => SP[] | null): WorkflowStep<P> {
  return { stage, params, enabled, split };
}

type ParamsOf<W extends PipelineSpec['workflow']> = Extract<PipelineSpec, { workflow: W }>['params'];

/** The correction's throughput (engine bench, 16 ch x 5 kHz). */
const CORRECT_RATE = 1.5e6;
/**
 * CPU per input sample and frequency of the Morlet transform: TF_NS_FIXED + TF_NS_INVERSE / fold,
 * fold being the power-of-two factor of decim by which cwt.ts shrinks the inverse FFTs. Measured on
 * the engine's chunk kernel (one 600,000-sample channel at 5 kHz, 37 frequencies, 7 cycles): 73.5,
 * 30.3, 17.6 and 11.7 ns at decim 1, 2, 4 and 16 (60-66 ns at full rate for 10 or 74 frequencies,
 * 54 ns at 3 cycles). The flat 0.9 M samples/s used before had the demo's full-rate run at 11 s
 * against 23-27 s measured, and its decim-16 run at 9 s against 3.6 s.
 */
const TF_NS_FIXED = 8;
const TF_NS_INVERSE = 57;

/**
 * The gradient-artifact correction's steps on the correction parameters `of` a workflow's
 * parameters (the correct workflow itself, or a tf run on corrected data), all enabled by `on`.
 */
function correctionSteps<P>(of: (p: P) => CorrectParams, on: (p: P) => boolean = () => true): WorkflowStep<P>[] {
  return [
    step(triggersStage, (p: P) => { const c = of(p); return { triggers: c.triggers, engine: c.engine, upsample: c.upsample, align: c.align, alignChannel: c.alignChannel, window: c.window, farm: c.farm, crossChannel: c.crossChannel }; }, on),
    step(aasStage, (p: P) => { const { obsComponents: _o, lowpassHz: _l, anc: _a, ...rest } = of(p); return rest; }, on),
    step(obsStage, (p: P) => ({ obsComponents: of(p).obsComponents }), (p) => on(p) && of(p).obsComponents > 0),
    step(lowpassStage, (p: P) => ({ lowpassHz: of(p).lowpassHz, anc: of(p).anc }), on),
  ];
}

export const WORKFLOWS: { [W in PipelineSpec['workflow']]: WorkflowDef<ParamsOf<W>> } = {
  filter: {
    steps: [step(filterStage, ({ reference: _r, ...f }) => f)],
    samplesPerCpuS: () => 15e6,
    resultSamples: { view: 'filtered', stage: 'filter' },
  },
  sort: {
    steps: [
      step(filterStage, (p) => { const { reference: _r, ...f } = p.filter; return f; }),
      step(referenceStage, (p) => ({ mode: p.filter.reference === 'cmr' ? 'cmr' as const : 'car' as const }), (p) => p.filter.reference !== 'none'),
      step(detectStage, (p) => p.detect),
      step(featuresStage, (p) => p.features),
      step(clusterStage, (p) => p.cluster),
      step(metricsStage, () => ({})),
    ],
    samplesPerCpuS: () => 8e6,
    resultSamples: { view: 'filtered', stage: 'filter' },
  },
  correct: {
    steps: correctionSteps((p) => p),
    samplesPerCpuS: () => CORRECT_RATE,
    resultSamples: { view: 'corrected', stage: 'lowpass' },
  },
  tf: {
    steps: [
      // On the corrected signal when the run asks for it: the correction's own stages (same keys,
      // so a finished correction with the same parameters comes from the cache); tf reads lowpass.
      ...correctionSteps<TfParams>((p) => p.correction!, (p) => p.correction !== null),
      step(tfStage, tfStageParams, undefined, tfSplit),
      step(tfBandStage, tfBandParams, (p) => p.bands.length > 0),
    ],
    samplesPerCpuS: (p) => 1 / (p.freqs.length * (TF_NS_FIXED + TF_NS_INVERSE / pow2Factor(p.decim)) * 1e-9 + (p.correction ? 1 / CORRECT_RATE : 0)),
    taskBytes: (p, meta) => tfTaskBytes(tfStageParams(p), meta.nSamples, meta.sampleRate),
  },
};

 
export function workflowOf(spec: PipelineSpec): WorkflowDef<any> {
  return WORKFLOWS[spec.workflow];
}

/** Stages whose samples the trace view shows as a workflow's result, for a view kind. */
export function resultStages(view: 'filtered' | 'corrected'): string[] {
  const out: string[] = [];
  for (const wf of Object.values(WORKFLOWS) as WorkflowDef<unknown>[]) {
    if (wf.resultSamples?.view === view && !out.includes(wf.resultSamples.stage)) out.push(wf.resultSamples.stage);
  }
  return out;
}

/** Workflows whose result the trace view shows as a view kind (filter and sort: filtered; correct: corrected). */
export function resultWorkflows(view: 'filtered' | 'corrected'): PipelineSpec['workflow'][] {
  return (Object.keys(WORKFLOWS) as PipelineSpec['workflow'][]).filter((w) => (WORKFLOWS[w] as WorkflowDef<unknown>).resultSamples?.view === view);
}

/** Samples per CPU-second of a run's workflow with its parameters (estimates, serial/parallel choice). */
export function rateOf(spec: PipelineSpec): number {
  return workflowOf(spec).samplesPerCpuS(spec.params);
}
