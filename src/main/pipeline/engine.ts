// The run engine: plans a PipelineSpec against the session cache, runs the missing stages on the
// worker pool (global stages once, then one task per channel), retries a failed task once,
// aggregates progress, supports cancel, and records the run in session.json.

import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { SpikeDeskError, toErrorInfo } from '../../shared/errors';
import { validateSpec, type PipelineSpec } from '../../shared/params';
import type { RunProgress, RunReport } from '../../shared/progress';
import type { RecordingMeta, SourceRef } from '../../shared/recording';
import type { Source } from '../io/source';
import type { Pool } from '../pool/pool';
import { readBundle } from './bundle';
import { removeTempFiles, sessionDirFor, sourceIdentity, sourceKey } from './cache';
import { estimateRun, blockSamplesFor, type RunEstimate } from './estimate';
import { channelFile, globalFile, groupFile, isCached, makePlan, stageOf, type Plan } from './planner';
import { openResultSource } from './result-source';
import { RunProgressTracker, stageWeight } from './run-progress';
import { recordRun, type RunRecord, type StageRecord } from './session-store';
import { isTaskProgress, type ChannelStage, type InjectedFault, type StageName, type TaskResult, type WorkerTask } from './task';

export interface EngineOptions {
  /** Where session folders go when the recording's folder is read-only. */
  fallbackSessionRoot?: string;
  /** Test-only: make tasks fail on a channel (see InjectedFault). */
  injectFault?: InjectedFault;
}

interface ActiveRun {
  runId: string;
  cancelled: boolean;
  slots: Set<number>;
}

type Outcome = { ok: true; result: TaskResult } | { ok: false; reason: string };

export class Engine {
  private runs = new Map<string, ActiveRun>();
  private sessionDirs = new Map<string, string>();

  constructor(private readonly pool: Pool, private readonly opts: EngineOptions = {}) {}

  /** The session folder of a recording (beside it, or the per-user fallback). */
  sessionDir(recordingPath: string): string {
    const abs = path.resolve(recordingPath);
    let d = this.sessionDirs.get(abs);
    if (!d) {
      d = sessionDirFor(abs, this.opts.fallbackSessionRoot);
      this.sessionDirs.set(abs, d);
    }
    return d;
  }

  estimate(spec: PipelineSpec, meta: RecordingMeta): RunEstimate {
    return estimateRun(spec, meta, this.pool.size);
  }

