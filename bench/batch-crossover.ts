// Measures what the automatic serial/parallel choice needs (bench/batch.bench.ts runs it; run it
// alone with `npx tsx bench/batch-crossover.ts` to print the constants for
// src/main/batch/crossover.ts): worker start-up for 1 and 2 workers, per-task overhead inline and
// on the pool, the inline sort rate and the 2-worker efficiency; then, for a range of work
// sizes, the measured wall time inline against on 2 workers including their start-up.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SORT, type PipelineSpec } from '../src/shared/params';
import { generateSpikeRecording } from '../src/workers/synth/spikes';
import { openSource } from '../src/main/io';
import { Engine } from '../src/main/pipeline/engine';
import type { Executor } from '../src/main/pipeline/executor';
import { InlineExecutor } from '../src/main/pipeline/inline-executor';
import { PoolExecutor } from '../src/main/pipeline/pool-executor';
import { Pool } from '../src/main/pool/pool';
import { ThreadHost } from '../src/main/pool/thread-host';
import { crossoverSamples, predictSeconds } from '../src/main/batch/auto-executor';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WORKER = path.join(here, '../src/main/pool/worker.ts');
const RATE = 30000, GAIN = 0.195, NCH = 4;

function writeRec(file: string, seconds: number, seed: number): void {
  const rec = generateSpikeRecording({ seed, nChannels: NCH, durationS: seconds, sampleRate: RATE });
  const n = rec.nSamples;
  const buf = new Int16Array(n * NCH);
  for (let c = 0; c < NCH; c++) {
    const x = rec.channel(c);
    for (let i = 0; i < n; i++) buf[i * NCH + c] = Math.max(-32768, Math.min(32767, Math.round(x[i] / GAIN)));
  }
  fs.writeFileSync(file, new Uint8Array(buf.buffer));
}

async function sortOnce(file: string, ex: Executor, jobs: number): Promise<number> {
  fs.rmSync(`${file}.spikedesk`, { recursive: true, force: true });
  const open = { format: 'raw' as const, channels: NCH, rate: RATE, dtype: 'int16' as const, gain: GAIN };
  const src = await openSource(file, open);
  const meta = src.meta;
  src.close();
  const spec: PipelineSpec = { workflow: 'sort', params: DEFAULT_SORT, mode: { kind: 'fast', jobs, memoryBudgetMB: 1024 } };
  const t0 = performance.now();
  const r = await new Engine(ex).start(spec, { path: file, open }, meta, () => undefined).done;
  if (r.state !== 'done') throw new Error(`crossover bench sort ${r.state}`);
  return (performance.now() - t0) / 1000;
}

async function startPool(k: number): Promise<{ pool: Pool; s: number }> {
  const t0 = performance.now();
  const pool = new Pool(new ThreadHost(), WORKER, { size: k });
  await pool.start();
  return { pool, s: (performance.now() - t0) / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface CrossoverRow { seconds: number; samples: number; serialS: number; parallelS: number; predictedSerialS: number; predictedParallelS: number }
export interface CrossoverMeasure {
  startS: [number, number];
  inlineTaskS: number;
  poolTaskS: number;
  inlineRate: number;
  efficiency2: number;
  rows: CrossoverRow[];
  crossoverSamples: number;
}

export async function measureCrossover(dir: string, quick = false): Promise<CrossoverMeasure> {
  fs.mkdirSync(dir, { recursive: true });
  // Worker start-up (a fresh pool, ready to take tasks), 1 and 2 workers.
  const starts: [number, number] = [0, 0];
  for (const k of [1, 2] as const) {
    const t: number[] = [];
    for (let i = 0; i < 3; i++) { const { pool, s } = await startPool(k); t.push(s); await pool.dispose(); }
    starts[k - 1] = median(t);
  }
  // Per-task overhead: a 20 ms recording, where the compute is negligible.
  const tiny = path.join(dir, 'tiny.dat');
  writeRec(tiny, 0.02, 1);
  const inline = new InlineExecutor();
  await sortOnce(tiny, inline, 1); // warm-up (module loading)
  const inT: number[] = [];
  for (let i = 0; i < 5; i++) inT.push((await sortOnce(tiny, inline, 1)) / NCH);
  const inlineTaskS = median(inT);
  const { pool } = await startPool(2);
  await sortOnce(tiny, new PoolExecutor(pool), 2);
  const poolT: number[] = [];
  // Two tasks run at once on two workers: per-task cost = wall x 2 / tasks.
  for (let i = 0; i < 5; i++) poolT.push(((await sortOnce(tiny, new PoolExecutor(pool), 2)) * 2) / NCH);
  const poolTaskS = median(poolT);
  // Rate and 2-worker efficiency on a mid-size recording (pool already started).
  const mid = path.join(dir, 'mid.dat');
  const midS = quick ? 8 : 30;
  writeRec(mid, midS, 2);
  const serialMid = await sortOnce(mid, inline, 1);
  const parMid = await sortOnce(mid, new PoolExecutor(pool), 2);
  await pool.dispose();
  const midSamples = midS * RATE * NCH;
  const inlineRate = midSamples / (serialMid - NCH * inlineTaskS);
  const efficiency2 = serialMid / (2 * parMid);
  fs.rmSync(mid, { force: true });
  fs.rmSync(`${mid}.spikedesk`, { recursive: true, force: true });

  // The crossover table: measured inline vs 2 workers (with start-up), fresh pool each time.
  const sizes = quick ? [0.25, 1, 4] : [0.25, 0.5, 1, 2, 4, 8, 16];
  const rows: CrossoverRow[] = [];
  for (const [i, s] of sizes.entries()) {
    const f = path.join(dir, `x-${s}.dat`);
    writeRec(f, s, 10 + i);
    const serialS = median([await sortOnce(f, inline, 1), await sortOnce(f, inline, 1)]);
    const par: number[] = [];
    for (let r = 0; r < 2; r++) {
      const t0 = performance.now();
      const p = new Pool(new ThreadHost(), WORKER, { size: 2 });
      await p.start();
      await sortOnce(f, new PoolExecutor(p), 2);
      par.push((performance.now() - t0) / 1000);
      await p.dispose();
    }
    const samples = s * RATE * NCH;
    const pred = predictSeconds(samples, inlineRate, NCH, 2, 2);
    rows.push({ seconds: s, samples, serialS, parallelS: median(par), predictedSerialS: pred.serial, predictedParallelS: pred.parallel });
    fs.rmSync(f, { force: true });
    fs.rmSync(`${f}.spikedesk`, { recursive: true, force: true });
  }
  return { startS: starts, inlineTaskS, poolTaskS, inlineRate, efficiency2, rows, crossoverSamples: crossoverSamples(inlineRate, 2, NCH, 2) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'sd-crossover-'));
  const m = await measureCrossover(dir, process.argv.includes('--quick'));
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(m, null, 2));
}
