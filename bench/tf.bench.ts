// Time-frequency benchmark against MNE on the same cores in the same run (issue #16):
// 32 channels x 5 kHz x 10 min, Morlet 4-40 Hz in 37 steps, n_cycles 7, output power decimated x16
// (312.5 Hz; full-rate float64 power of this size is 28 GB, more than the machine has, for MNE and us
// alike). MNE's tfr_array_morlet with n_jobs 1 and 2 vs ours with 1 and 2 worker threads: every time
// is a whole child process, spawn to exit (start-up, imports, file read and transform), with its peak
// RSS and the load average it ran under. The scaling table is its own area (scaling-tf.bench.ts), so
// each can be re-run alone on a quiet machine. Quick mode: 4 channels x 1 min.
import { PROCESS_GC_FLAGS } from '../src/cli/relaunch';
import { WORKER_V8_FLAGS } from '../src/main/pool/process-host';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/workers/rng';
import { cwtGeometry } from '../src/workers/tf/cwt';
import { chooseStrategy, type TfStrategy } from '../src/workers/tf/strategy';
import type { BenchContext, BenchRow } from './types';

const AREA = 'tf';
const here = path.dirname(fileURLToPath(import.meta.url));
export const SFREQ = 5000;
export const DECIM = 16;
export const N_CYCLES = 7;
/**
 * Length of the main comparison: the issue's 32 ch x 5 kHz x 10 min. MNE n_jobs=1 alone takes
 * ~5 min on it on an idle 2-core machine, so the whole bench takes about 15-20 min: run it on a quiet machine.
 */
export const MAIN_MINUTES = 10;
/** Runs of ours per worker count at the main size (alternating 1 and 2 workers). */
const REPEATS = 2;

export function freqList(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((4 + (36 * i) / (count - 1)) * 1000) / 1000);
}

/** channels x samples float32: 1/f-ish noise (integrated white noise, leaky) + theta bursts. */
export function writeData(file: string, channels: number, n: number, seed: number): void {
  const fd = fs.openSync(file, 'w');
  const rng = new Rng(seed);
  const row = new Float32Array(n);
  for (let c = 0; c < channels; c++) {
    let y = 0;
    for (let i = 0; i < n; i++) {
      y = 0.995 * y + rng.normal();
      const burst = Math.floor(i / (4 * SFREQ)) % 3 === 1 ? 20 * Math.sin((2 * Math.PI * 6 * i) / SFREQ) : 0;
      row[i] = y + 3 * rng.normal() + burst;
    }
    fs.writeSync(fd, new Uint8Array(row.buffer), 0, row.byteLength, c * n * 4);
  }
  fs.closeSync(fd);
}

/** `wall`: the whole process (spawn to exit: start-up, module loading, file read, transform);
 * `seconds`: the transform alone as the process timed it. */
export interface RunOut { wall: number; seconds: number; peakMB: number; childPeakMB?: number; load: string; /** CPU seconds of the process (all threads, and MNE's joblib workers). */ cpu: number }

/** 1-minute load average (the machine is shared: every figure carries the load it ran under). */
function load1(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
}

function timed(cmd: string, args: string[], what: string): RunOut {
  const before = load1();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr.slice(-800)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<RunOut, 'wall' | 'load'>;
  return { ...out, wall, load: `${before}->${load1()}` };
}

export function runMne(py: string, file: string, channels: number, n: number, freqs: number[], jobs: number): RunOut {
  return timed(py, [path.join(here, 'py', 'tf_mne.py'), file, String(channels), String(n), String(SFREQ), freqs.join(','), String(N_CYCLES), String(DECIM), String(jobs)], 'MNE run');
}

/**
 * The V8 flags `spikedesk tf` runs with: the CLI re-launches itself with single-threaded GC
 * (src/cli/relaunch.ts) and the pool sets the workers' flags (src/main/pool/process-host.ts);
 * the bench's child process stands in for that CLI process, so it starts with the same flags.
 */
export const OUR_NODE_FLAGS = [...PROCESS_GC_FLAGS, ...WORKER_V8_FLAGS];

export function runOurs(files: string[], channels: number, n: number, freqs: number[], workers: number, strategy: TfStrategy, batches: number): RunOut {
  const opts = { files, channels, n, sfreq: SFREQ, freqs, nCycles: N_CYCLES, decim: DECIM, workers, strategy, batches };
  return timed(process.execPath, [...OUR_NODE_FLAGS, '--import', 'tsx', path.join(here, 'tf-child.ts'), JSON.stringify(opts)], 'tf child');
}

/** The main comparison's recording (32 ch x 5 kHz x MAIN_MINUTES; quick: 4 ch x 1 min), 37 frequencies. */
export function mainRecording(ctx: BenchContext, area: string): { dir: string; C: number; minutes: number; n: number; freqs: number[]; file: string } {
  const dir = path.join(ctx.tmpDir, area);
  fs.mkdirSync(dir, { recursive: true });
  const C = ctx.quick ? 4 : 32;
  const minutes = ctx.quick ? 1 : MAIN_MINUTES;
  const n = minutes * 60 * SFREQ;
  const file = path.join(dir, 'main.f32');
  writeData(file, C, n, 11);
  return { dir, C, minutes, n, freqs: freqList(37), file };
}

