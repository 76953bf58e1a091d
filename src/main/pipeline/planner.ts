// The planner: turns a PipelineSpec into stages keyed by content hashes and phases of work.
// A stage's key covers its parameters, the keys of everything upstream and the source identity,
// so a stage whose key is already in the cache is skipped, per channel.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import type { PipelineSpec } from '../../shared/params';
import type { RecordingMeta } from '../../shared/recording';
import { hashOf } from './cache';
import type { ChannelStage, GlobalStage, StageName } from './task';

export interface StagePlan {
  name: StageName;
  key: string;
  /** Folder of this stage's cache entries: cache/<name>-<key>/. */
  dir: string;
  global: boolean;
}

export type Phase =
  | { kind: 'channels'; stages: ChannelStage[] }
  | { kind: 'global'; stage: GlobalStage };

export interface Plan {
  workflow: PipelineSpec['workflow'];
  channels: number[];
  stages: StagePlan[];
  phases: Phase[];
  /** Channel groups for the common reference (indices into the recording's channels). */
  groups: number[][];
}

const EXT: Record<StageName, string> = {
  filter: 'f32', correct: 'f32', detect: 'bin', features: 'bin', cluster: 'bin', metrics: 'bin',
  reference: 'f32', triggers: 'bin',
};

export function channelFile(stage: StagePlan, channel: number): string {
  return path.join(stage.dir, `ch${String(channel).padStart(4, '0')}.${EXT[stage.name]}`);
}

export function groupFile(stage: StagePlan, group: number): string {
  return path.join(stage.dir, `g${String(group).padStart(3, '0')}.${EXT[stage.name]}`);
}

export function globalFile(stage: StagePlan): string {
  return path.join(stage.dir, `global.${EXT[stage.name]}`);
}

export function isCached(file: string): boolean {
  return fs.existsSync(file);
}

/** Names of trigger/status channels in formats that have no channel kind (BrainVision, EDF). */
const STIM_NAME = /^(sti|stim|status|trig|trigger)\d*$/i;

/** Channels a spec runs on: the requested ones, else every data channel (stim channels are not sorted or corrected). */
export function planChannels(spec: PipelineSpec, meta: RecordingMeta): number[] {
  if (spec.channels?.length) return [...new Set(spec.channels)].sort((a, b) => a - b);
  return meta.channels.map((c, i) => (c.kind === 'ephys' && !STIM_NAME.test(c.name) ? i : -1)).filter((i) => i >= 0);
}

function groupsOf(meta: RecordingMeta, channels: number[]): number[][] {
  const by = new Map<string, number[]>();
  for (const c of channels) {
    const g = meta.channels[c].group;
    if (!by.has(g)) by.set(g, []);
    by.get(g)!.push(c);
  }
  return [...by.values()];
}

/**
 * A common reference (mean or median over a channel group) of a group with one channel is that
 * channel itself: subtracting it zeroes the channel and every later stage fails. Refused up front.
 */
export function checkReference(spec: PipelineSpec, meta: RecordingMeta): void {
  if (spec.workflow !== 'sort' || spec.params.filter.reference === 'none') return;
  const ref = spec.params.filter.reference.toUpperCase();
  for (const g of groupsOf(meta, planChannels(spec, meta))) {
    if (g.length >= 2) continue;
    throw new SpikeDeskError({
      code: 'BAD_PARAMETER',
      message: `a common ${ref} reference needs at least 2 channels per group, but group "${meta.channels[g[0]].group}" has only channel ${meta.channels[g[0]].name}: subtracting its own ${ref === 'CMR' ? 'median' : 'mean'} would zero it`,
      fix: 'set the reference to none for single-channel recordings, or sort more channels of the group',
    });
  }
}

export function makePlan(spec: PipelineSpec, meta: RecordingMeta, sourceKey: string, cacheDir: string): Plan {
  const channels = planChannels(spec, meta);
  const stages: StagePlan[] = [];
  const add = (name: StageName, global: boolean, ...parts: unknown[]): StagePlan => {
    const key = hashOf(name, ...parts);
    const s = { name, key, dir: path.join(cacheDir, `${name}-${key}`), global };
    stages.push(s);
    return s;
  };
  const fs_ = meta.sampleRate;
  const n = meta.nSamples;
  if (spec.workflow === 'filter' || spec.workflow === 'sort') {
    const fp = spec.workflow === 'filter' ? spec.params : spec.params.filter;
    // The reference is its own stage, so the filter key ignores it.
    const f = add('filter', false, sourceKey, fs_, n, { ...fp, reference: 'none' });
    if (spec.workflow === 'filter') {
      return { workflow: spec.workflow, channels, stages, phases: [{ kind: 'channels', stages: ['filter'] }], groups: [] };
    }
    const groups = groupsOf(meta, channels);
    const phases: Phase[] = [{ kind: 'channels', stages: ['filter'] }];
    let upstream = f.key;
    if (fp.reference !== 'none') {
      upstream = add('reference', true, f.key, fp.reference, groups).key;
      phases.push({ kind: 'global', stage: 'reference' });
    }
    const p = spec.params;
    const d = add('detect', false, upstream, p.detect);
    const ft = add('features', false, d.key, p.features);
    const c = add('cluster', false, ft.key, p.cluster);
    add('metrics', false, c.key);
    phases.push({ kind: 'channels', stages: ['detect', 'features', 'cluster', 'metrics'] });
    return { workflow: 'sort', channels, stages, phases, groups };
  }
  const p = spec.params;
  const t = add('triggers', true, sourceKey, fs_, n, p.triggers, p.upsample, p.align, p.alignChannel, p.window, p.farm);
  add('correct', false, t.key, p);
  return {
    workflow: 'correct', channels, stages,
    phases: [{ kind: 'global', stage: 'triggers' }, { kind: 'channels', stages: ['correct'] }], groups: [],
  };
}

export function stageOf(plan: Plan, name: StageName): StagePlan | undefined {
  return plan.stages.find((s) => s.name === name);
}
