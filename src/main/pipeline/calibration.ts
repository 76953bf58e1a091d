// Run estimates measured on this machine. The fixed throughputs of estimate.ts came from one
// benchmark machine and were off by up to 20x here, and one scale factor from a synthetic probe
// was still off by 2.5x on the demos. So the first estimate of a workflow shape (workflow,
// parameters, mode, sample rate; parallel workers) runs the real workflow on slices of the user's
// own recording (calibration-probe.ts) and fits overhead + cost per sample (calibration-fit.ts);
// the points are cached in the settings folder, keyed by the machine, and every finished run of
// the same shape adds its own point (estimate vs actual is shown after each run).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PipelineSpec } from '../../shared/params';
import { runPeakMB, type RunReport } from '../../shared/progress';
import type { RecordingMeta } from '../../shared/recording';
import type { Source } from '../io/source';
import { writeFileAtomic } from '../io/atomic';
import { addPoint, fitTime, predict, type TimePoint } from './calibration-fit';
import { probeSlices, type RunStarter } from './calibration-probe';
import { median } from '../../workers/correct/triggers';
import { planChannels } from './planner';
import { BASE_MB, WORKER_MB, estimateRun, taskMBOf, type RunEstimate } from './estimate';

export type { RunStarter } from './calibration-probe';
type Workflow = PipelineSpec['workflow'];
type ModeKind = PipelineSpec['mode']['kind'];

export interface ShapeEntry {
  points: TimePoint[];
  probedAt?: string;
}

export interface CalibrationFile {
  version: 5;
  machine: string;
  /** Measured time points per workflow shape (see shapeOf). */
  shapes: Record<string, ShapeEntry>;
  /** Bytes a fast worker holds per sample of the channel it processes, from finished runs (beyond the workflow's taskBytes). */
  memory: Partial<Record<Workflow, number>>;
  /**
   * Per workflow and mode: measured / modelled time of its last finished runs (at most
   * FACTOR_RUNS). A shape never measured (new parameters, the tab's form changed) gets the model
   * times their median: the modelled cost follows the parameters, the factor this machine and host.
   */
  factors?: Record<string, number[]>;
}

/** Runs whose time-to-model ratio the factor keeps (the median of these; the oldest drops out). */
const FACTOR_RUNS = 5;

// 5: learned memory leaves out what WorkflowDef.taskBytes counts (a tf channel's output).
const VERSION = 5;

export function machineKey(): string {
  const cpus = os.cpus();
  return `${os.platform()}-${os.arch()}-${cpus[0]?.model ?? 'cpu'}-${os.availableParallelism?.() ?? cpus.length}-node${process.versions.node.split('.')[0]}`;
}

/** What a run's time depends on besides its length, and how many channels each worker processes. */
export interface Shape {
  key: string;
  /** Channels processed at the same time. */
  parallel: number;
  /** Channels one worker processes one after another. */
  rounds: number;
}

export function shapeOf(spec: PipelineSpec, meta: RecordingMeta, cores: number, kind: ModeKind = spec.mode.kind): Shape {
  const nCh = Math.max(1, planChannels(spec, meta).length);
  // Low-memory mode streams on one worker; workers beyond the cores do not run in parallel.
  const parallel = kind === 'fast' ? Math.max(1, Math.min(spec.mode.jobs, cores, nCh)) : 1;
  const params = createHash('sha256').update(JSON.stringify(spec.params)).digest('hex').slice(0, 12);
  return {
    key: `${spec.workflow}|${kind}|${meta.sampleRate}Hz|${params}|x${parallel}`,
    parallel,
    rounds: Math.ceil(nCh / parallel),
  };
}

/** The shape's own points, else those of the same shape at the nearest other worker count. */
function pointsFor(shapes: Record<string, ShapeEntry>, s: Shape): TimePoint[] | null {
  if (shapes[s.key]) return shapes[s.key].points;
  const stem = s.key.slice(0, s.key.lastIndexOf('|x') + 2);
  let best: { d: number; points: TimePoint[] } | null = null;
  for (const [k, e] of Object.entries(shapes)) {
    if (!k.startsWith(stem)) continue;
    const d = Math.abs(Number(k.slice(stem.length)) - s.parallel);
    if (!best || d < best.d) best = { d, points: e.points };
  }
  return best?.points ?? null;
}

export class Calibration {
  private data: CalibrationFile;
  private probing = new Map<string, Promise<void>>();

  constructor(private readonly file: string, private readonly cores = os.availableParallelism?.() ?? os.cpus().length) {
    this.data = { version: VERSION, machine: machineKey(), shapes: {}, memory: {} };
    try {
      const d = JSON.parse(fs.readFileSync(file, 'utf8')) as CalibrationFile;
      if (d.version === VERSION && d.machine === this.data.machine && d.shapes && d.memory) this.data = d;
    } catch { /* none yet, or damaged: probe again */ }
  }

  /** Whether this spec's shape has been measured on this machine (a probe or a run). */
  measured(spec: PipelineSpec, meta: RecordingMeta): boolean {
    return this.seconds(spec, meta, spec.mode.kind) !== null;
  }

  /** Whether estimate()'s time for a mode comes from this machine (its `measured`), not the model alone. */
  fromMachine(spec: PipelineSpec, meta: RecordingMeta, kind: ModeKind): boolean {
    return this.estimate(spec, meta).measured![kind === 'fast' ? 'fast' : 'lowMemory'];
  }