  /** Starts a run; throws BAD_PARAMETER at once for invalid parameters. */
  start(spec: PipelineSpec, source: SourceRef, meta: RecordingMeta, onProgress: (p: RunProgress) => void): { runId: string; done: Promise<RunReport> } {
    spec = validateSpec(spec, { sampleRate: meta.sampleRate, nChannels: meta.channels.length });
    const runId = `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const run: ActiveRun = { runId, cancelled: false, slots: new Set() };
    this.runs.set(runId, run);
    const done = this.execute(run, spec, source, meta, onProgress).finally(() => this.runs.delete(runId));
    return { runId, done };
  }

  /** Stops a run: pending tasks are dropped and busy workers killed (the pool replaces them). */
  cancel(runId: string): void {
    const run = this.runs.get(runId);
    if (!run || run.cancelled) return;
    run.cancelled = true;
    if (run.slots.size) this.pool.killBusy();
  }

  /** Samples of the latest run that produced filtered or corrected channels, or null. */
  resultSource(recordingPath: string, view: 'filtered' | 'corrected'): Source | null {
    return openResultSource(this.sessionDir(recordingPath), view);
  }

  private async execute(run: ActiveRun, spec: PipelineSpec, source: SourceRef, meta: RecordingMeta, onProgress: (p: RunProgress) => void): Promise<RunReport> {
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    const identity = sourceIdentity(source.path);
    const sdir = this.sessionDir(meta.path);
    const plan = makePlan(spec, meta, sourceKey(identity, source), path.join(sdir, 'cache'));
    const totalWeight = plan.phases.reduce((a, ph) => a + (ph.kind === 'global' ? stageWeight(ph.stage)
      : plan.channels.length * ph.stages.reduce((b, s) => b + stageWeight(s), 0)), 0);
    const tracker = new RunProgressTracker(run.runId, plan.channels.length, totalWeight);
    const emit = (): void => onProgress(tracker.snapshot());
    const off = this.pool.onMessage((m) => {
      if (!isTaskProgress(m.data) || m.data.runId !== run.runId) return;
      tracker.message(m.slot, m.pid, m.data.channel, m.data.stage, m.data.fraction, m.data.rssMB);
      emit();
    });
    const stages: Partial<Record<StageName, StageRecord>> = {};
    for (const s of plan.stages) stages[s.name] = { key: s.key, dir: s.dir, executed: 0, cached: 0 };
    const failed = new Map<number, string>();
    const summary: Record<string, unknown> = {};
    const jobs = spec.mode.kind === 'fast' ? Math.max(1, Math.min(spec.mode.jobs, this.pool.size)) : 1;
    const blockSamples = blockSamplesFor(spec.mode, meta);

    const runTask = async (build: (attempt: number) => WorkerTask, channel: number, steps: string[], completesChannel: boolean): Promise<Outcome> => {
      const outputs = outputsOf(build(0));
      let reason = '';
      for (let attempt = 0; attempt < 2; attempt++) {
        if (run.cancelled) return { ok: false, reason: 'cancelled' };
        let slotUsed = -1;
        try {
          const result = await this.pool.run(async (api, slot, pid) => {
            slotUsed = slot;
            if (run.cancelled) throw new SpikeDeskError({ code: 'CANCELLED', message: 'run cancelled' });
            run.slots.add(slot);
            tracker.taskStarted(slot, pid, channel, steps);
            emit();
            return api.runTask(build(attempt));
          });
          run.slots.delete(slotUsed);
          tracker.notePeak(slotUsed, result.peakRssMB);
          tracker.taskEnded(slotUsed, completesChannel);
          emit();
          return { ok: true, result };
        } catch (e) {
          run.slots.delete(slotUsed);
          if (slotUsed >= 0) tracker.taskAborted(slotUsed);
          for (const o of outputs) removeTempFiles(path.dirname(o), [o]);
          reason = toErrorInfo(e).message;
        }
      }
      // A failed task's work will never be done: take it out of the ETA.
      tracker.adjustTotal(-steps.reduce((a, s) => a + stageWeight(s), 0));
      return { ok: false, reason };
    };

    const inject = this.opts.injectFault;
    const finalChannelPhase = plan.phases.map((p) => p.kind).lastIndexOf('channels');
    for (let pi = 0; pi < plan.phases.length && !run.cancelled; pi++) {
      const phase = plan.phases[pi];
      if (phase.kind === 'global') {
        await this.runGlobal(plan, phase.stage, spec, source, meta, blockSamples, run.runId, stages, failed, summary, runTask);
        continue;
      }
      const work: { channel: number; steps: ChannelStage[] }[] = [];
      for (const ch of plan.channels) {
        if (failed.has(ch)) {
          tracker.adjustTotal(-phase.stages.reduce((a, s) => a + stageWeight(s), 0));
          continue;
        }
        const steps = phase.stages.filter((s) => !isCached(channelFile(stageOf(plan, s)!, ch)));
        for (const s of phase.stages) if (!steps.includes(s)) stages[s]!.cached++;
        tracker.adjustTotal(-phase.stages.filter((s) => !steps.includes(s)).reduce((a, s) => a + stageWeight(s), 0));
        if (steps.length) work.push({ channel: ch, steps });
        else if (pi === finalChannelPhase) tracker.channelsDone++;
      }
      await runLimited(work, jobs, async ({ channel, steps }) => {
        const taskFiles: Partial<Record<StageName, string>> = {};
        for (const s of plan.stages) if (!s.global) taskFiles[s.name] = channelFile(s, channel);
        const ref = stageOf(plan, 'reference');
        const gi = plan.groups.findIndex((g) => g.includes(channel));
        if (ref) taskFiles.reference = groupFile(ref, gi);
        const trig = stageOf(plan, 'triggers');
        if (trig) taskFiles.triggers = globalFile(trig);
        const out = await runTask((attempt) => ({
          kind: 'channel', runId: run.runId, source, channel, steps, files: taskFiles,
          filter: spec.workflow === 'filter' ? spec.params : spec.workflow === 'sort' ? spec.params.filter : { lowHz: 0, highHz: 0, order: 1, notchHz: 0, reference: 'none' },
          sort: spec.workflow === 'sort' ? spec.params : undefined,
          correct: spec.workflow === 'correct' ? spec.params : undefined,
          blockSamples, attempt, injectFault: inject,
        }), channel, steps, pi === finalChannelPhase);
        if (out.ok) {
          for (const s of out.result.stagesRun) stages[s]!.executed++;
          if (Object.keys(out.result.summary).length) summary[`ch${channel}`] = out.result.summary;
        } else if (!run.cancelled) {
          failed.set(channel, out.reason);
          if (pi === finalChannelPhase) tracker.channelsDone++;
        }
      }, () => run.cancelled);
    }
    off();
    if (run.cancelled) for (const s of plan.stages) removeTempFiles(s.dir);
    const state: RunReport['state'] = run.cancelled ? 'cancelled'
      : failed.size >= plan.channels.length && plan.channels.length > 0 ? 'failed' : 'done';
    const wallS = (performance.now() - t0) / 1000;
    const report: RunReport = {
      runId: run.runId, workflow: spec.workflow, mode: spec.mode.kind, jobs, wallS,
      peakRssMB: [...tracker.peakRss.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => Math.round(v * 10) / 10),
      stagesRun: plan.stages.filter((s) => stages[s.name]!.executed > 0).map((s) => s.name),
      stagesCached: plan.stages.filter((s) => stages[s.name]!.executed === 0 && stages[s.name]!.cached > 0).map((s) => s.name),
      failed: [...failed.entries()].sort((a, b) => a[0] - b[0]).map(([channel, reason]) => ({ channel, reason })),
      state,
    };
    const record: RunRecord = {
      runId: run.runId, workflow: spec.workflow, mode: spec.mode, startedAt, wallS, state,
      channels: plan.channels, groups: plan.groups, stages, failed: report.failed, summary,
    };
    recordRun(sdir, identity, meta, spec, record);
    onProgress(tracker.snapshot(state));
    return report;
  }

  /** Global stages: the common reference per channel group, or trigger detection and alignment. */
  private async runGlobal(plan: Plan, stage: 'reference' | 'triggers', spec: PipelineSpec, source: SourceRef, meta: RecordingMeta,
    blockSamples: number, runId: string, stages: Partial<Record<StageName, StageRecord>>, failed: Map<number, string>,
    summary: Record<string, unknown>,
    runTask: (build: (attempt: number) => WorkerTask, channel: number, steps: string[], completes: boolean) => Promise<Outcome>): Promise<void> {
    const sp = stageOf(plan, stage)!;
    const rec = stages[stage]!;
    if (stage === 'reference' && spec.workflow === 'sort') {
      const filt = stageOf(plan, 'filter')!;
      for (let gi = 0; gi < plan.groups.length; gi++) {
        const group = plan.groups[gi];
        const out = groupFile(sp, gi);
        const ok = group.filter((c) => !failed.has(c));
        if (isCached(out)) { rec.cached++; continue; }
        if (!ok.length) continue;
        const res = await runTask((attempt) => ({
          kind: 'reference', runId, mode: spec.params.filter.reference === 'cmr' ? 'cmr' : 'car',
          inputs: ok.map((c) => channelFile(filt, c)), nSamples: meta.nSamples, out, blockSamples, attempt,
        }), -1, ['reference'], false);
        if (res.ok) rec.executed++;
        else if (res.reason !== 'cancelled') for (const c of group) if (!failed.has(c)) failed.set(c, `common reference failed: ${res.reason}`);
      }
      return;
    }
    if (stage === 'triggers' && spec.workflow === 'correct') {
      const out = globalFile(sp);
      if (isCached(out)) {
        rec.cached++;
        summary.triggers = readBundle(out).info.summary;
        return;
      }
      const res = await runTask((attempt) => ({ kind: 'triggers', runId, source, params: spec.params, out, attempt }), -1, ['triggers'], false);
      if (res.ok) {
        rec.executed++;
        Object.assign(summary, { triggers: res.result.summary });
      } else if (res.reason !== 'cancelled') for (const c of plan.channels) failed.set(c, `trigger detection failed: ${res.reason}`);
    }
  }
}

/** Files a task writes (their temp files are removed when the task dies). */
function outputsOf(t: WorkerTask): string[] {
  if (t.kind === 'channel') return t.steps.map((s) => t.files[s]).filter((f): f is string => !!f);
  return [t.out];
}

/** Run items with at most `limit` in flight, in order; stop starting new ones once `stop()` is true. */
async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stop()) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
