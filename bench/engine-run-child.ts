// Child process of bench/engine.bench.ts: runs one pipeline spec on a fresh worker pool and prints
// the run report with the process's own peak RSS (VmHWM, all worker threads included), so every
// configuration is measured in a clean process. Usage: node --import tsx bench/engine-run-child.ts '<json>'

import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/main/pipeline/engine';
import { Pool } from '../src/main/pool/pool';
import { ThreadHost } from '../src/main/pool/thread-host';
import { openSource } from '../src/main/io';
import type { PipelineSpec } from '../src/shared/params';
import type { OpenOptions } from '../src/shared/recording';

function hwmMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function main(): Promise<void> {
  const { file, open, spec } = JSON.parse(process.argv[2]) as { file: string; open: OpenOptions; spec: PipelineSpec };
  const src = await openSource(file, open);
  const meta = src.meta;
  src.close();
  const pool = new Pool(new ThreadHost(), fileURLToPath(new URL('../src/main/pool/worker.ts', import.meta.url)), { size: spec.mode.jobs });
  await pool.start();
  const engine = new Engine(pool);
  const estimate = engine.estimate(spec, meta);
  const cpu0 = process.cpuUsage();
  const report = await engine.start(spec, { path: file, open }, meta, () => undefined).done;
  const cpu = process.cpuUsage(cpu0);
  await pool.dispose();
  // CPU seconds of all threads: cpuS / wallS is how many cores the run actually got.
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({ report, estimate, peakMB: hwmMB(), durationS: meta.nSamples / meta.sampleRate, cpuS }));
}

void main();
