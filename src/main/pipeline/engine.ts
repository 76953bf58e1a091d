// The run engine: plans a PipelineSpec against the session cache (planner.ts, from the workflow's
// stage descriptors), submits the missing stages to an Executor (group/global stages once, then one
// task per channel), retries a failed task once, aggregates progress, cancels one run without
// touching others, and records the run in session.json.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toErrorInfo, type ErrorCode } from '../../shared/errors';
import { validateSpec, type PipelineSpec } from '../../shared/params';
import type { ChannelFailure, RunProgress, RunReport } from '../../shared/progress';
import type { RecordingMeta, SourceRef } from '../../shared/recording';
import type { Source } from '../io/source';
import { Pool } from '../pool/pool';
import { completionPath, looksCached, removeOrphanTemps, removeTempFiles, sessionDirFor, sourceIdentity, sourceKey } from './cache';
import { estimateRun, blockSamplesFor, type RunEstimate } from './estimate';
import type { Executor, ResourceNeeds } from './executor';
import { channelFile, fileFor, globalFile, groupFile, isCached, makePlan, stageOf, validateStages, type Plan, type StagePlan } from './planner';
import { PoolExecutor } from './pool-executor';
import { openResultSource } from './result-source';
import { RunProgressTracker } from './run-progress';
import { recordRun, type RunRecord, type StageRecord } from './session-store';
import { readStageOutput } from './stage-runner';
import { writeBundle } from './bundle';
import { workflowOf } from './workflows';
import { outputsOf, type InjectedFault, type TaskResult, type WorkerTask } from './task';
import { nowMs, type RunTrace } from './trace';
import { PriorityLanes, readBatch, runLimited } from './lanes';

export { readBatch };

export interface EngineOptions {
  /** Where session folders go when the recording's folder is read-only. */
  fallbackSessionRoot?: string;
  /** Test-only: make tasks fail on a channel (see InjectedFault). */
  injectFault?: InjectedFault;
  /** Channels per fast-mode batch (default readBatch(): from the channel and worker counts). */
  readBatch?: number;
  /** Records the run's timeline (tasks per worker, their stages, main-process phases): trace.ts. */
  trace?: RunTrace;
}

interface ActiveRun {
  runId: string;
  cancelled: boolean;
}

type Outcome = { ok: true; result: TaskResult; slot: number } | { ok: false; reason: string; fix?: string; code?: ErrorCode };

/** Queue priority of a phase's first tasks: before any cost-ordered task of the next phase. */
const FIRST = Number.MAX_VALUE;

export class Engine {
  private runs = new Map<string, ActiveRun>();
  private sessionDirs = new Map<string, string>();
  readonly executor: Executor;

  /** A Pool is wrapped in a PoolExecutor (the local default). */
  constructor(executor: Executor | Pool, private readonly opts: EngineOptions = {}) {
    this.executor = executor instanceof Pool ? new PoolExecutor(executor) : executor;
  }

  /** The session folder of a recording (beside it, or the per-user fallback). */
  sessionDir(recordingPath: string): string {
    const abs = path.resolve(recordingPath);
    let d = this.sessionDirs.get(abs);
    if (!d) {
      d = sessionDirFor(abs, this.opts.fallbackSessionRoot);
      this.sessionDirs.set(abs, d);
      // First use of the session in this process: temp files of crashed writers are garbage.
      removeOrphanTemps(d);
    }
    return d;
  }

  estimate(spec: PipelineSpec, meta: RecordingMeta): RunEstimate {
    return estimateRun(spec, meta, this.executor.slots);
  }

