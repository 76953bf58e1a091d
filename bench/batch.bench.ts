// Batch benchmark: 8 recordings of 16 ch x 30 kHz x 60 s (quick: 4 x 8 ch x 10 s) sorted by
// `spikedesk batch` in a fresh process each, from an empty cache: serial (inline, no workers),
// local session-level with 2 workers, and Slurm on the single-node cluster (2 array tasks at a
// time, 1 CPU each; skipped with a note where Slurm does not answer). Wall time, peak memory,
// and the Slurm scheduler overhead (wall time less the array tasks' own compute + export time
// spread over the 2 CPUs). Then the serial/parallel crossover table (batch-crossover.ts).
// Each recording is one generated 10 s segment tiled to its length (the generator is slower
// than the sort).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { slurmStatus } from '../src/main/batch/slurm-cli';
import type { BatchSummary } from '../src/main/batch/report';
import { measureCrossover } from './batch-crossover';
import { GAIN, RATE, writeTiled } from './engine.bench';
import type { BenchContext, BenchRow } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '../bin/spikedesk.mjs');

function clearSessions(dir: string): void {
  for (const e of fs.readdirSync(dir)) if (e.endsWith('.spikedesk')) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
}

function runBatch(inputs: string, out: string, nCh: number, extra: string[]): { summary: BatchSummary; wallS: number } {
  clearSessions(inputs);
  fs.rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'batch', inputs, '--workflow', 'sort', '--out', out, '--json', '--no-progress',
    '--channels', String(nCh), '--rate', String(RATE), '--dtype', 'int16', '--gain', String(GAIN), ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`batch bench (${extra.join(' ')}) exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return { summary: JSON.parse(r.stdout) as BatchSummary, wallS };
}

export default async function batchBench(ctx: BenchContext): Promise<BenchRow[]> {
  const area = 'batch';
  const rows: BenchRow[] = [];
  const n = ctx.quick ? 4 : 8, nCh = ctx.quick ? 8 : 16, seconds = ctx.quick ? 10 : 60;
  const inputs = path.join(ctx.tmpDir, 'batch-in');
  fs.mkdirSync(inputs, { recursive: true });
  for (let i = 0; i < n; i++) writeTiled(path.join(inputs, `rec-${i}.dat`), nCh, 10, seconds, 50 + i);
  const label = `${n} x ${nCh} ch x 30 kHz x ${seconds} s`;

  const serial = runBatch(inputs, path.join(ctx.tmpDir, 'b-serial'), nCh, ['--parallel', 'serial', '--jobs', '1']);
  const local = runBatch(inputs, path.join(ctx.tmpDir, 'b-local'), nCh, ['--parallel', 'parallel', '--jobs', '2']);
  const add = (name: string, r: { summary: BatchSummary; wallS: number }, note: string): void => {
    rows.push({ area, name: `${label}, ${name}: wall time`, unit: 's', value: r.wallS, reference: serial.wallS, referenceName: 'serial', ratio: serial.wallS / r.wallS, note });
    rows.push({ area, name: `${label}, ${name}: peak memory`, unit: 'MB', value: r.summary.peakMB,
      note: name.toLowerCase().startsWith('slurm') ? 'largest worker RSS of an array task (each task is its own process)' : 'batch process RSS (workers are threads of it)' });
  };
  add('serial (inline)', serial, serial.summary.execution.reason);
  add('local session-level, 2 workers', local, `max ${local.summary.execution.maxConcurrentTasks} tasks / ${local.summary.execution.maxConcurrentRecordings} recordings at once`);

  const st = await slurmStatus();
  if (st.ok) {
    const slurm = runBatch(inputs, path.join(ctx.tmpDir, 'b-slurm'), nCh, ['--executor', 'slurm', '--jobs', '1']);
    add('Slurm single node, 1 CPU per array task', slurm, 'two array tasks run at once on the 2-CPU node');
    const taskS = slurm.summary.recordings.reduce((a, r) => a + r.wallS, 0);
    const overhead = slurm.wallS - taskS / 2;
    rows.push({ area, name: `${label}, Slurm: scheduler overhead`, unit: 's', value: overhead,
      note: `wall ${slurm.wallS.toFixed(1)} s less the array tasks' own time ${taskS.toFixed(1)} s / 2 CPUs (queueing, process start, polling)` });
  } else {
    rows.push({ area, name: `${label}, Slurm`, unit: 's', value: NaN, note: `skipped: ${st.reason}` });
  }

  const x = await measureCrossover(path.join(ctx.tmpDir, 'crossover'), ctx.quick);
  rows.push({ area, name: 'worker start-up, 1 / 2 workers', unit: 's', value: x.startS[0], note: `2 workers: ${x.startS[1].toFixed(2)} s` });
  rows.push({ area, name: 'per-task cost inline / on the pool', unit: 's', value: x.inlineTaskS, note: `pool: ${x.poolTaskS.toFixed(3)} s` });
  rows.push({ area, name: 'inline sort rate', unit: 'Msamples/s', value: x.inlineRate / 1e6, note: `2-worker efficiency measured ${x.efficiency2.toFixed(2)}` });
  for (const r of x.rows) {
    rows.push({ area, name: `crossover: 4 ch x ${r.seconds} s (${(r.samples / 1e6).toFixed(2)} M samples), inline vs 2 workers incl. start-up`, unit: 's',
      value: r.serialS, reference: r.parallelS, referenceName: '2 workers', ratio: r.parallelS / r.serialS,
      note: `${r.serialS <= r.parallelS ? 'inline wins' : 'workers win'}; model: ${r.predictedSerialS.toFixed(2)} s vs ${r.predictedParallelS.toFixed(2)} s` });
  }
  rows.push({ area, name: 'crossover (model, 2 free cores, 4 tasks)', unit: 'M samples', value: x.crossoverSamples / 1e6 });
  fs.rmSync(inputs, { recursive: true, force: true });
  return rows;
}
