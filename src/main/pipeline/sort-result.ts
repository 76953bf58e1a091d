// Reads the result of a sort run back from the session cache (for exports, the CLI and tests):
// per channel the spikes, their labels, amplitudes and features, and a flat list of units with
// global ids assigned in channel order, then by label.

import * as fs from 'node:fs';
import { SpikeDeskError } from '../../shared/errors';
import type { RecordingMeta } from '../../shared/recording';
import { readStageOutput } from './stage-runner';
import { channelSpikes, clusterStage, detectStage, featuresStage, metricsStage } from './stages/sort';
import { latestRunWith, readSession, type RunRecord } from './session-store';
import * as path from 'node:path';

export interface ChannelSpikes {
  channel: number;
  samples: Int32Array;
  labels: Int32Array;
  amplitudes: Float32Array;
  /** n x nFeat row-major. */
  features: Float32Array;
  nFeat: number;
  /** n x (pre + post) row-major. */
  waveforms: Float32Array;
  sigma: number;
}

export interface SortedUnit {
  id: number;
  channel: number;
  label: number;
  meanWaveform: Float32Array;
  metrics: Record<string, number | null>;
}

export interface SortResult {
  meta: RecordingMeta;
  run: RunRecord;
  pre: number;
  post: number;
  channels: ChannelSpikes[];
  units: SortedUnit[];
}

function chFile(dir: string, c: number): string {
  return path.join(dir, `ch${String(c).padStart(4, '0')}.bin`);
}

export function loadSortResult(sessionDir: string, runId?: string): SortResult {
  const s = readSession(sessionDir);
  const run = s && (runId ? s.runs.find((r) => r.runId === runId) ?? null : latestRunWith(s, 'metrics', 'sort'));
  if (!s || !run || !run.stages.metrics) {
    throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'no completed sort run in this session', fix: 'run spikedesk sort on the recording first', file: sessionDir });
  }
  const st = run.stages;
  let pre = 0, post = 0;
  const channels: ChannelSpikes[] = [];
  const units: SortedUnit[] = [];
  for (const c of run.channels) {
    if (!fs.existsSync(chFile(st.metrics!.dir, c))) continue; // failed channel
    const det = readStageOutput(detectStage, chFile(st.detect!.dir, c));
    const ft = readStageOutput(featuresStage, chFile(st.features!.dir, c));
    const cl = readStageOutput(clusterStage, chFile(st.cluster!.dir, c));
    const mt = readStageOutput(metricsStage, chFile(st.metrics!.dir, c));
    pre = det.pre;
    post = det.post;
    const w = pre + post;
    // Detections and the hidden spikes peeling found, in one table by time.
    const all = channelSpikes(det, ft, cl);
    channels.push({
      channel: c, samples: all.samples, labels: all.labels, amplitudes: all.amplitudes, features: all.features, nFeat: ft.d,
      waveforms: all.waveforms, sigma: det.sigma,
    });
    for (const u of mt.units) {
      const { label, ...metrics } = u;
      units.push({ id: units.length, channel: c, label, meanWaveform: mt.meanWaveforms.slice(label * w, (label + 1) * w), metrics });
    }
  }
  return { meta: s.meta, run, pre, post, channels, units };
}

/** Global unit id of each spike of a channel (-1 for unassigned spikes). */
export function unitIdsOf(result: SortResult, ch: ChannelSpikes): Int32Array {
  const byLabel = new Map(result.units.filter((u) => u.channel === ch.channel).map((u) => [u.label, u.id]));
  return ch.labels.map((l) => byLabel.get(l) ?? -1);
}
