// Building and checking the neutral SortedResult: validation of a result handed to an exporter
// (every bad input gets a SpikeDeskError naming the unit), and the adapter from a curated sort
// session (the workbench's SortSession: sorter output plus the replayed curation journal).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Label } from '../../shared/curation';
import { SpikeDeskError } from '../../shared/errors';
import { judgeUnit } from '../../shared/quality-rule';
import type { ExportUnit, SortedResult } from '../../shared/export';
import { readSession } from '../pipeline/session-store';
import type { SortSession } from '../session/workbench';
import { unitIdsOf, type SortResult } from '../pipeline/sort-result';
import type { SourceRef } from '../../shared/recording';

/** Records (actions, undos, redos) in a curation journal file, header excluded; 0 when absent. */
export function journalLength(file: string): number {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return 0; }
  return Math.max(0, text.split('\n').filter((l) => l.trim()).length - 1);
}

function bad(message: string): never {
  throw new SpikeDeskError({ code: 'BAD_REQUEST', message, fix: 'Reload the sort result; if it persists, report it as a bug.' });
}

export function validateSorted(r: SortedResult): void {
  const rec = r.recording;
  if (!(rec.sampleRate > 0) || !Number.isFinite(rec.sampleRate)) bad(`sample rate ${rec.sampleRate} is not a positive number`);
  if (!Number.isInteger(rec.nSamples) || rec.nSamples < 0) bad(`sample count ${rec.nSamples} is not a whole number`);
  const w = r.waveform.pre + r.waveform.post;
  const d = r.featureNames.length;
  const ids = new Set<number>();
  for (const u of r.units) {
    if (!Number.isInteger(u.id) || ids.has(u.id)) bad(`unit id ${u.id} is not a unique whole number`);
    ids.add(u.id);
    if (!Number.isInteger(u.channel) || u.channel < 0 || u.channel >= rec.channels.length) bad(`unit ${u.id} is on channel ${u.channel}, which the recording does not have`);
    const n = u.spikes.length;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(u.spikes[i]) || u.spikes[i] < 0 || (i > 0 && u.spikes[i] < u.spikes[i - 1])) bad(`unit ${u.id}: spike ${i} at sample ${u.spikes[i]} is not a non-negative, ascending time`);
    }
    if (u.amplitudes && u.amplitudes.length !== n) bad(`unit ${u.id}: ${u.amplitudes.length} amplitudes for ${n} spikes`);
    if (u.meanWaveform.length !== w) bad(`unit ${u.id}: mean waveform has ${u.meanWaveform.length} samples, expected ${w}`);
    if (u.waveforms && u.waveforms.length !== n * w) bad(`unit ${u.id}: ${u.waveforms.length} waveform values for ${n} spikes of ${w} samples`);
    if (u.features && u.features.length !== n * d) bad(`unit ${u.id}: ${u.features.length} feature values for ${n} spikes of ${d} features`);
  }
}

function gather<T extends Float32Array | Float64Array>(make: new (n: number) => T, src: ArrayLike<number>, idx: Int32Array, width: number): T {
  const out = new make(idx.length * width);
  idx.forEach((s, k) => { for (let j = 0; j < width; j++) out[k * width + j] = src[s * width + j]; });
  return out;
}

/**
 * The current (curated) state of an open sort session: one unit per live cluster with its
 * spikes, amplitudes, per-spike waveforms and features, mean waveform and metrics.
 */
