// The time-frequency workflow as stage descriptors:
//   tf       - chunked per channel: Morlet power (and phase) of the raw channel, freqs x times float32.
//              Its chunk grid is whole transform blocks with the longest wavelet's reach as margin,
//              so fast and low-memory runs agree bit for bit. It can also be split into frequency
//              batches (the workflow's `split`): each batch task computes some rows with the same
//              block grid and the engine joins the rows in order, again bit for bit.
//   tf-band  - global: band-power series per channel and per region of interest (mean over the
//              band's frequencies, then over the ROI's channels), optionally event-locked (averaged
//              epochs) and baseline-corrected with MNE's rescale modes.

import type { TfParams } from '../../../shared/params';
import { SpikeDeskError } from '../../../shared/errors';
import { tfChunk, tfGrid, tfOutputFor, type TfChannelOutput, type TfKernelParams, type TfPart } from '../../../workers/tf/chunk';
import { cwtGeometry } from '../../../workers/tf/cwt';
import { bandIndices, bandPower, epochAverage, rescale, type BaselineMode } from '../../../workers/tf/band';
import { batchIndices, chooseStrategy, type TfStrategy } from '../../../workers/tf/strategy';
import type { RecordingMeta } from '../../../shared/recording';
import { codec, defineStage } from '../stage';
import type { SplitWork } from '../workflows';

/** The tf stage's parameter slice (exactly what its numbers depend on: its cache key). */
export type TfStageParams = TfKernelParams;

export function tfStageParams(p: TfParams): TfStageParams {
  return { freqs: p.freqs, nCycles: p.nCycles.length === 1 ? p.nCycles[0] : p.nCycles, zeroMean: p.zeroMean, decim: p.decim, phase: p.phase };
}

export interface TfOutput {
  /** Row r holds frequency freqs[rows[r]]. */
  rows: number[];
  nOut: number;
  /** rows x nOut, recording unit squared. */
  power: Float32Array;
  /** Radians, same layout; empty when phase was not asked for. */
  phase: Float32Array;
}

const tfCodec = codec<TfOutput>({ rows: 'json', nOut: 'json', power: 'f32', phase: 'f32' });

function toOutput(o: TfChannelOutput): TfOutput {
  return { rows: o.rows, nOut: o.nOut, power: o.power, phase: o.phase ?? new Float32Array(0) };
}

export const tfStage = defineStage<TfStageParams, TfOutput>({
  name: 'tf',
  version: 1,
  scope: 'chunked',
  // The corrected channel when the run corrects first (TfParams.correction), else the raw one.
  inputs: [{ stage: 'lowpass', optional: true }],
  readsSource: true,
  output: { kind: 'bundle', codec: tfCodec },
  weight: 4,
  chunk: {
    signal: (r) => r('lowpass') ?? r('source')!,
    grid: (p, meta) => tfGrid(p, meta.nSamples, meta.sampleRate),
    // The channel's output is allocated once and every chunk writes its rows in place (chunk.test.ts:
    // equal to assembling separate parts), so a task holds one copy of it, not two; the previous
    // task's arrays are reused when the collector has not freed them yet (tfOutputFor).
    prepare: (p, _read, meta): TfChannelOutput => tfOutputFor(p, meta.nSamples, meta.sampleRate, true),
    kernel: (p, x, a, s, e, out, meta): TfPart => tfChunk(p, x, a, s, e, meta.nSamples, meta.sampleRate, out),
    finish: (_p, _parts: TfPart[], out) => toOutput(out),
  },
  join(p, outs) {
    const rows = outs.flatMap((o) => o.rows);
    const nOut = outs[0].nOut;
    const power = new Float32Array(rows.length * nOut);
    const phase = new Float32Array(p.phase ? power.length : 0);
    let r = 0;
    for (const o of outs) {
      power.set(o.power, r * nOut);
      if (p.phase) phase.set(o.phase, r * nOut);
      r += o.rows.length;
    }
    return { rows, nOut, power, phase };
  },
  summarize: (o) => ({ tfRows: o.rows.length, tfTimes: o.nOut }),
});

/**
 * What one tf task holds besides its input channel: the channel's output (freqs x times float32,
 * twice with the phase), written in place, and the wavelet bank (one complex spectrum of the block
 * FFT size per frequency). The 32-channel EEG demo at full rate (37 frequencies, 600,000 samples)
 * holds 89 MB + 37 MB per worker.
 */
