// Run estimates calibrated on this machine. The fixed throughputs of estimate.ts came from one
// benchmark machine and were off by up to 20x here (an EEG correction estimated at 7 s took
// 132 s). So: a short probe runs the real engine on two small synthetic recordings per workflow
// (one worker, fast mode) and fits a fixed overhead plus a cost per sample; the result is cached
// in the settings folder, keyed by the machine; every finished run then refines it (estimate vs
// actual), including the memory per sample a fast worker held.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PipelineSpec } from '../../shared/params';
import { DEFAULT_CORRECT, DEFAULT_FILTER, DEFAULT_SORT } from '../../shared/params';
import type { RunReport } from '../../shared/progress';
import type { RecordingMeta, SourceRef } from '../../shared/recording';
import { generateEegFmri } from '../../workers/synth/eeg-fmri';
import { generateSpikeRecording } from '../../workers/synth/spikes';
import { writeBrainVision } from '../io/brainvision/bv-write';
import { writeFileAtomic } from '../io/atomic';
import { openSource } from '../io';
import { planChannels } from './planner';
import { estimateRun, type RunEstimate } from './estimate';

type Workflow = PipelineSpec['workflow'];

export interface WorkflowCost {
  /** Measured time over the benchmark model's time (estimate.ts) on this machine, now. */
  timeScale: number;
  /** Bytes a fast worker holds per sample of the channel it processes. */
  fastBytesPerSample: number;
  /** Runs that refined this entry after the probe. */
  runs: number;
}

export interface CalibrationFile {
  version: 2;
  machine: string;
  workflows: Partial<Record<Workflow, WorkflowCost & { probedAt: string }>>;
}

/** Starts an engine run and resolves with its report (the Engine's start(), bound). */
export type RunStarter = (spec: PipelineSpec, ref: SourceRef, meta: RecordingMeta) => Promise<RunReport>;

const VERSION = 2;
const PROBED: Workflow[] = ['sort', 'correct', 'filter'];
const BASE_MB = 90;
const WORKER_MB = 35;
/** Memory per sample before a run has measured it: estimate.ts's benchmark figure. */
const FAST_BYTES = 12;

export function machineKey(): string {
  const cpus = os.cpus();
  return `${os.platform()}-${os.arch()}-${cpus[0]?.model ?? 'cpu'}-${os.availableParallelism?.() ?? cpus.length}-node${process.versions.node.split('.')[0]}`;
}

export class Calibration {
  private data: CalibrationFile;
  private probing = new Map<Workflow, Promise<void>>();

  constructor(private readonly file: string, private readonly cores = os.availableParallelism?.() ?? os.cpus().length) {
    this.data = { version: VERSION, machine: machineKey(), workflows: {} };
    try {
      const d = JSON.parse(fs.readFileSync(file, 'utf8')) as CalibrationFile;
      if (d.version === VERSION && d.machine === this.data.machine && d.workflows) this.data = d;
    } catch { /* none yet, or damaged: probe again */ }
  }

  cost(workflow: Workflow): WorkflowCost | null {
    return this.data.workflows[workflow] ?? null;
  }

  /** Time and memory of both modes; the benchmark figures until this machine has been measured. */
  estimate(spec: PipelineSpec, meta: RecordingMeta): RunEstimate {
    // Workers beyond the cores do not run in parallel.
    const jobs = Math.max(1, Math.min(spec.mode.jobs, this.cores));
    const base = estimateRun({ ...spec, mode: { ...spec.mode, jobs } }, meta, jobs);
    const c = this.cost(spec.workflow);
    if (!c) return base;
    const nCh = planChannels(spec, meta).length;
    const j = Math.min(jobs, nCh);
    const chanMB = (meta.nSamples * c.fastBytesPerSample) / 1048576;
    const round = (x: number): number => Math.round(x * 10) / 10;
    return {
      fast: { peakMB: round(BASE_MB + j * (WORKER_MB + chanMB)), seconds: round(base.fast.seconds * c.timeScale) },
      lowMemory: { peakMB: base.lowMemory.peakMB, seconds: round(base.lowMemory.seconds * c.timeScale) },
    };
  }

  /** Measure this workflow on this machine unless it is cached (concurrent callers share one probe). */
  async ensure(workflow: Workflow, run: RunStarter, sampleRate: number): Promise<void> {
    // The time-frequency workflow has no probe of its own yet: it keeps the benchmark figures.
    if (this.cost(workflow) || !PROBED.includes(workflow)) return;
    let p = this.probing.get(workflow);
    if (!p) {
      p = this.probe(workflow, run, sampleRate).finally(() => this.probing.delete(workflow));
      this.probing.set(workflow, p);
    }
    await p;
  }