export function fromSortSession(session: SortSession): SortedResult {
  const res = session.result;
  const meta = res.meta;
  const w = res.pre + res.post;
  const sessionDir = path.dirname(session.report.path);
  const sess = readSession(sessionDir);
  const byChannel = new Map(res.channels.map((c) => [c.channel, c]));
  const overview = session.overview();
  const metricsOf = new Map(overview.clusters.map((c) => [c.id, c.metrics]));
  const nFeat = res.channels[0]?.nFeat ?? 0;
  const units: ExportUnit[] = session.model.clusters().map((c) => {
    const ch = byChannel.get(c.channel)!;
    const idx = session.model.spikesOf(c.id);
    const waveforms = gather(Float32Array, ch.waveforms, idx, w);
    const mean = new Float32Array(w);
    for (let k = 0; k < idx.length; k++) for (let j = 0; j < w; j++) mean[j] += waveforms[k * w + j] / idx.length;
    return {
      id: c.id, channel: c.channel, label: c.label as Label,
      spikes: Float64Array.from(idx, (s) => ch.samples[s]),
      amplitudes: Float32Array.from(idx, (s) => ch.amplitudes[s]),
      meanWaveform: mean, waveforms,
      features: ch.nFeat === nFeat ? gather(Float32Array, ch.features, idx, nFeat) : null,
      metrics: metricsOf.get(c.id) ?? {},
    };
  });
  return {
    recording: {
      path: meta.path, format: meta.format, sampleRate: meta.sampleRate, nSamples: meta.nSamples, channels: meta.channels.map((c) => ({ name: c.name, group: c.group })),
      raw: meta.format === 'raw' ? { dtype: sess?.open?.dtype ?? 'int16', offset: sess?.open?.offset ?? 0, uvPerBit: commonScale(meta) } : undefined,
    },
    waveform: { pre: res.pre, post: res.post }, featureNames: session.featureNames(nFeat), units,
    params: sess?.params.sort ?? null, curationJournalLength: journalLength(session.report.path),
    inputHash: null, origin: { kind: 'session', path: sessionDir, runId: res.run.runId },
    filtered: res.run.stages.filter ? { dir: res.run.stages.filter.dir } : undefined,
  };
}

/**
 * A fresh sort run (the pipeline's SortResult, no curation) as the neutral SortedResult: one unit
 * per sorter unit, labelled 'unsorted', with its assigned spikes; unassigned spikes are left out
 * (and counted). `sort --out` and batch folders go through the one Phy writer with it.
 */
export function fromSortResult(res: SortResult, source: SourceRef, params: unknown = null): { result: SortedResult; unassigned: number } {
  const meta = res.meta;
  const w = res.pre + res.post;
  const nFeat = res.channels[0]?.nFeat ?? 0;
  const sameFeat = res.channels.every((c) => c.nFeat === nFeat);
  let unassigned = 0;
  const byChannel = new Map(res.channels.map((c) => [c.channel, { ch: c, ids: unitIdsOf(res, c) }]));
  for (const { ids } of byChannel.values()) for (const id of ids) if (id < 0) unassigned++;
  const units: ExportUnit[] = res.units.map((u) => {
    const { ch, ids } = byChannel.get(u.channel)!;
    const idx = Int32Array.from(Array.from(ids).flatMap((id, i) => (id === u.id ? [i] : [])));
    return {
      id: u.id, channel: u.channel, label: 'unsorted' as Label,
      spikes: Float64Array.from(idx, (s) => ch.samples[s]),
      amplitudes: Float32Array.from(idx, (s) => ch.amplitudes[s]),
      meanWaveform: u.meanWaveform, waveforms: gather(Float32Array, ch.waveforms, idx, w),
      features: sameFeat ? gather(Float32Array, ch.features, idx, nFeat) : null,
      metrics: u.metrics,
    };
  });
  const open = source.open ?? {};
  return {
    unassigned,
    result: {
      recording: {
        path: meta.path, format: meta.format, sampleRate: meta.sampleRate, nSamples: meta.nSamples, channels: meta.channels.map((c) => ({ name: c.name, group: c.group })),
        raw: meta.format === 'raw' ? { dtype: open.dtype ?? 'int16', offset: open.offset ?? 0, uvPerBit: commonScale(meta) } : undefined,
      },
      waveform: { pre: res.pre, post: res.post }, featureNames: sameFeat ? Array.from({ length: nFeat }, (_, i) => `PC${i + 1}`) : [], units,
      params, curationJournalLength: 0, inputHash: null, origin: { kind: 'session', path: null, runId: res.run.runId },
      filtered: res.run.stages?.filter ? { dir: res.run.stages.filter.dir } : undefined,
    },
  };
}

/** uV per stored count shared by every channel of a recording (undefined when they differ). */
function commonScale(meta: { channels: ReadonlyArray<{ scale: number }> }): number | undefined {
  const s = meta.channels[0]?.scale;
  return s !== undefined && s > 0 && meta.channels.every((c) => c.scale === s) ? s : undefined;
}

/**
 * `--label-rule`: the units still 'unsorted' get the quality rule's good / mua (shared/quality-rule.ts);
 * labels set in curation are kept. Returns how many units got each label.
 */
export function labelByRule(result: SortedResult): { good: number; mua: number } {
  const n = { good: 0, mua: 0 };
  for (const u of result.units) {
    if (u.label !== 'unsorted') continue;
    u.label = judgeUnit(u.metrics).label;
    n[u.label]++;
  }
  return n;
}
