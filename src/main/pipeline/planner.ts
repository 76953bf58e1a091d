// The planner: turns a PipelineSpec into stages keyed by content hashes and phases of work, from
// the workflow's list of stage descriptors (workflows.ts) - it has no per-workflow branches.
// A stage's key covers its name, its own cache version, its parameter slice, the keys of its
// inputs and (for stages that read the recording) the source identity, so a stage whose key is
// already in the cache is skipped, per channel, and a changed layout invalidates only that stage
// and what depends on it.

import * as path from 'node:path';
import type { PipelineSpec } from '../../shared/params';
import type { RecordingMeta } from '../../shared/recording';
import { hashOf, verifyOutput } from './cache';
import { fileExt, isPerChannel, type AnyStage } from './stage';
import { workflowOf } from './workflows';

export interface StagePlan {
  name: string;
  key: string;
  /** Folder of this stage's cache entries: cache/<name>-<key>/. */
  dir: string;
  scope: AnyStage['scope'];
  /** True for group and global stages (computed once, read by every channel task). */
  global: boolean;
  stage: AnyStage;
  params: unknown;
  /** Upstream stages present in this plan. */
  inputs: string[];
}

export type Phase =
  /** ordered: its first stage has a taskCost, so its tasks run longest first. */
  | { kind: 'channels'; stages: string[]; ordered?: true }
  | { kind: 'global'; stage: string };

export interface Plan {
  workflow: PipelineSpec['workflow'];
  channels: number[];
  stages: StagePlan[];
  phases: Phase[];
  /** Channel groups (indices into the recording's channels), for group-scoped stages. */
  groups: number[][];
}

export function channelFile(stage: StagePlan, channel: number): string {
  return path.join(stage.dir, `ch${String(channel).padStart(4, '0')}.${fileExt(stage.stage)}`);
}

export function groupFile(stage: StagePlan, group: number): string {
  return path.join(stage.dir, `g${String(group).padStart(3, '0')}.${fileExt(stage.stage)}`);
}

export function globalFile(stage: StagePlan): string {
  return path.join(stage.dir, `global.${fileExt(stage.stage)}`);
}

/** The file of `stage` a task of `channel` reads or writes (its own, its group's or the global one). */
export function fileFor(plan: Plan, stage: StagePlan, channel: number): string {
  if (stage.scope === 'global') return globalFile(stage);
  if (stage.scope === 'group') return groupFile(stage, plan.groups.findIndex((g) => g.includes(channel)));
  return channelFile(stage, channel);
}

/** A cache output is reused only when its size and sha256 match its completion record. */
export function isCached(file: string): boolean {
  return verifyOutput(file);
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

/** The workflow's enabled steps with their parameter slices, in order. */
function plannedSteps(spec: PipelineSpec): { stage: AnyStage; params: unknown; splits: boolean }[] {
  return workflowOf(spec).steps.filter((st) => !st.enabled || st.enabled(spec.params)).map((st) => ({ stage: st.stage, params: st.params(spec.params), splits: !!st.split }));
}

/**
 * Runs every planned stage's validate hook (stage.ts) on its own parameter slice: checks that need
 * the recording and the channels, before any work starts. No workflow is named here.
 */
export function validateStages(spec: PipelineSpec, meta: RecordingMeta): void {
  const channels = planChannels(spec, meta);
  const ctx = { meta, channels, groups: groupsOf(meta, channels) };
  for (const { stage, params } of plannedSteps(spec)) stage.validate?.(params, ctx);
}

export function makePlan(spec: PipelineSpec, meta: RecordingMeta, sourceKey: string, cacheDir: string): Plan {
  const channels = planChannels(spec, meta);
  const groups = groupsOf(meta, channels);
  const stages: StagePlan[] = [];
  const phases: Phase[] = [];
  for (const st of plannedSteps(spec)) {
    const d = st.stage;
    const inputs: string[] = [];
    const inputKeys: string[] = [];
    for (const i of d.inputs) {
      const up = stages.find((s) => s.name === i.stage);
      if (!up) {
        if (i.optional) continue;
        throw new Error(`stage ${d.name} needs ${i.stage}, which the ${spec.workflow} workflow does not plan before it`);
      }
      inputs.push(up.name);
      inputKeys.push(up.key);
    }
    const params = st.params;
    const key = hashOf(d.name, d.version, params, inputKeys,
      d.readsSource ? [sourceKey, meta.sampleRate, meta.nSamples] : null, d.scope === 'group' ? groups : null);
    const global = !isPerChannel(d);
    stages.push({ name: d.name, key, dir: path.join(cacheDir, `${d.name}-${key}`), scope: d.scope, global, stage: d, params, inputs });
    const last = phases.at(-1);
    if (global) phases.push({ kind: 'global', stage: d.name });
    else if (d.taskCost) phases.push({ kind: 'channels', stages: [d.name], ordered: true });
    // A step that can split a channel's work (tf's frequency batches) must be first in its phase.
    else if (st.splits) phases.push({ kind: 'channels', stages: [d.name] });
    else if (last?.kind === 'channels') last.stages.push(d.name);
    else phases.push({ kind: 'channels', stages: [d.name] });
  }
  return { workflow: spec.workflow, channels, stages, phases, groups };
}

export function stageOf(plan: Plan, name: string): StagePlan | undefined {
  return plan.stages.find((s) => s.name === name);
}