export function tfTaskBytes(p: TfStageParams, nSamples: number, sampleRate: number): number {
  const g = cwtGeometry(nSamples, sampleRate, p);
  const rows = p.freqIndices?.length ?? p.freqs.length;
  return rows * g.nOut * 4 * (p.phase ? 2 : 1) + rows * g.N * 16;
}

/** The tf-band stage's slice: the band table's definition. */
export interface TfBandParams {
  freqs: number[];
  decim: number;
  bands: TfParams['bands'];
  rois: TfParams['rois'];
  baseline: TfParams['baseline'];
  epochs: TfParams['epochs'];
}

export function tfBandParams(p: TfParams): TfBandParams {
  return { freqs: p.freqs, decim: p.decim, bands: p.bands, rois: p.rois, baseline: p.baseline, epochs: p.epochs };
}

export interface TfBandOutput {
  /** One label per row: `${band}\t${channel or ROI name}`. */
  labels: string[];
  /** 'channel' or 'roi' per row. */
  kinds: string[];
  /** Seconds: from the recording start, or relative to the event when event-locked. */
  times: Float64Array;
  /** rows x times. */
  series: Float64Array;
  /** What the values are: unit squared, or the baseline mode's unit. */
  unit: string;
  epochs: { used: number; dropped: number } | null;
}

const bandCodec = codec<TfBandOutput>({ labels: 'json', kinds: 'json', times: 'f64', series: 'f64', unit: 'json', epochs: 'json' });

/** Each region's channels as positions in `names` (the analysed channels); a name not among them is refused. */
function roiIndices(rois: TfBandParams['rois'], names: string[]): number[][] {
  return rois.map((roi) => roi.channels.map((name) => {
    const i = names.indexOf(name);
    if (i < 0) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `region "${roi.name}" names channel "${name}", which is not among the analysed channels`, fix: `use channels of ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}` });
    return i;
  }));
}

/** Times (s) of the events the epochs are locked to; refused when no label matches. */
function epochEvents(p: TfBandParams, meta: RecordingMeta): number[] {
  const re = new RegExp(p.epochs.regex);
  const ev = meta.events.filter((e) => re.test(e.label)).map((e) => e.sample / meta.sampleRate);
  if (!ev.length) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `no event label matches /${p.epochs.regex}/`, fix: `use one of the recording's labels, e.g. ${[...new Set(meta.events.map((e) => e.label))].slice(0, 5).join(', ') || '(the recording has no events)'}` });
  return ev;
}

