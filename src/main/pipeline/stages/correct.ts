// Gradient-artifact correction as stages. The global 'triggers' stage finds the trigger source,
// reads and completes the triggers and aligns them once on the reference channel
// (prepareCorrection); every channel is then corrected with that one plan, so parallel and
// sequential runs subtract exactly the same epochs. AAS, OBS and the low-pass are separate cached
// stages, so changing the low-pass re-runs only the low-pass.

import { SpikeDeskError } from '../../../shared/errors';
import { DEFAULT_CORRECT, type CorrectParams } from '../../../shared/params';
import type { RecordingMeta } from '../../../shared/recording';
import { analyzeTriggers, completeMissing, findTriggerSource, triggersFromChannel, triggersFromEvents } from '../../../workers/correct/triggers';
import { montageChannels, prepareCorrection, type CorrectionPlan } from '../../../workers/correct/plan';
import { refineWarning } from '../../../workers/correct/align-spline';
import { aasStage as aasKernel, lowpassStage as lowpassKernel, obsStage as obsKernel } from '../../../workers/correct/stages';
import { codec, defineStage } from '../stage';

/** Section length of the correction chain: fixed per sample rate (20 s), never per mode. */
export function correctionSection(fs: number): number {
  return Math.round(20 * fs);
}

/** The channel prepareCorrection aligns on: the named one, else the first EEG (ephys) channel. */
export function alignChannelIndex(meta: RecordingMeta, alignChannel: string): number {
  const chans = meta.channels;
  if (alignChannel) {
    const i = chans.findIndex((c) => c.name === alignChannel);
    if (i < 0) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `alignment channel "${alignChannel}" is not in the recording`, fix: `use one of ${chans.map((c) => c.name).slice(0, 8).join(', ')}` });
    return i;
  }
  const i = chans.findIndex((c) => c.kind === 'ephys');
  if (i < 0) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'the recording has no EEG channel to align on', fix: 'choose the alignment channel by name' });
  return i;
}

/** What the triggers stage depends on (the per-channel parameters are not in its key). */
export type TriggerStageParams = Pick<CorrectParams, 'triggers' | 'engine' | 'upsample' | 'align' | 'alignChannel' | 'window' | 'farm' | 'crossChannel'>;

/** Entries per list of the trigger report (the counts stay complete; a scan with more changes than this
 * needs the trigger settings checked rather than a longer list). */
export const REPORT_MAX = 200;

export interface TriggerSummary {
  source: string; reason: string; count: number; added: number; removed: number; volumes: number; slicesPerVolume: number;
  warnings: string[];
  /** What trigger completion changed, for the correction view: the added triggers (samples, found by
   * template matching), the ones removed as spurious, and the expected positions left unfilled (no
   * match). Each list holds at most REPORT_MAX entries; the counts above are complete. */
  addedSamples: number[]; removedSamples: number[]; unresolvedSamples: number[];
  /** Spline engine: the template model chosen from held-out error, and every candidate's relative error;
   * the cross-channel low-rank decision (used or not, and the held-out errors compared). */
  template?: string; templateCandidates?: string; crossChannel?: string;
  /** The cross-channel low band of the all-epoch template (low-band.ts): used or not, and why. */
  lowBand?: string;
  timing?: { used: boolean; residualSdSamples: number; residualMaxSamples: number; outliers: number; refinePasses?: number };
}
export type TriggersOutput = CorrectionPlan & { summary: TriggerSummary; triggerSamples: Float64Array };

