// One seed of the synthetic EEG-fMRI generator as the correction scripts evaluate it (as
// src/workers/correct/evaluation.test.ts does): 8 ch x 100 s with 10 s clean margins and a spurious
// trigger, the triggers cleaned and completed, and the montage's selection as the engine's global stage
// reads it (the choice's channels, the shapes from the whole montage).
import { generateEegFmri, type EegFmriRecording } from '../src/workers/synth/eeg-fmri';
import { montageChannels, type SelectChannels } from '../src/workers/correct/plan';
import { analyzeTriggers, completeMissing, triggersFromEvents, type TriggerAnalysis } from '../src/workers/correct/triggers';

export const N_CH = 8;

export interface SeedSetup {
  rec: EegFmriRecording;
  raw: Float32Array[];
  clean: Float32Array[];
  found: TriggerAnalysis;
  done: ReturnType<typeof completeMissing>;
  /** The montage's selection over the raw channels. */
  select: SelectChannels;
  pick: number[];
  shapes: number[];
  of: number[];
}

export function seedSetup(seed: number, regime: 'stationary' | 'drifting'): SeedSetup {
  const rec = generateEegFmri({ seed, nChannels: N_CH, durationS: 100, cleanBeforeS: 10, cleanAfterS: 10, regime, spuriousTrigger: true });
  const n = rec.nSamples;
  const raw = Array.from({ length: N_CH }, (_, c) => rec.channelBlock(c, 0, n));
  const clean = Array.from({ length: N_CH }, (_, c) => rec.cleanBlock(c, 0, n));
  const found = analyzeTriggers(triggersFromEvents(rec.events, 'R128'), rec.fs);
  const done = completeMissing(found, raw[0]);
  const { pick, shapes, of } = montageChannels([...Array(N_CH).keys()]);
  const select = { count: pick.length, read: (i: number) => raw[pick[i]], shapeSource: { count: shapes.length, read: (i: number) => raw[shapes[i]], of } };
  return { rec, raw, clean, found, done, select, pick, shapes, of };
}