  /**
   * One scale factor over the benchmark model, from a real run of two small synthetic channels on
   * up to two workers: it carries this machine's speed and its current load (a probe split into
   * overhead, per-sample and parallel parts was tried: on a loaded machine each part is noise).
   */
  private async probe(workflow: Workflow, run: RunStarter, sampleRate: number): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikedesk-probe-'));
    try {
      const jobs = Math.min(2, this.cores);
      await probeRun(workflow, run, dir, sampleRate, 1, 1, 1, 'warm-up'); // loads and compiles the worker code
      const p = await probeRun(workflow, run, dir, sampleRate, 4, 2, jobs);
      const model = estimateRun(p.spec, p.meta, jobs).fast.seconds;
      const timeScale = Math.min(100, Math.max(0.05, p.report.wallS / model));
      this.data.workflows[workflow] = { timeScale, fastBytesPerSample: FAST_BYTES, runs: 0, probedAt: new Date().toISOString() };
      this.save();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Refine the scale (and fast-mode memory) from a finished run: the geometric mean of old and new. */
  learn(spec: PipelineSpec, meta: RecordingMeta, report: RunReport): void {
    const c = this.data.workflows[spec.workflow];
    if (!c || report.state !== 'done' || report.stagesRun.length === 0 || report.stagesCached.length > 0) return; // cached runs measure nothing
    const jobs = Math.max(1, Math.min(report.jobs, this.cores));
    const base = estimateRun({ ...spec, mode: { ...spec.mode, jobs } }, meta, jobs);
    const model = report.mode === 'fast' ? base.fast.seconds : base.lowMemory.seconds;
    if (report.wallS < 1 || model <= 0) return; // too short to say anything
    c.timeScale = Math.sqrt(c.timeScale * (report.wallS / model));
    if (report.mode === 'fast') {
      const b = bytesPerSample(report, meta.nSamples, Math.min(jobs, planChannels(spec, meta).length));
      if (b !== null) c.fastBytesPerSample = (c.fastBytesPerSample + b) / 2;
    }
    c.runs += 1;
    this.save();
  }

  private save(): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 1)}\n`);
    } catch { /* a read-only settings folder only costs a new probe next time */ }
  }
}

/** Memory per channel sample of a fast run: peak RSS above the baseline, shared by the jobs. */
function bytesPerSample(report: RunReport, nSamples: number, jobs: number): number | null {
  if (nSamples < 1e6) return null; // the fixed memory of the process would dominate
  const peak = Math.max(0, ...report.peakRssMB);
  if (!(peak > 0) || nSamples <= 0) return null;
  const held = Math.max(0, peak - BASE_MB - jobs * WORKER_MB) / jobs;
  return Math.max(4, (held * 1048576) / nSamples);
}

async function probeRun(workflow: Workflow, run: RunStarter, dir: string, sampleRate: number, scale: number, channels: number,
  jobs: number, tag = ''): Promise<{ report: RunReport; spec: PipelineSpec; meta: RecordingMeta }> {
  const sub = path.join(dir, `${workflow}-${scale}-${channels}-${jobs}${tag}`);
  fs.mkdirSync(sub);
  const file = path.join(sub, 'probe.vhdr');
  const names = Array.from({ length: channels }, (_, i) => ({ name: `P${i + 1}` }));
  const chans = Array.from({ length: channels }, (_, i) => i);
  const m = { kind: 'fast' as const, jobs, memoryBudgetMB: 256 };
  let spec: PipelineSpec;
  if (workflow === 'correct') {
    const rec = generateEegFmri({ seed: 3, nChannels: channels, fs: 5000, durationS: 8 * scale + 4, cleanBeforeS: 2, cleanAfterS: 2, markers: 'slice' });
    await writeBrainVision(file, { channels: names, sampleRate: rec.fs, nSamples: rec.nSamples, events: rec.events },
      (s, e) => chans.map((c) => rec.channelBlock(c, s, e)));
    spec = { workflow, params: DEFAULT_CORRECT, channels: chans, mode: m };
  } else {
    const fs_ = Math.max(1000, Math.min(50000, Math.round(sampleRate)));
    const rec = generateSpikeRecording({ seed: 3, nChannels: channels, sampleRate: fs_, durationS: 5 * scale });
    await writeBrainVision(file, { channels: names, sampleRate: fs_, nSamples: rec.nSamples }, (s, e) => chans.map((c) => rec.channelBlock(c, s, e)));
    spec = workflow === 'sort' ? { workflow, params: DEFAULT_SORT, channels: chans, mode: m } : { workflow: 'filter', params: DEFAULT_FILTER, channels: chans, mode: m };
  }
  const src = await openSource(file);
  const meta = src.meta;
  src.close();
  const report = await run(spec, { path: file }, meta);
  return { report, spec, meta };
}
