// Stage-model figures, each a ratio against a reference measured in the same run:
// - start-up of the built CLI (`spikedesk info FILE`, out/node/cli.js) vs `node -e 0` (target <= 4x);
// - a built worker (out/node/worker.js) ready vs a bare worker_threads worker (target <= 3x);
// - from scratch, a sort of 16 ch x 30 kHz x 160 s raw int16 with 2 workers vs 1, whole-process
//   wall time of `spikedesk sort` (target >= 1.75x). Needs `npm run build:node` (done here).
//   Each sort writes its timeline (--trace, src/main/pipeline/trace.ts): the notes give where the
//   time went (serial seconds with no task running, worker idle seconds, CPU of the worker threads
//   and of the rest of the process), and a row compares the process CPU of 2 workers with 1.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { generateSpikeRecording } from '../src/workers/synth/spikes';
import { readTraceSummary, type TraceSummary } from '../src/main/pipeline/trace-file';
import type { BenchContext, BenchRow } from './types';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'out/node/cli.js');
const builtWorker = path.join(root, 'out/node/worker.js');
const bareWorker = fileURLToPath(new URL('./bare-worker.mjs', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function wallMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return performance.now() - t0;
}

async function workerReadyMs(entry: string): Promise<number> {
  const t0 = performance.now();
  const w = new Worker(entry, { stdout: false, stderr: false });
  await new Promise<void>((resolve, reject) => {
    w.on('message', (m: { type?: string }) => { if (m?.type === 'ready') resolve(); });
    w.once('error', reject);
  });
  const ms = performance.now() - t0;
  await w.terminate();
  return ms;
}

/** Raw int16 interleaved recording from the ground-truth generator. */
function writeRaw(file: string, nChannels: number, durationS: number, rate: number): void {
  const rec = generateSpikeRecording({ seed: 21, nChannels, durationS, sampleRate: rate });
  const fd = fs.openSync(file, 'w');
  const block = 1 << 16;
  for (let s = 0; s < rec.nSamples; s += block) {
    const e = Math.min(rec.nSamples, s + block);
    const chans = Array.from({ length: nChannels }, (_, k) => rec.channelBlock(k, s, e));
    const buf = new Int16Array((e - s) * nChannels);
    for (let i = 0; i < e - s; i++) for (let k = 0; k < nChannels; k++) buf[i * nChannels + k] = Math.max(-32768, Math.min(32767, Math.round(chans[k][i] / 0.195)));
    fs.writeSync(fd, new Uint8Array(buf.buffer));
  }
  fs.closeSync(fd);
}

export default async function stage(ctx: BenchContext): Promise<BenchRow[]> {
  execFileSync(process.execPath, [path.join(root, 'scripts/build-node.mjs')], { stdio: 'ignore' });
  const rows: BenchRow[] = [];
  const runs = ctx.quick ? 5 : 11;

  const small = path.join(ctx.tmpDir, 'startup.dat');
  fs.writeFileSync(small, Buffer.alloc(4 * 2 * 20000));
  const open = ['--channels', '4', '--rate', '20000'];
  const nodeMs: number[] = [], infoMs: number[] = [];
  wallMs(['-e', '0']);
  wallMs([cli, 'info', small, ...open]);
  // Interleaved, so load changes on a shared machine hit both alike.
  for (let i = 0; i < runs; i++) { nodeMs.push(wallMs(['-e', '0'])); infoMs.push(wallMs([cli, 'info', small, ...open])); }
  const n0 = median(nodeMs), i0 = median(infoMs);
  rows.push({ area: 'stage', name: 'spikedesk info start-up (built CLI) vs node -e 0', unit: 'ms', value: i0, reference: n0, referenceName: 'node -e 0', ratio: i0 / n0, target: '<= 4x', pass: i0 / n0 <= 4, note: `median of ${runs}, interleaved; ratio here = ours / reference` });

  const bare: number[] = [], built: number[] = [];
  await workerReadyMs(bareWorker);
  await workerReadyMs(builtWorker);
  for (let i = 0; i < runs; i++) { bare.push(await workerReadyMs(bareWorker)); built.push(await workerReadyMs(builtWorker)); }
  const b0 = median(bare), w0 = median(built);
  rows.push({ area: 'stage', name: 'worker ready (out/node/worker.js) vs bare worker_threads worker', unit: 'ms', value: w0, reference: b0, referenceName: 'bare worker', ratio: w0 / b0, target: '<= 3x', pass: w0 / b0 <= 3, note: `median of ${runs}, interleaved; ratio here = ours / reference` });

  const [nCh, durS, rate] = ctx.quick ? [16, 20, 30000] : [16, 160, 30000];
  const rec = path.join(ctx.tmpDir, 'sort16.dat');
  writeRaw(rec, nCh, durS, rate);
  const traceFile = path.join(ctx.tmpDir, 'sort-trace.json');
  const sortRun = (jobs: number): { ms: number; t: TraceSummary } => {
    fs.rmSync(`${rec}.spikedesk`, { recursive: true, force: true });
    const ms = wallMs([cli, 'sort', rec, '--channels', String(nCh), '--rate', String(rate), '--dtype', 'int16', '--gain', '0.195', '--jobs', String(jobs), '--trace', traceFile]);
    return { ms, t: readTraceSummary(traceFile) };
  };
  const one: { ms: number; t: TraceSummary }[] = [], two: { ms: number; t: TraceSummary }[] = [];
  const reps = ctx.quick ? 1 : 3;
  for (let i = 0; i < reps; i++) { one.push(sortRun(1)); two.push(sortRun(2)); }
  const mid = (xs: { ms: number; t: TraceSummary }[]) => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)];
  const m1 = mid(one), m2 = mid(two);
  const s1 = m1.ms, s2 = m2.ms;
  const r = (x: number | null | undefined): string => (x == null ? '?' : x.toFixed(2));
  const where = (m: { t: TraceSummary }, jobs: number): string => {
    const w = Object.values(m.t.workers);
    return `${jobs} worker(s): serial ${r(m.t.serialS)} s, worker idle ${r(w.reduce((a, x) => a + x.gapIdleS + x.tailIdleS, 0))} s, `
      + `CPU ${r(m.t.process.cpuS)} s (workers ${r(m.t.process.workerThreadsCpuS)}, main ${r(m.t.process.mainThreadCpuS)}, other threads ${r(m.t.process.otherThreadsCpuS)})`;
  };
  rows.push({ area: 'stage', name: `sort from scratch, ${nCh} ch x ${rate / 1000} kHz x ${durS} s raw: 2 workers vs 1 (whole process)`, unit: 's', value: s2 / 1000, reference: s1 / 1000, referenceName: '1 worker', ratio: s1 / s2, target: '>= 1.75x', pass: s1 / s2 >= 1.75, note: `median of ${reps} (interleaved), cache removed before each run; spikedesk sort via out/node/cli.js; timeline of the median runs: ${where(m1, 1)}; ${where(m2, 2)}` });
  const c1 = m1.t.process.cpuS, c2 = m2.t.process.cpuS;
  rows.push({ area: 'stage', name: 'same sorts: process CPU (user + sys, all threads) with 2 workers vs 1', unit: 's', value: c2, reference: c1, referenceName: '1 worker', ratio: c1 / c2, note: 'ratio = CPU of 1 worker / CPU of 2 workers (1 = no extra work for parallelism); the wall-time speed-up cannot exceed 2 x this ratio on 2 cores' });
  return rows;
}