export const tfBandStage = defineStage<TfBandParams, TfBandOutput>({
  name: 'tf-band',
  version: 1,
  scope: 'global',
  inputs: [{ stage: 'tf' }],
  output: { kind: 'bundle', codec: bandCodec },
  weight: 0.2,
  /**
   * A region naming a channel that is not analysed, or epochs locked to a label no event has, are
   * refused before the run: found here only after the transform of every channel, they cost the
   * whole run (and failed every channel, one line each).
   */
  validate(p, { meta, channels }) {
    roiIndices(p.rois, channels.map((c) => meta.channels[c].name));
    if (p.epochs.regex) epochEvents(p, meta);
  },
  run(p, ctx) {
    const { meta } = ctx;
    const names = ctx.channels.map((c) => meta.channels[c].name);
    // Checked before the run too (validate); a channel whose transform failed is not among them here.
    const roiIdx = roiIndices(p.rois, names);
    const bandRows = p.bands.map((b) => bandIndices(p.freqs, b.lo, b.hi));
    const rate = meta.sampleRate / p.decim;
    const nOut = cwtGeometry(meta.nSamples, meta.sampleRate, { freqs: p.freqs, nCycles: 1, zeroMean: false, decim: p.decim }).nOut;
    // Channel band series, one channel's power in memory at a time.
    const chSeries: Float64Array[][] = p.bands.map(() => []);
    ctx.channels.forEach((_, i) => {
      const o = ctx.input(tfStage, i);
      if (o.rows.length !== p.freqs.length) throw new SpikeDeskError({ code: 'INTERNAL', message: `tf output of channel ${names[i]} has ${o.rows.length} rows, expected ${p.freqs.length}` });
      bandRows.forEach((rows, b) => chSeries[b].push(bandPower(o.power, o.nOut, rows)));
      ctx.progress((0.8 * (i + 1)) / ctx.channels.length);
    });
    const labels: string[] = [], kinds: string[] = [];
    let rowsOut: Float64Array[] = [];
    p.bands.forEach((band, b) => {
      names.forEach((n, i) => { labels.push(`${band.name}\t${n}`); kinds.push('channel'); rowsOut.push(chSeries[b][i]); });
      p.rois.forEach((roi, r) => {
        const m = new Float64Array(nOut);
        for (const i of roiIdx[r]) for (let t = 0; t < nOut; t++) m[t] += chSeries[b][i][t];
        for (let t = 0; t < nOut; t++) m[t] /= roiIdx[r].length;
        labels.push(`${band.name}\t${roi.name}`); kinds.push('roi'); rowsOut.push(m);
      });
    });
    let times: Float64Array = Float64Array.from({ length: nOut }, (_, t) => (t * p.decim) / meta.sampleRate);
    let epochs: TfBandOutput['epochs'] = null;
    if (p.epochs.regex) {
      const ev = epochEvents(p, meta);
      let first: ReturnType<typeof epochAverage> | null = null;
      rowsOut = rowsOut.map((s) => { const a = epochAverage(s, rate, ev, p.epochs.tmin, p.epochs.tmax); first ??= a; return a.mean; });
      times = first!.times;
      epochs = { used: first!.used, dropped: first!.dropped };
    }
    const mode = p.baseline.mode;
    if (mode !== 'none') rowsOut = rowsOut.map((s) => rescale(s, times, [p.baseline.start, p.baseline.end], mode as BaselineMode));
    const series = new Float64Array(rowsOut.length * times.length);
    rowsOut.forEach((s, r) => series.set(s, r * times.length));
    const unit = mode === 'none' || mode === 'mean' ? `${meta.channels[ctx.channels[0]]?.unit ?? 'uV'}^2` : mode === 'percent' ? 'fraction' : mode === 'ratio' ? 'ratio' : mode === 'logratio' ? 'log10 ratio' : 'z';
    ctx.progress(1);
    return { labels, kinds, times, series, unit, epochs };
  },
  summarize: (o) => ({ bandRows: o.labels.length, ...(o.epochs ? { epochs: o.epochs } : {}) }),
});

/**
 * The workflow's split of a channel into frequency batches: the chosen (or automatic) strategy
 * decides; 'channel' and 'recording' keep one task per channel. Within one run there is one
 * recording, so 'recording' is by channel there; a batch runs it by recording (tfBatchStrategy).
 */
export function tfSplit(p: TfParams, work: SplitWork): TfStageParams[] | null {
  const sp = tfStageParams(p);
  let batches = 1;
  if (p.strategy === 'frequency') batches = Math.max(2, work.workers);
  else if (p.strategy === 'auto') {
    const geom = cwtGeometry(work.meta.nSamples, work.meta.sampleRate, sp);
    const c = chooseStrategy({ geom, nFreqs: p.freqs.length, channels: [work.channels], workers: work.workers });
    if (c.strategy === 'frequency') batches = c.batches;
  }
  if (batches <= 1 || p.freqs.length < 2) return null;
  return batchIndices(p.freqs.length, batches).map((rows) => ({ ...sp, freqIndices: rows }));
}

/**
 * The split of a batch of recordings over `workers`: asked for, or chosen from every recording's
 * channel count and the longest recording's transform size. 'recording' makes the batch run each
 * recording's channels in order on one lane, recordings side by side (LocalBatchExecutor's
 * recordingJobs = 1); the others spread each recording's channels (and, for 'frequency', its
 * frequency batches, decided per run by tfSplit) over every worker.
 */
export function tfBatchStrategy(p: TfParams, recordings: Pick<RecordingMeta, 'nSamples' | 'sampleRate' | 'channels'>[], workers: number): { strategy: TfStrategy; reason: string } {
  if (p.strategy !== 'auto') return { strategy: p.strategy, reason: `${p.strategy} (asked for)` };
  if (!recordings.length) return { strategy: 'channel', reason: 'auto: no recording could be opened' };
  const longest = recordings.reduce((a, m) => (m.nSamples > a.nSamples ? m : a));
  const geom = cwtGeometry(longest.nSamples, longest.sampleRate, tfStageParams(p));
  const c = chooseStrategy({ geom, nFreqs: p.freqs.length, channels: recordings.map((m) => m.channels.length), workers });
  return { strategy: c.strategy, reason: `auto: ${c.reason}` };
}
