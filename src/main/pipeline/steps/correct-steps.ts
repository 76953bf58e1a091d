// Gradient-artifact correction in the engine. The global 'triggers' stage finds the trigger
// source, reads and completes the triggers and aligns them once on the reference channel
// (prepareCorrection); the plan is stored in the cache and every channel task corrects with it.
// Both modes run the same sectioned chain on a fixed section grid, reading the channel from
// memory (fast) or from the file (low-memory), so corrected samples are bit-identical.

import type { CorrectParams } from '../../../shared/params';
import { SpikeDeskError } from '../../../shared/errors';
import { analyzeTriggers, completeMissing, findTriggerSource, triggersFromChannel, triggersFromEvents } from '../../../workers/correct/triggers';
import { prepareCorrection, type CorrectionPlan } from '../../../workers/correct/plan';
import { correctChannelStreamed, type ChannelSummary } from '../../../workers/correct/chain';
import { readBundle, writeBundle } from '../bundle';
import { AtomicStream } from '../cache';
import { sharedSource } from '../open-source';
import type { Source } from '../../io/source';
import type { TriggerTask } from '../task';
import type { StepContext } from './context';

/** EEG channels read by the global stage to choose the template model (cost bound). */
const SELECT_CHANNELS = 4;

/** Section length of the correction chain: fixed per sample rate (20 s), never per mode. */
export function correctionSection(fs: number): number {
  return Math.round(20 * fs);
}

/** The channel prepareCorrection aligns on: the named one, else the first EEG (ephys) channel. */
export function alignChannelIndex(source: Source, params: CorrectParams): number {
  const chans = source.meta.channels;
  if (params.alignChannel) {
    const i = chans.findIndex((c) => c.name === params.alignChannel);
    if (i < 0) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `alignment channel "${params.alignChannel}" is not in the recording`, fix: `use one of ${chans.map((c) => c.name).slice(0, 8).join(', ')}` });
    return i;
  }
  const i = chans.findIndex((c) => c.kind === 'ephys');
  if (i < 0) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'the recording has no EEG channel to align on', fix: 'choose the alignment channel by name' });
  return i;
}

export async function triggersStep(task: TriggerTask, progress: (stage: string, f: number) => void, summary: Record<string, unknown>): Promise<void> {
  const source = await sharedSource(task.source);
  const { meta } = source;
  const p = task.params;
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
      progress('triggers', (0.3 * e) / meta.nSamples);
    }
  } else {
    triggers = triggersFromEvents(meta.events, found.regex);
  }
  const analysis = analyzeTriggers(triggers, meta.sampleRate, p.triggers.kind);
  const ref = source.read([alignChannelIndex(source, p)], 0, meta.nSamples)[0];
  progress('triggers', 0.4);
  let list: ArrayLike<number> = analysis.triggers;
  let added: number[] = [];
  if (p.triggers.completeMissing && analysis.missing.length) {
    const c = completeMissing(analysis, ref);
    list = c.triggers;
    added = c.added;
  }
  // The template model is chosen on up to SELECT_CHANNELS EEG channels spread over the montage.
  const eeg = meta.channels.map((c, i) => (c.kind === 'ephys' ? i : -1)).filter((i) => i >= 0);
  const pick = Array.from(new Set(Array.from({ length: Math.min(SELECT_CHANNELS, eeg.length) }, (_, j) => eeg[Math.floor((j * eeg.length) / Math.min(SELECT_CHANNELS, eeg.length))])));
  const plan = prepareCorrection(ref, meta.sampleRate, list, p, {}, { count: pick.length, read: (j) => source.read([pick[j]], 0, meta.nSamples)[0] });
  progress('triggers', 1);
  const described = found.kind === 'channel' ? `stim channel "${found.name}"` : `markers matching /${found.regex}/`;
  Object.assign(summary, {
    source: described, reason: found.reason, count: plan.positions.length, added: added.length, removed: analysis.removed.length,
    volumes: analysis.volumes.length, slicesPerVolume: analysis.slicesPerVolume,
    warnings: analysis.warnings,
    ...(plan.templateChoice ? { template: plan.templateChoice.chosen, templateCandidates: plan.templateChoice.candidates } : {}),
    ...(plan.timing ? { timing: { used: plan.timing.used, residualSdSamples: plan.timing.residualSd, residualMaxSamples: plan.timing.residualMax, outliers: plan.timing.outliers } } : {}),
  });
  const { positions, lags, peakR, ...scalars } = plan;
  writeBundle(task.out, { info: { ...scalars, summary }, arrays: { positions, lags, peakR } });
}

export function loadPlan(file: string): CorrectionPlan {
  const b = readBundle(file);
  const { summary: _summary, ...scalars } = b.info;
  return { ...(scalars as Omit<CorrectionPlan, 'positions' | 'lags' | 'peakR'>), positions: b.arrays.positions as Float64Array, lags: b.arrays.lags as Float64Array, peakR: b.arrays.peakR as Float64Array };
}

export function correctStep(ctx: StepContext): void {
  const { task, source } = ctx;
  const plan = loadPlan(task.files.triggers!);
  const n = source.meta.nSamples;
  const fs = source.meta.sampleRate;
  const whole = task.blockSamples === 0 ? source.read([task.channel], 0, n)[0] : null;
  const read = whole ? (s: number, e: number): Float32Array => whole.subarray(s, e) : (s: number, e: number): Float32Array => source.read([task.channel], s, e)[0];
  const out = new AtomicStream(task.files.correct!);
  const summary: ChannelSummary = { epochs: 0, obs: null, sections: 0 };
  try {
    correctChannelStreamed(read, n, fs, plan, task.correct!, correctionSection(fs), (s, data) => {
      out.write(data);
      ctx.progress('correct', (s + data.length) / n);
    }, summary);
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  ctx.summary.epochs = summary.epochs;
  if (summary.template) ctx.summary.template = summary.template;
  if (summary.obs) ctx.summary.obsComponents = summary.obs.k;
}