export const triggersStage = defineStage<TriggerStageParams, TriggersOutput>({
  name: 'triggers',
  version: 6, // 5: onset refinement until converged, cross-channel rank by held-out error; 6: the all-epoch template's low band across channels (different plans)
  scope: 'global',
  inputs: [],
  readsSource: true,
  output: {
    kind: 'bundle',
    codec: codec<TriggersOutput>({
      fs: 'json', nSamples: 'json', upsample: 'json', positions: 'f64', pre: 'json', epochLength: 'json', acqStart: 'json', acqEnd: 'json',
      lags: 'f64', peakR: 'f64', refIndex: 'json', aligned: 'json', options: 'json', summary: 'json', triggerSamples: 'f64',
      template: 'json', templateChoice: 'json', timing: 'json', crossChannel: 'json', refine: 'json', lowBand: 'json',
    }),
  },
  weight: 1,
  // The sample lists stay in the stage output (the correction view reads them there); the run summary keeps the counts.
  summarize: (o) => { const { addedSamples: _a, removedSamples: _r, unresolvedSamples: _u, ...rest } = o.summary; return rest; },
  run(p, ctx) {
    const { meta, source } = ctx;
    const found = findTriggerSource(meta, p.triggers);
    let triggers: number[];
    if (found.kind === 'channel') {
      triggers = [];
      const B = 1 << 20;
      let previous: number | undefined;
      for (let s = 0; s < meta.nSamples; s += B) {
        const e = Math.min(meta.nSamples, s + B);
        const v = source.read([found.channel], s, e)[0];
        triggers.push(...triggersFromChannel(v, { offset: s, previous }));
        previous = v[v.length - 1];
        ctx.progress((0.3 * e) / meta.nSamples);
      }
    } else {
      triggers = triggersFromEvents(meta.events, found.regex);
    }
    const analysis = analyzeTriggers(triggers, meta.sampleRate, p.triggers.kind);
    const ref = source.read([alignChannelIndex(meta, p.alignChannel)], 0, meta.nSamples)[0];
    ctx.progress(0.4);
    let list: ArrayLike<number> = analysis.triggers;
    let added: number[] = [];
    let unresolved: number[] = [];
    if (p.triggers.completeMissing && analysis.missing.length) {
      const c = completeMissing(analysis, ref);
      list = c.triggers;
      added = c.added;
      unresolved = c.unresolved;
    }
    // Onset refinement and the template choice read up to SELECT_CHANNELS EEG channels spread over the
    // montage, the cross-channel shapes up to SHAPE_CHANNELS (plan.ts).
    const eeg = meta.channels.map((c, i) => (c.kind === 'ephys' ? i : -1)).filter((i) => i >= 0);
    const { pick, shapes, of } = montageChannels(eeg);
    const readCh = (c: number): Float32Array => source.read([c], 0, meta.nSamples)[0];
    const plan = prepareCorrection(ref, meta.sampleRate, list, { ...DEFAULT_CORRECT, ...p }, {},
      pick.length ? { count: pick.length, read: (j) => readCh(pick[j]), shapeSource: { count: shapes.length, read: (j) => readCh(shapes[j]), of } } : undefined);
    ctx.progress(1);
    const described = found.kind === 'channel' ? `stim channel "${found.name}"` : `markers matching /${found.regex}/`;
    return {
      ...plan,
      // The triggers the correction used (after completion), so the correction view shows exactly these.
      triggerSamples: Float64Array.from(list),
      summary: {
        source: described, reason: found.reason, count: plan.positions.length, added: added.length, removed: analysis.removed.length,
        volumes: analysis.volumes.length, slicesPerVolume: analysis.slicesPerVolume, warnings: [...analysis.warnings, ...[refineWarning(plan.refine)].filter((w): w is string => w !== null)],
        addedSamples: added.slice(0, REPORT_MAX), removedSamples: analysis.removed.slice(0, REPORT_MAX),
        unresolvedSamples: unresolved.slice(0, REPORT_MAX).map((v) => Math.round(v)),
        ...(plan.templateChoice ? { template: plan.templateChoice.chosen, templateCandidates: plan.templateChoice.candidates } : {}),
        ...(plan.crossChannel ? { crossChannel: plan.crossChannel.report } : {}),
        ...(plan.lowBand ? { lowBand: plan.lowBand.report } : {}),
        ...(plan.timing ? { timing: { used: plan.timing.used, residualSdSamples: plan.timing.residualSd, residualMaxSamples: plan.timing.residualMax, outliers: plan.timing.outliers, ...(plan.refine ? { refinePasses: plan.refine.passes } : {}) } } : {}),
      },
    };
  },
});

/** AAS gets every correction parameter except those of the later stages (a new AAS option is in its key). */
export type AasStageParams = Omit<CorrectParams, 'obsComponents' | 'lowpassHz' | 'anc'>;

export const aasStage = defineStage<AasStageParams>({
  name: 'aas',
  version: 3,
  scope: 'channel',
  inputs: [{ stage: 'triggers' }],
  output: { kind: 'samples' },
  weight: 2,
  run(p, ctx) {
    const plan = ctx.input(triggersStage);
    aasKernel(ctx.reader('source'), ctx.meta.nSamples, plan, { ...p, obsComponents: 0, lowpassHz: 0, anc: false }, correctionSection(ctx.meta.sampleRate),
      (s, d) => ctx.emit(s, d), (f) => ctx.progress(f));
    ctx.summary.epochs = plan.positions.length;
  },
});

export const obsStage = defineStage<{ obsComponents: number }>({
  name: 'obs',
  version: 1,
  scope: 'channel',
  inputs: [{ stage: 'triggers' }, { stage: 'aas' }],
  output: { kind: 'samples' },
  weight: 1,
  run(p, ctx) {
    const plan = ctx.input(triggersStage);
    const m = obsKernel(ctx.reader('aas'), ctx.meta.nSamples, plan, p.obsComponents, correctionSection(ctx.meta.sampleRate),
      (s, d) => ctx.emit(s, d), (f) => ctx.progress(f));
    ctx.summary.obsComponents = m.k;
  },
});

/** The last correction stage: its output is the corrected channel (ANC, when on, runs here too). */
export const lowpassStage = defineStage<{ lowpassHz: number; anc: boolean }>({
  name: 'lowpass',
  version: 1,
  scope: 'channel',
  inputs: [{ stage: 'triggers' }, { stage: 'obs', optional: true }, { stage: 'aas' }],
  output: { kind: 'samples' },
  weight: 0.5,
  run(p, ctx) {
    const plan = ctx.input(triggersStage);
    const input = ctx.reader(ctx.has('obs') ? 'obs' : 'aas');
    lowpassKernel(input, ctx.reader('source'), ctx.meta.nSamples, plan, p.lowpassHz, p.anc, correctionSection(ctx.meta.sampleRate),
      (s, d) => ctx.emit(s, d), (f) => ctx.progress(f));
  },
});
