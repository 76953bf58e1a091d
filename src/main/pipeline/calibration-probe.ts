// The calibration probe: runs the real workflow (same parameters, mode and workers) on short
// slices of the user's own recording, the channels the run will process, and returns measured
// (work, seconds) points for calibration-fit.ts. A synthetic probe of another shape was tried
// first: its one scale factor was off by 2-2.5x on the demos (a different rate, channel count and
// artifact or spike density each change the cost per sample).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CorrectParams, PipelineSpec } from '../../shared/params';
import type { RunReport } from '../../shared/progress';
import type { RecordingMeta, SourceRef } from '../../shared/recording';
import { writeBrainVision } from '../io/brainvision/bv-write';
import type { Source } from '../io/source';
import { openSource } from '../io';
import { fitTime, predict, type TimePoint } from './calibration-fit';
import { planChannels } from './planner';
import { findTriggerSource, triggersFromChannel, type TriggerSource } from '../../workers/correct/triggers';

/** Starts an engine run and resolves with its report (the Engine's start(), bound). */
export type RunStarter = (spec: PipelineSpec, ref: SourceRef, meta: RecordingMeta) => Promise<RunReport>;

/**
 * The shortest slice, in seconds: long enough for the workflow to do its real work (a correction
 * needs a few artifact epochs around each one for its template, a sort some spikes per channel).
 */
const FIRST_SLICE_S: Record<PipelineSpec['workflow'], number> = { filter: 2, sort: 2, correct: 4, tf: 4 };
/**
 * Slices grow x4 at least until the longer one takes GROWTH times as long as the shorter and at
 * least MIN_DELTA_S more, so the cost per sample outweighs the overhead and the timing noise
 * (~0.1 s idle, several times that on a loaded machine). Past that they keep growing while the
 * next slice fits in the budget: a run extrapolated from a slice 6x shorter than itself took 2x
 * the estimate in CI (slices of 2, 8 and 32 s took 0.31, 0.56 and 1.03 s, the fitted power fell
 * to the sublinear end, the 180 s x 2 rounds run took 8.9 s against 4.4 s estimated), so the probe
 * spends what it may on the longest slice it can.
 */
const GROWTH = 3;
const MIN_DELTA_S = 0.4;
/**
 * They stop at a third of the recording (the run is then at most 3x the longer slice), or once the
 * probe has taken BUDGET_S, or a third of the run it predicts when that is longer (a long run on a
 * busy machine is worth a longer probe: short slices there are mostly noise), at most MAX_BUDGET_S.
 */
const BUDGET_S = 15;
const MAX_BUDGET_S = 60;

export interface ProbeShape {
  /** The run's spec (its channels are the recording's). */
  spec: PipelineSpec;
  /** Channels processed at the same time; the probe runs exactly this many. */
  parallel: number;
  /** The run's channels per worker, one after another (calibration.ts shapeOf). */
  rounds: number;
}