  /** Time and memory of both modes; the benchmark figures where this machine has not been measured. */
  estimate(spec: PipelineSpec, meta: RecordingMeta): RunEstimate {
    const jobs = Math.max(1, Math.min(spec.mode.jobs, this.cores));
    const base = estimateRun({ ...spec, mode: { ...spec.mode, jobs } }, meta, jobs);
    const fast = this.seconds(spec, meta, 'fast');
    const low = this.seconds(spec, meta, 'low-memory');
    // One mode measured: the other follows it by the benchmark's ratio between the modes.
    const ratio = base.lowMemory.seconds / Math.max(1e-9, base.fast.seconds);
    const round = (x: number): number => Math.round(x * 10) / 10;
    const nCh = planChannels(spec, meta).length;
    const bytes = this.data.memory[spec.workflow];
    const fastMB = bytes === undefined ? base.fast.peakMB
      : round(BASE_MB + Math.min(jobs, nCh) * (WORKER_MB + (meta.nSamples * bytes) / 1048576 + taskMBOf(spec, meta)));
    // This shape measured in the mode, else in the other mode, else the model times this machine's
    // factor for the workflow (its runs with other parameters), else the benchmark's model: every
    // branch but the last is this machine's.
    const scaledFast = this.scaled(spec, 'fast', base.fast.seconds), scaledLow = this.scaled(spec, 'low-memory', base.lowMemory.seconds);
    return {
      fast: { peakMB: fastMB, seconds: round(fast ?? (low !== null ? low / ratio : scaledFast ?? base.fast.seconds)) },
      lowMemory: { peakMB: base.lowMemory.peakMB, seconds: round(low ?? (fast !== null ? fast * ratio : scaledLow ?? base.lowMemory.seconds)) },
      measured: { fast: fast !== null || low !== null || scaledFast !== null, lowMemory: low !== null || fast !== null || scaledLow !== null },
    };
  }

  /** The model's time times this machine's measured factor for the workflow and mode, or null without runs. */
  private scaled(spec: PipelineSpec, kind: ModeKind, modelled: number): number | null {
    const f = this.data.factors?.[`${spec.workflow}|${kind}`];
    return f?.length ? modelled * median(f) : null;
  }

  private seconds(spec: PipelineSpec, meta: RecordingMeta, kind: ModeKind): number | null {
    const s = shapeOf(spec, meta, this.cores, kind);
    // Time is modelled per worker round of channels, so another worker count's fit carries over:
    // a changed jobs field gets its estimate at once, without a new probe (a run then refines it).
    const fit = fitTime(pointsFor(this.data.shapes, s) ?? []);
    return fit ? predict(fit, meta.nSamples, s.rounds) : null;
  }

  /**
   * Measure this spec's shape on slices of `src` unless it is cached (concurrent callers share one
   * probe). A probe that fails (e.g. too few triggers in a slice) leaves the benchmark figures.
   */
  async ensure(spec: PipelineSpec, src: Source, run: RunStarter): Promise<void> {
    const s = shapeOf(spec, src.meta, this.cores);
    if (pointsFor(this.data.shapes, s)) return;
    let p = this.probing.get(s.key);
    if (!p) {
      p = probeSlices(src, { spec, parallel: s.parallel, rounds: s.rounds }, run)
        .then((points) => {
          this.data.shapes[s.key] = { points, probedAt: new Date().toISOString() };
          this.save();
        }, () => undefined)
        .finally(() => this.probing.delete(s.key));
      this.probing.set(s.key, p);
    }
    await p;
  }

  /** Add a finished run's time to its shape (and refine fast-mode memory). */
  learn(spec: PipelineSpec, meta: RecordingMeta, report: RunReport): void {
    if (report.state !== 'done' || report.stagesRun.length === 0 || report.stagesCached.length > 0) return; // cached runs measure nothing
    const kind: ModeKind = report.mode;
    const s = shapeOf({ ...spec, mode: { ...spec.mode, kind, jobs: report.jobs } }, meta, this.cores, kind);
    const entry = this.data.shapes[s.key] ?? { points: [] };
    entry.points = addPoint(entry.points, { samples: meta.nSamples, rounds: s.rounds, seconds: report.wallS, from: 'run' });
    this.data.shapes[s.key] = entry;
    const jobs = Math.max(1, Math.min(report.jobs, this.cores));
    const base = estimateRun({ ...spec, mode: { ...spec.mode, kind, jobs } }, meta, jobs);
    const modelled = kind === 'fast' ? base.fast.seconds : base.lowMemory.seconds;
    if (modelled > 0) {
      const key = `${spec.workflow}|${kind}`;
      const factors = (this.data.factors ??= {});
      factors[key] = [...(factors[key] ?? []), report.wallS / modelled].slice(-FACTOR_RUNS);
    }
    // The memory model is one process holding its workers as threads (estimate.ts): a run whose
    // workers were processes of their own measured something else and leaves it as it is.
    if (kind === 'fast' && report.rssScope === 'process') {
      const b = bytesPerSample(report, meta.nSamples, s.parallel, taskMBOf(spec, meta));
      const old = this.data.memory[spec.workflow];
      if (b !== null) this.data.memory[spec.workflow] = old === undefined ? b : (old + b) / 2;
    }
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
function bytesPerSample(report: RunReport, nSamples: number, jobs: number, taskMB: number): number | null {
  if (nSamples < 1e6) return null; // the fixed memory of the process would dominate
  const peak = runPeakMB(report);
  if (!(peak > 0)) return null;
  const held = Math.max(0, peak - BASE_MB - jobs * WORKER_MB) / jobs - taskMB;
  return Math.max(4, (held * 1048576) / nSamples);
}