  /** Starts a run; throws BAD_PARAMETER at once for invalid parameters. */
  start(spec: PipelineSpec, source: SourceRef, meta: RecordingMeta, onProgress: (p: RunProgress) => void): { runId: string; done: Promise<RunReport> } {
    spec = validateSpec(spec, { sampleRate: meta.sampleRate, nChannels: meta.channels.length });
    validateStages(spec, meta);
    const runId = `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const run: ActiveRun = { runId, cancelled: false };
    this.runs.set(runId, run);
    const done = this.execute(run, spec, source, meta, onProgress).finally(() => this.runs.delete(runId));
    return { runId, done };
  }

  /** Stops one run: its pending tasks are dropped and its running tasks stopped; other runs continue. */
  cancel(runId: string): void {
    const run = this.runs.get(runId);
    if (!run || run.cancelled) return;
    run.cancelled = true;
    this.executor.cancel(runId);
  }

  /**
   * What of a run the cache already holds, before it starts: the share of its work (stage weights
   * over channels, global stages once) whose outputs are there, and the stages cached for every
   * channel. A cheap look (completion records and sizes); the run still verifies every entry.
   */
  cachePreview(spec: PipelineSpec, source: SourceRef, meta: RecordingMeta): { share: number; stages: string[] } {
    const plan = makePlan(spec, meta, sourceKey(sourceIdentity(source.path), source), path.join(this.sessionDir(meta.path), 'cache'));
    let total = 0, cached = 0;
    const stages: string[] = [];
    for (const s of plan.stages) {
      const w = s.stage.weight ?? 1;
      const files = s.global ? [fileFor(plan, s, plan.channels[0] ?? 0)] : plan.channels.map((ch) => channelFile(s, ch));
      const n = files.filter(looksCached).length;
      total += w * files.length;
      cached += w * n;
      if (files.length && n === files.length) stages.push(s.name);
    }
    return { share: total > 0 ? cached / total : 0, stages };
  }

  /** Samples of the latest run that produced filtered or corrected channels, or null. */
  resultSource(recordingPath: string, view: 'filtered' | 'corrected'): Source | null {
    return openResultSource(this.sessionDir(recordingPath), view);
  }

  private async execute(run: ActiveRun, spec: PipelineSpec, source: SourceRef, meta: RecordingMeta, onProgress: (p: RunProgress) => void): Promise<RunReport> {
    const t0 = performance.now();
    const trace = this.opts.trace;
    const endPlan = trace?.begin('plan');
    const startedAt = new Date().toISOString();
    const identity = sourceIdentity(source.path);
    const sdir = this.sessionDir(meta.path);
    const plan = makePlan(spec, meta, sourceKey(identity, source), path.join(sdir, 'cache'));
    const weightOf = (name: string): number => stageOf(plan, name)?.stage.weight ?? 1;
    const totalWeight = plan.phases.reduce((a, ph) => a + (ph.kind === 'global' ? weightOf(ph.stage)
      : plan.channels.length * ph.stages.reduce((b, s) => b + weightOf(s), 0)), 0);
    const rssScope = this.executor.rssScope ?? 'process';
    const tracker = new RunProgressTracker(run.runId, plan.channels.length, totalWeight, weightOf, rssScope);
    const emit = (): void => onProgress(tracker.snapshot());
    const off = this.executor.onProgress(({ slot, pid, message: m }) => {
      if (m.runId !== run.runId) return;
      tracker.message(slot, pid, m.channel, m.stage, m.fraction, m.rssMB);
      emit();
    });
    const stages: Record<string, StageRecord> = {};
    for (const s of plan.stages) stages[s.name] = { key: s.key, dir: s.dir, executed: 0, cached: 0 };
    const failed = new Map<number, ChannelFailure>();
    /** A channel task failed for good: its first failure is the one reported, and the progress counts it. */
    const fail = (channel: number, out: { reason: string; fix?: string; code?: ChannelFailure['code'] }, completes: boolean): void => {
      if (failed.has(channel)) return;
      failed.set(channel, { channel, reason: out.reason, fix: out.fix, code: out.code });
      tracker.channelFailed(channel);
      if (completes) tracker.channelsDone++;
    };
    const summary: Record<string, unknown> = {};
    const jobs = spec.mode.kind === 'fast' ? Math.max(1, Math.min(spec.mode.jobs, this.executor.slots)) : 1;
    const blockSamples = blockSamplesFor(spec.mode, meta);
    const est = estimateRun(spec, meta, this.executor.slots);
    const followed = plan.phases.some((p) => p.kind === 'channels' && p.ordered);
    const ahead = spec.mode.kind === 'fast' ? ((this.opts.readBatch ?? readBatch(plan.channels.length, jobs, meta.nSamples, followed)) - 1) * meta.nSamples * 4 / 1048576 : 0;
    const needs: ResourceNeeds = spec.mode.kind === 'fast'
      ? { memoryMB: est.fast.peakMB / jobs + ahead, cpus: 1 } : { memoryMB: est.lowMemory.peakMB, cpus: 1 };
    let retries = 0;
    endPlan?.();

    const runTask = async (build: (attempt: number) => WorkerTask, channel: number, steps: string[], completesChannel: boolean, prefer?: number): Promise<Outcome> => {
      const outputs = outputsOf(build(0));
      let reason = '', fix: string | undefined, code: ErrorCode | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        if (run.cancelled) return { ok: false, reason: 'cancelled' };
        if (attempt > 0) retries++;
        let slotUsed = -1;
        let started = 0;
        try {
          const task = build(attempt);
          if (trace) task.trace = true;
          const result = await this.executor.submit(task, {
            needs,
            prefer: prefer !== undefined && prefer >= 0 ? prefer : undefined,
            onStart: (slot, pid) => {
              slotUsed = slot;
              started = nowMs();
              tracker.taskStarted(slot, pid, channel, steps);
              emit();
            },
          });
          trace?.addTask(slotUsed, channel >= 0 ? 'task' : `task ${steps[0]}`, started, nowMs(), channel, result.trace);
          tracker.notePeak(slotUsed, result.peakRssMB);
          tracker.taskEnded(slotUsed, completesChannel);
          emit();
          return { ok: true, result, slot: slotUsed };
        } catch (e) {
          if (slotUsed >= 0) tracker.taskAborted(slotUsed, run.cancelled);
          for (const o of outputs) removeTempFiles(path.dirname(o), [o]);
          const info = toErrorInfo(e);
          reason = info.message;
          fix = info.fix || undefined;
          code = info.code;
        }
      }
      // A failed task's work will never be done: take it out of the ETA.
      tracker.adjustTotal(-steps.reduce((a, s) => a + weightOf(s), 0));
      return { ok: false, reason, fix, code };
    };

    const inject = this.opts.injectFault;
    /** The stages of `names` a channel still needs (the cached ones counted and taken out of the ETA). */
    const scanChannel = (names: string[], ch: number, final: boolean): { channel: number; steps: string[] }[] => {
      const steps = names.filter((s) => !isCached(channelFile(stageOf(plan, s)!, ch)));
      for (const s of names) if (!steps.includes(s)) stages[s].cached++;
      tracker.adjustTotal(-names.filter((s) => !steps.includes(s)).reduce((a, s) => a + weightOf(s), 0));
      if (steps.length) return [{ channel: ch, steps }];
      if (final) tracker.channelsDone++;
      return [];
    };
    const scanPhase = (names: string[], pi: number): { channel: number; steps: string[] }[] => plan.channels.flatMap((ch) => {
      if (!failed.has(ch)) return scanChannel(names, ch, pi === finalChannelPhase);
      tracker.adjustTotal(-names.reduce((a, s) => a + weightOf(s), 0));
      return [];
    });
    /** A taskCost stage's estimate for a channel, from its summary so far (unknown: first). */
    const costOf = (name: string, ch: number): number => {
      const c = stageOf(plan, name)?.stage.taskCost?.((summary[`ch${ch}`] ?? {}) as Record<string, unknown>);
      return c !== undefined && Number.isFinite(c) ? Math.min(c, FIRST / 2) : FIRST / 2;
    };
    const finalChannelPhase = plan.phases.map((p) => p.kind).lastIndexOf('channels');
    for (let pi = 0; pi < plan.phases.length && !run.cancelled; pi++) {
      const phase = plan.phases[pi];
      if (phase.kind === 'global') {
        await this.runGlobal(plan, stageOf(plan, phase.stage)!, source, blockSamples, run.runId, stages, failed, summary, runTask);
        for (const c of failed.keys()) tracker.channelFailed(c);
        continue;
      }
      const last = pi === finalChannelPhase;
      const next = plan.phases[pi + 1];
      // A following phase whose tasks run longest first (taskCost) is pipelined with this one: a
      // channel's next task is queued as soon as its task here is done, by its cost estimate.
      const then = next?.kind === 'channels' && next.ordered && !phase.ordered ? { index: pi + 1, stages: next.stages } : null;
      const endScan = trace?.begin('scan cache');
      const work = scanPhase(phase.stages, pi);
      endScan?.();
      const runSteps = async (channel: number, steps: string[], completes: boolean, prefetch?: number[], prefer?: number): Promise<number> => {
        const files: Record<string, string> = {};
        for (const s of plan.stages) files[s.name] = fileFor(plan, s, channel);
        const params: Record<string, unknown> = {};
        for (const s of steps) params[s] = stageOf(plan, s)!.params;
        const out = await runTask((attempt) => ({
          kind: 'channel', runId: run.runId, source, channel, steps, params, files, blockSamples, prefetch, attempt, injectFault: inject,
        }), channel, steps, completes, prefer);
        if (out.ok) {
          for (const s of out.result.stagesRun) stages[s].executed++;
          if (Object.keys(out.result.summary).length) summary[`ch${channel}`] = { ...(summary[`ch${channel}`] as object | undefined), ...out.result.summary };
          return out.slot;
        }
        if (!run.cancelled) fail(channel, out, completes);
        return -1;
      };
      const split = splitPlan(spec, plan, phase.stages[0], work, meta, jobs);
      if (!split) {
        const lanes = new PriorityLanes();
        // Each lane keeps to one worker, which holds the raw channels its batch decoded ahead.
        const laneSlot: number[] = [];
        const queueNext = (ch: number): void => {
          if (!then || run.cancelled) return;
          if (failed.has(ch)) { tracker.adjustTotal(-then.stages.reduce((a, x) => a + weightOf(x), 0)); return; }
          for (const w of scanChannel(then.stages, ch, then.index === finalChannelPhase)) {
            lanes.add(costOf(then.stages[0], w.channel), async (lane) => { laneSlot[lane] = await runSteps(w.channel, w.steps, then.index === finalChannelPhase, undefined, laneSlot[lane]); });
          }
        };
        const ordered = phase.ordered ? [...work].sort((a, b) => costOf(phase.stages[0], b.channel) - costOf(phase.stages[0], a.channel)) : work;
        // Fast mode: consecutive channels in batches run one after another on a lane, the first
        // decoding the batch's raw channels in one pass over the file (ChannelTask.prefetch).
        const b = blockSamples === 0 && !phase.ordered ? this.opts.readBatch ?? readBatch(work.length, jobs, meta.nSamples, then !== null) : 1;
        for (let i = 0; i < ordered.length; i += b) {
          const batch = ordered.slice(i, i + b);
          lanes.add(phase.ordered ? costOf(phase.stages[0], batch[0].channel) : FIRST, async (lane) => {
            for (const [k, { channel, steps }] of batch.entries()) {
              if (run.cancelled) return;
              laneSlot[lane] = await runSteps(channel, steps, last, k === 0 && batch.length > 1 ? batch.slice(1).map((w) => w.channel) : undefined, laneSlot[lane]);
              queueNext(channel);
            }
          });
        }
        // Channels with nothing to do here go straight to the next phase.
        if (then) for (const ch of plan.channels) if (!work.some((w) => w.channel === ch)) queueNext(ch);
        await lanes.drain(jobs, () => run.cancelled);
        if (then) pi++;
        continue;
      }
      // A split first stage: one task per (channel, part), joined in main when a channel's parts are
      // all done; the channel's later stages then run as one task reading the joined entry.
      const first = split.stage;
      tracker.adjustTotal(split.splitChannels * (split.parts.length - 1) * weightOf(first.name));
      const left = new Map<number, number>();
      const units = work.flatMap((w) => {
        if (w.steps[0] !== first.name) return [{ ...w, part: -1 }];
        left.set(w.channel, split.parts.length);
        return split.parts.map((_, part) => ({ ...w, part }));
      });
      await runLimited(units, jobs, async ({ channel, steps, part }) => {
        if (part < 0) { await runSteps(channel, steps, last); return; }
        if (failed.has(channel)) return;
        const whole = channelFile(first, channel);
        const files: Record<string, string> = {};
        for (const s of plan.stages) files[s.name] = fileFor(plan, s, channel);
        files[first.name] = partFile(whole, part, split.parts.length);
        const out = await runTask((attempt) => ({
          kind: 'channel', runId: run.runId, source, channel, steps: [first.name], params: { [first.name]: split.parts[part] }, files, blockSamples, attempt, injectFault: inject,
        }), channel, [first.name], false);
        if (!out.ok) {
          if (!run.cancelled) fail(channel, out, last);
          return;
        }
        const n = left.get(channel)! - 1;
        left.set(channel, n);
        if (n > 0 || failed.has(channel)) return;
        if (trace) trace.time('join', () => joinParts(first, whole, split.parts.length));
        else joinParts(first, whole, split.parts.length);
        stages[first.name].executed++;
        if (steps.length > 1) await runSteps(channel, steps.slice(1), last);
        else if (last) tracker.channelsDone++;
      }, () => run.cancelled);
      if (failed.size || run.cancelled) for (const w of work) for (let k = 0; k < split.parts.length; k++) removePart(partFile(channelFile(first, w.channel), k, split.parts.length));
    }
    off();
    if (run.cancelled) for (const s of plan.stages) removeTempFiles(s.dir);
    const state: RunReport['state'] = run.cancelled ? 'cancelled'
      : failed.size >= plan.channels.length && plan.channels.length > 0 ? 'failed' : 'done';
    const wallS = (performance.now() - t0) / 1000;
    const report: RunReport = {
      runId: run.runId, workflow: spec.workflow, mode: spec.mode.kind, jobs, wallS,
      peakRssMB: [...tracker.peakRss.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => Math.round(v * 10) / 10),
      rssScope,
      stagesRun: plan.stages.filter((s) => stages[s.name].executed > 0).map((s) => s.name),
      stagesCached: plan.stages.filter((s) => stages[s.name].executed === 0 && stages[s.name].cached > 0).map((s) => s.name),
      failed: [...failed.values()].sort((a, b) => a.channel - b.channel).map((f) => (f.fix ? f : { channel: f.channel, reason: f.reason })),
      state,
    };
    const record: RunRecord = {
      runId: run.runId, workflow: spec.workflow, mode: spec.mode, startedAt, wallS, state,
      channels: plan.channels, groups: plan.groups, stages, failed: report.failed, summary, retries,
    };
    if (trace) trace.time('record run', () => recordRun(sdir, identity, meta, spec, record, source.open));
    else recordRun(sdir, identity, meta, spec, record, source.open);
    onProgress(tracker.snapshot(state));
    return report;
  }

  /** A group stage (once per channel group) or a global stage (once per run). */
  private async runGlobal(plan: Plan, sp: StagePlan, source: SourceRef, blockSamples: number, runId: string,
    stages: Record<string, StageRecord>, failed: Map<number, ChannelFailure>, summary: Record<string, unknown>,
    runTask: (build: (attempt: number) => WorkerTask, channel: number, steps: string[], completes: boolean) => Promise<Outcome>): Promise<void> {
    const rec = stages[sp.name];
    const units = sp.scope === 'group'
      ? plan.groups.map((g, gi) => ({ channels: g, out: groupFile(sp, gi) }))
      : [{ channels: plan.channels, out: globalFile(sp) }];
    for (const u of units) {
      const ok = u.channels.filter((c) => !failed.has(c));
      if (isCached(u.out)) {
        rec.cached++;
        if (sp.scope === 'global' && sp.stage.summarize && sp.stage.output.kind === 'bundle') summary[sp.name] = sp.stage.summarize(readStageOutput(sp.stage, u.out));
        continue;
      }
      if (!ok.length) continue;
      const inputs: Record<string, string[]> = {};
      for (const i of sp.inputs) inputs[i] = ok.map((c) => fileFor(plan, stageOf(plan, i)!, c));
      const res = await runTask((attempt) => ({
        kind: 'global', runId, source, stage: sp.name, params: sp.params, channels: ok, inputs, out: u.out,
        blockSamples: blockSamples > 0 ? blockSamples : 1 << 18, attempt,
      }), -1, [sp.name], false);
      if (res.ok) {
        rec.executed++;
        if (Object.keys(res.result.summary).length) summary[sp.name] = res.result.summary;
      } else if (res.reason !== 'cancelled') {
        for (const c of u.channels) if (!failed.has(c)) failed.set(c, { channel: c, reason: `${sp.name} failed: ${res.reason}`, fix: res.fix, code: res.code });
      }
    }
  }
}

/** File of part k of n of a split channel's stage entry (removed once joined). */
function partFile(whole: string, k: number, n: number): string {
  return `${whole}.part${k + 1}of${n}`;
}

/** The split of a phase's first stage for this run, when its workflow step splits and the stage joins. */
function splitPlan(spec: PipelineSpec, plan: Plan, firstName: string, work: { channel: number; steps: string[] }[], meta: RecordingMeta, jobs: number): { stage: StagePlan; parts: unknown[]; splitChannels: number } | null {
  const st = workflowOf(spec).steps.find((s) => s.stage.name === firstName);
  const sp = stageOf(plan, firstName);
  if (!st?.split || !sp || sp.stage.scope !== 'chunked' || !sp.stage.join) return null;
  const splitChannels = work.filter((w) => w.steps[0] === firstName).length;
  if (!splitChannels) return null;
  const parts = st.split(spec.params, { meta, channels: splitChannels, workers: jobs });
  return parts && parts.length > 1 ? { stage: sp, parts, splitChannels } : null;
}

/** Joins a split channel's part entries (in order) into its stage entry, atomically, and removes the parts. */
function joinParts(sp: StagePlan, whole: string, n: number): void {
  const d = sp.stage;
  if (d.scope !== 'chunked' || !d.join || d.output.kind !== 'bundle') throw new Error(`stage ${d.name} cannot join split parts`);
  const files = Array.from({ length: n }, (_, k) => partFile(whole, k, n));
  const joined = d.join(sp.params, files.map((f) => readStageOutput(d, f)));
  writeBundle(whole, d.output.codec.encode(joined));
  for (const f of files) removePart(f);
}

/** A part entry and its completion record. */
function removePart(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(completionPath(file), { force: true });
}