/** Measure growing slice lengths (the shortest for the overhead, long enough ones for the cost per sample). */
export async function probeSlices(src: Source, shape: ProbeShape, run: RunStarter): Promise<TimePoint[]> {
  const meta = src.meta;
  const n = meta.nSamples;
  // A correction's slice holds several artifact epochs besides the ones cut at its ends.
  const correction = correctionOf(shape.spec);
  const stim = correction ? stimTriggers(src, correction) : null;
  const spacing = Math.max(markerSpacing(meta), stim ? spacingOf(stim.samples) : 0);
  const epochs = correction ? 8 * spacing : 0;
  const first = Math.max(1, Math.min(Math.max(Math.round(FIRST_SLICE_S[shape.spec.workflow] * meta.sampleRate), epochs), Math.floor(n / 4)));
  const cap = Math.max(Math.min(n, first * 2), Math.floor(n / 3));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikedesk-probe-'));
  const t0 = performance.now();
  try {
    // The first run loads and compiles the worker code for this workflow (the real run finds it warm).
    await sliceRun(src, shape, run, dir, first, 'warm-up', spacing, stim);
    const short = await sliceRun(src, shape, run, dir, first, 'short', spacing, stim);
    // Every length measured is kept: the least-squares line leans on the longest slices, whose
    // times average out the bursts of a busy machine best.
    const points = [short];
    for (let len = first * 4; ; len *= 4) {
      const l = Math.min(cap, len);
      const long = await sliceRun(src, shape, run, dir, l, `long-${l}`, spacing, stim);
      points.push(long);
      const spent = (performance.now() - t0) / 1000;
      const fit = fitTime(points);
      const predicted = fit ? predict(fit, meta.nSamples, shape.rounds) : 0;
      const budget = Math.min(MAX_BUDGET_S, Math.max(BUDGET_S, predicted / 3));
      const grown = long.seconds >= GROWTH * short.seconds && long.seconds - short.seconds >= MIN_DELTA_S;
      // The next slice's time as the fit so far predicts it (slice writing adds a little).
      const next = fit ? predict(fit, Math.min(cap, l * 4), 1) : Infinity;
      if (l >= cap || spent >= budget || (grown && spent + next > budget)) break;
    }
    return points;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Write the middle `len` samples of the run's channels (plus the channels its global stages read) and run on them. */
async function sliceRun(src: Source, shape: ProbeShape, run: RunStarter, dir: string, len: number, tag: string, spacing: number, stim: StimTriggers | null): Promise<TimePoint> {
  const meta = src.meta;
  const { spec, parallel } = shape;
  const work = planChannels(spec, meta).slice(0, parallel);
  const chans = [...work, ...supportChannels(spec, meta).filter((c) => !work.includes(c))];
  const off = Math.max(0, Math.floor((meta.nSamples - len) / 2));
  const file = path.join(dir, tag, 'slice.vhdr');
  fs.mkdirSync(path.dirname(file));
  // Markers near the cut would start epochs that run past the slice (a correction refuses those):
  // keep the ones at least one marker spacing from either end, on a stim channel too (its pulses
  // there are set to its baseline, 0, as triggersFromChannel reads it).
  const margin = Math.min(Math.floor(len / 4), spacing);
  const events = meta.events.filter((e) => e.sample >= off + margin && e.sample < off + len - margin).map((e) => ({ ...e, sample: e.sample - off }));
  const stimAt = stim ? chans.indexOf(stim.channel) : -1;
  await writeBrainVision(file, { channels: chans.map((c) => ({ name: meta.channels[c].name })), sampleRate: meta.sampleRate, nSamples: len, events },
    (s, e) => {
      const block = src.read(chans, off + s, off + e);
      if (stimAt >= 0) block[stimAt].forEach((_, k) => { if (s + k < margin || s + k >= len - margin) block[stimAt][k] = 0; });
      return block;
    });
  const slice = await openSource(file);
  const sliceMeta = slice.meta;
  slice.close();
  const sliceSpec = { ...spec, channels: work.map((_, i) => i), mode: { ...spec.mode, jobs: parallel } } as PipelineSpec;
  const report = await run(sliceSpec, { path: file }, sliceMeta);
  if (report.state !== 'done') throw new Error(`probe run ${report.state}`);
  return { samples: len, rounds: 1, seconds: report.wallS, from: 'probe' };
}

/** The median gap of trigger samples (at least 3), plus 10% (an artifact epoch spans about one); 0 when too few. */
function spacingOf(samples: number[]): number {
  if (samples.length < 3) return 0;
  const s = [...samples].sort((a, b) => a - b);
  const gaps = s.slice(1).map((v, i) => v - s[i]).sort((a, b) => a - b);
  return Math.ceil(gaps[gaps.length >> 1] * 1.1);
}

/** The largest spacing of any marker label. */
function markerSpacing(meta: RecordingMeta): number {
  const by = new Map<string, number[]>();
  for (const e of meta.events) {
    const l = by.get(e.label);
    if (l) l.push(e.sample); else by.set(e.label, [e.sample]);
  }
  let most = 0;
  for (const s of by.values()) most = Math.max(most, spacingOf(s));
  return most;
}

interface StimTriggers { channel: number; samples: number[] }

/**
 * The stim channel the correction would take its triggers from (its own rule: findTriggerSource),
 * with the trigger samples on it; null when it uses markers or finds no source (the run says why).
 */
function stimTriggers(src: Source, c: CorrectParams): StimTriggers | null {
  let t: TriggerSource;
  try { t = findTriggerSource(src.meta, c.triggers); } catch { return null; }
  if (t.kind !== 'channel') return null;
  return { channel: t.channel, samples: triggersFromChannel(src.read([t.channel], 0, src.meta.nSamples)[0]) };
}

/** The correction parameters of a run that corrects gradient artifacts (the correct workflow, or tf of the corrected signal). */
function correctionOf(spec: PipelineSpec): CorrectParams | null {
  return spec.workflow === 'correct' ? spec.params : spec.workflow === 'tf' ? spec.params.correction : null;
}

/**
 * Channels the workflow reads besides the processed ones. A correction's global triggers stage
 * reads the trigger and alignment channels and several EEG channels spread over the whole montage
 * (its template choice), so its slices keep every channel; a sort or filter reads only its own.
 */
function supportChannels(spec: PipelineSpec, meta: RecordingMeta): number[] {
  if (!correctionOf(spec)) return [];
  return meta.channels.map((_, i) => i);
}
