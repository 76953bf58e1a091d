// Channel-group array tasks for large recordings (Slurm). A large recording's per-channel stages
// are computed by several array tasks, each on one channel group (the recording's own groups, e.g.
// shanks, else consecutive channels), into the shared stage cache; the recording's compute task
// then runs the whole workflow as the local executor does and finds those stages cached. So the
// result is the local run's by construction: the cache key of a stage is the hash of everything
// that determines its bytes, and a piece whose key would differ from the whole run's (a group
// reference over the channels run, a global stage over all of them) is not split at all.

import * as path from 'node:path';
import type { PipelineSpec } from '../../shared/params';
import type { RecordingMeta } from '../../shared/recording';
import { estimateRun } from '../pipeline/estimate';
import { makePlan, planChannels } from '../pipeline/planner';
import type { BatchItem } from './inputs';
import type { BatchJob } from './job';
import { openMeta, specFor } from './recording';

/** One channel-group array task: recording `item` (index in the plan), these channels. */
export interface GroupTask { item: number; name: string; channels: number[] }

/** `auto`: split recordings whose one-CPU compute estimate exceeds LARGE_TASK_S; `off`; or N channels per task. */
export type SplitChannels = 'auto' | 'off' | number;

/**
 * A recording is "large" when one array task would compute it for longer than this (estimate on
 * one CPU). Policy, not a fitted value: ten minutes keeps array tasks within the short partitions
 * many clusters schedule fastest, and above it several nodes finish one recording sooner.
 */
export const LARGE_TASK_S = 600;

/** Channel groups to compute separately: the recording's own groups when it has several, else runs of consecutive channels. */
export function channelGroups(meta: RecordingMeta, channels: number[], perTask: number): number[][] {
  const own = new Map<string, number[]>();
  for (const c of channels) {
    const g = meta.channels[c].group;
    own.set(g, [...(own.get(g) ?? []), c]);
  }
  const groups = own.size > 1 ? [...own.values()] : [channels];
  const out: number[][] = [];
  for (const g of groups) for (let i = 0; i < g.length; i += perTask) out.push(g.slice(i, i + perTask));
  return out;
}

/** True when every per-channel stage of a run on `part` has the cache key of the whole run's (so the pieces are reused). */
export function piecesReusable(spec: PipelineSpec, meta: RecordingMeta, part: number[]): boolean {
  const whole = makePlan(spec, meta, 'source', '/');
  const piece = makePlan({ ...spec, channels: part }, meta, 'source', '/');
  return whole.stages.every((s, i) => s.global || (piece.stages[i]?.name === s.name && piece.stages[i].key === s.key));
}

/** The channel-group tasks of a batch (empty when nothing is split); `log` says what was split and why not. */
export async function planGroupTasks(items: BatchItem[], job: BatchJob, cpus: number, split: SplitChannels, log: (m: string) => void = () => undefined): Promise<GroupTask[]> {
  if (split === 'off') return [];
  const tasks: GroupTask[] = [];
  for (const [index, it] of items.entries()) {
    let meta: RecordingMeta;
    try { meta = await openMeta(it); } catch { continue; } // fails in its own compute task
    const spec = specFor(job, cpus, meta);
    const channels = planChannels(spec, meta);
    let perTask: number;
    if (split === 'auto') {
      const est = estimateRun(specFor(job, 1, meta), meta, 1);
      const s = job.mode.kind === 'fast' ? est.fast.seconds : est.lowMemory.seconds;
      if (s <= LARGE_TASK_S) continue;
      perTask = Math.max(1, Math.ceil(channels.length / Math.ceil(s / LARGE_TASK_S)));
    } else {
      perTask = split;
    }
    const groups = channelGroups(meta, channels, perTask);
    if (groups.length < 2) continue;
    if (!groups.every((g) => piecesReusable(spec, meta, g))) {
      log(`${it.name}: not split into channel groups (a stage of this workflow depends on which channels run together)`);
      continue;
    }
    for (const g of groups) tasks.push({ item: index, name: it.name, channels: g });
    log(`${it.name}: ${groups.length} channel-group tasks (${path.basename(it.path)}, ${channels.length} channels)`);
  }
  return tasks;
}