/** Ours on 1 worker (by channel) and 2 workers (the automatic strategy), alternated `repeats` times. */
export function oursPair(file: string, channels: number, n: number, freqs: number[], auto: { strategy: TfStrategy; batches: number }, repeats: number): { reps1: RunOut[]; reps2: RunOut[] } {
  const reps1: RunOut[] = [], reps2: RunOut[] = [];
  for (let i = 0; i < repeats; i++) {
    reps1.push(runOurs([file], channels, n, freqs, 1, 'channel', 1));
    reps2.push(runOurs([file], channels, n, freqs, 2, auto.strategy, auto.batches));
  }
  return { reps1, reps2 };
}

/** The faster of several runs (on a shared machine the fastest run is the one least disturbed). */
export function best(runs: RunOut[]): RunOut {
  return runs.reduce((a, b) => (b.wall < a.wall ? b : a));
}

export function describe(r: RunOut): string {
  return `${r.wall.toFixed(1)} s whole process (transform ${r.seconds.toFixed(1)} s, CPU ${r.cpu.toFixed(1)} s), peak ${r.peakMB.toFixed(0)} MB, load ${r.load}`;
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const py = ctx.python;
  const mneNote = py ? undefined : 'MNE not installed (apt-get install -y python3-mne): no reference';
  const { dir, C, minutes, n, freqs, file } = mainRecording(ctx, 'tf');
  const label = `${C} ch x 5 kHz x ${minutes} min, 37 freqs 4-40 Hz, n_cycles 7, decim ${DECIM}`;
  const chSamples = C * n;
  const g = cwtGeometry(n, SFREQ, { freqs, nCycles: N_CYCLES, zeroMean: false, decim: DECIM });
  const auto = chooseStrategy({ geom: g, nFreqs: 37, channels: [C], workers: 2 });

  // Ours with 1 and 2 workers alternated (REPEATS times each, the fastest kept); MNE once each (a
  // run of MNE n_jobs=1 at this size takes minutes). Every time is the whole process, spawn to exit.
  const { reps1, reps2 } = oursPair(file, C, n, freqs, auto, REPEATS);
  const ours1 = best(reps1), ours2 = best(reps2);
  const mne1 = py ? runMne(py, file, C, n, freqs, 1) : null;
  const mne2 = py ? runMne(py, file, C, n, freqs, 2) : null;
  const thr = (r: RunOut, cores: number): number => chSamples / r.wall / cores / 1e6;
  const all = (rs: RunOut[]): string => rs.map((r) => `${r.wall.toFixed(1)} s`).join(', ');
  rows.push({
    area: AREA, name: `${label}: throughput per core, 1 worker vs MNE n_jobs=1`, unit: 'Msamples/s/core', value: thr(ours1, 1),
    reference: mne1 ? thr(mne1, 1) : undefined, referenceName: 'MNE tfr_array_morlet n_jobs=1', ratio: mne1 ? thr(ours1, 1) / thr(mne1, 1) : undefined,
    target: '>= 2x MNE per core', pass: mne1 ? thr(ours1, 1) / thr(mne1, 1) >= 2 : undefined,
    note: `ours ${describe(ours1)} (runs: ${all(reps1)}); ${mneNote ?? `MNE ${describe(mne1!)}`}`,
  });
  rows.push({
    area: AREA, name: `${label}: throughput per core, 2 workers (auto: ${auto.strategy}) vs MNE n_jobs=2`, unit: 'Msamples/s/core', value: thr(ours2, 2),
    reference: mne2 ? thr(mne2, 2) : undefined, referenceName: 'MNE tfr_array_morlet n_jobs=2', ratio: mne2 ? thr(ours2, 2) / thr(mne2, 2) : undefined,
    target: '>= 2x MNE per core', pass: mne2 ? thr(ours2, 2) / thr(mne2, 2) >= 2 : undefined,
    note: `ours ${describe(ours2)} (runs: ${all(reps2)}); ${mneNote ?? `MNE ${describe(mne2!)} (+ largest joblib child ${mne2!.childPeakMB?.toFixed(0)} MB)`}`,
  });
  rows.push({
    area: AREA, name: `${label}: 2 workers vs 1 (speed-up, whole process)`, unit: 'x', value: ours1.wall / ours2.wall, target: '>= 1.8x', pass: ours1.wall / ours2.wall >= 1.8,
    note: `1 worker ${ours1.wall.toFixed(1)} s, 2 workers ${ours2.wall.toFixed(1)} s (transform alone ${(ours1.seconds / ours2.seconds).toFixed(2)}x); MNE n_jobs 2 vs 1: ${mne1 && mne2 ? (mne1.wall / mne2.wall).toFixed(2) + 'x' : 'n/a'}; machine shared with other jobs`,
  });

  fs.rmSync(dir, { recursive: true, force: true });
  return rows;
}
