// session.json of a recording's session folder: the recording it belongs to, the last parameters
// per workflow and the run history, with the stage keys each run used (how results are found
// again for display and export). Every write is atomic.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionMode, PipelineSpec } from '../../shared/params';
import type { ChannelFailure, RunReport } from '../../shared/progress';
import type { OpenOptions, RecordingMeta } from '../../shared/recording';
import { writeFileAtomicSync, type SourceIdentity } from './cache';
import { withLockSync } from '../session/file-lock';

export interface StageRecord {
  key: string;
  dir: string;
  /** Channel (or global) tasks that computed this stage in the run. */
  executed: number;
  /** Channels whose result was already in the cache. */
  cached: number;
}

export interface RunRecord {
  runId: string;
  workflow: PipelineSpec['workflow'];
  mode: ExecutionMode;
  startedAt: string;
  wallS: number;
  state: RunReport['state'];
  channels: number[];
  groups: number[][];
  stages: Record<string, StageRecord | undefined>;
  failed: ChannelFailure[];
  summary: Record<string, unknown>;
  /** Task attempts retried after a failure (0 when every task succeeded first time). */
  retries?: number;
  /** Set on the copy of an older sort's record that made it current again: the kept version it was reopened from. */
  restoredFrom?: string;
}

export interface SessionFile {
  version: 1;
  identity: SourceIdentity;
  meta: RecordingMeta;
  /** How the recording was opened (raw layout: dtype, header offset...), for exports that point at it. */
  open?: OpenOptions;
  params: Partial<Record<PipelineSpec['workflow'], unknown>>;
  runs: RunRecord[];
}

const MAX_RUNS = 200;

export function sessionPath(sessionDir: string): string {
  return path.join(sessionDir, 'session.json');
}

export function readSession(sessionDir: string): SessionFile | null {
  try {
    const s = JSON.parse(fs.readFileSync(sessionPath(sessionDir), 'utf8')) as SessionFile;
    return s.version === 1 && Array.isArray(s.runs) ? s : null;
  } catch {
    return null;
  }
}

/** Append a run (and the spec's parameters) to session.json. */
export function recordRun(sessionDir: string, identity: SourceIdentity, meta: RecordingMeta, spec: PipelineSpec, run: RunRecord, open?: OpenOptions): void {
  // Read-modify-write under a lock file: two runs finishing together (two processes, or two runs in
  // one) must both be recorded, never one overwriting the other's record.
  withLockSync(`${sessionPath(sessionDir)}.lock`, `recording run ${run.runId}`, () => recordRunLocked(sessionDir, identity, meta, spec, run, open));
}

function recordRunLocked(sessionDir: string, identity: SourceIdentity, meta: RecordingMeta, spec: PipelineSpec, run: RunRecord, open?: OpenOptions): void {
  const prev = readSession(sessionDir);
  const s: SessionFile = prev ?? { version: 1, identity, meta, params: {}, runs: [] };
  s.identity = identity;
  s.meta = meta;
  if (open) s.open = open;
  s.params[spec.workflow] = spec.params;
  s.runs.push(run);
  if (s.runs.length > MAX_RUNS) s.runs = s.runs.slice(-MAX_RUNS);
  writeFileAtomicSync(sessionPath(sessionDir), `${JSON.stringify(s, null, 1)}\n`);
}

/**
 * Make an older run current again (a kept sort version reopened): a copy of its record, stamped
 * with the time and the version, is appended to the run history, under the same lock as recordRun.
 * Its results are the cached ones the run wrote (same stage keys), so nothing is recomputed.
 */
export function recordRestore(sessionDir: string, runId: string, version: string, now = new Date()): RunRecord {
  return withLockSync(`${sessionPath(sessionDir)}.lock`, `reopening run ${runId}`, () => {
    const s = readSession(sessionDir);
    const old = s?.runs.find((r) => r.runId === runId);
    if (!s || !old) throw new Error(`run ${runId} is not in the session`);
    const copy: RunRecord = { ...old, startedAt: now.toISOString(), restoredFrom: version };
    s.runs.push(copy);
    if (s.runs.length > MAX_RUNS) s.runs = s.runs.slice(-MAX_RUNS);
    writeFileAtomicSync(sessionPath(sessionDir), `${JSON.stringify(s, null, 1)}\n`);
    return copy;
  });
}

/** The latest run that produced results for one of the stages (complete or partial, never cancelled). */
export function latestRunWith(s: SessionFile, stage: string | string[], workflow?: PipelineSpec['workflow'] | PipelineSpec['workflow'][]): RunRecord | null {
  const names = Array.isArray(stage) ? stage : [stage];
  const workflows = workflow === undefined ? null : Array.isArray(workflow) ? workflow : [workflow];
  for (let i = s.runs.length - 1; i >= 0; i--) {
    const r = s.runs[i];
    if (r.state === 'cancelled' || !names.some((n) => r.stages[n])) continue;
    if (workflows && !workflows.includes(r.workflow)) continue;
    return r;
  }
  return null;
}
