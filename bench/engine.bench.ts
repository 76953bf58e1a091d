// Run engine benchmark: a full spike sort of a synthetic 32-channel, 30 kHz recording (10 min;
// quick: 8 channels, 20 s) in fast mode with 1 and 2 workers and in low-memory mode, each in a
// fresh process with an empty cache: wall time, realtime factor, peak RSS; and low-memory peak
// RSS for a 5-min against a 20-min recording (quick: 30 s against 120 s), which must stay flat.
// The recording is one generated minute (quick: 10 s) tiled to the full length, because the
// generator (~1.7 Msamples/s) would otherwise take longer than the sort.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSpikeRecording } from '../src/workers/synth/spikes';
import { DEFAULT_SORT, type PipelineSpec } from '../src/shared/params';
import type { OpenOptions } from '../src/shared/recording';
import type { RunReport } from '../src/shared/progress';
import type { RunEstimate } from '../src/main/pipeline/estimate';
import type { BenchContext, BenchRow } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RATE = 30000;
export const GAIN = 0.195;

/** Write `seconds` of a nCh-channel int16 recording by repeating one generated segment. */
export function writeTiled(file: string, nCh: number, segmentS: number, seconds: number, seed: number): void {
  const total = Math.round(seconds * RATE);
  // The content is a pure function of the arguments: a complete file from an interrupted run is reused.
  if (fs.existsSync(file) && fs.statSync(file).size === total * nCh * 2) return;
  const rec = generateSpikeRecording({ seed, nChannels: nCh, durationS: segmentS, sampleRate: RATE });
  const n = rec.nSamples;
  const seg = new Int16Array(n * nCh);
  for (let c = 0; c < nCh; c++) {
    const x = rec.channel(c);
    for (let i = 0; i < n; i++) seg[i * nCh + c] = Math.max(-32768, Math.min(32767, Math.round(x[i] / GAIN)));
  }
  const fd = fs.openSync(file, 'w');
  for (let s = 0; s < total; s += n) {
    const m = Math.min(n, total - s);
    fs.writeSync(fd, new Uint8Array(seg.buffer, 0, m * nCh * 2));
  }
  fs.closeSync(fd);
}

interface ChildOut { report: RunReport; estimate: RunEstimate; peakMB: number; durationS: number; cpuS: number }

function runChild(file: string, nCh: number, spec: PipelineSpec): ChildOut {
  fs.rmSync(`${file}.spikedesk`, { recursive: true, force: true }); // every run starts from an empty cache
  const open: OpenOptions = { format: 'raw', channels: nCh, rate: RATE, dtype: 'int16', gain: GAIN };
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'engine-run-child.ts'), JSON.stringify({ file, open, spec })],
    { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`engine bench child failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildOut;
  fs.rmSync(`${file}.spikedesk`, { recursive: true, force: true });
  if (out.report.state !== 'done' || out.report.failed.length) throw new Error(`engine bench run ${out.report.state}: ${JSON.stringify(out.report.failed)}`);
  return out;
}

const sortSpec = (kind: 'fast' | 'low-memory', jobs: number, memoryBudgetMB = 256): PipelineSpec => ({
  workflow: 'sort', params: DEFAULT_SORT, mode: { kind, jobs, memoryBudgetMB },
});

export default async function engineBench(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const area = 'engine';
  const nCh = ctx.quick ? 8 : 32;
  const seconds = ctx.quick ? 20 : 600;
  fs.mkdirSync(ctx.tmpDir, { recursive: true });
  const file = path.join(ctx.tmpDir, 'engine-sort.dat');
  writeTiled(file, nCh, ctx.quick ? 10 : 60, seconds, 11);
  const label = `${nCh} ch x 30 kHz x ${seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`}`;

  const results: Record<string, ChildOut> = {};
  for (const [kind, jobs] of [['fast', 1], ['fast', 2], ['low-memory', 1]] as const) {
    const out = runChild(file, nCh, sortSpec(kind, jobs));
    results[`${kind}-${jobs}`] = out;
    const est = kind === 'fast' ? out.estimate.fast : out.estimate.lowMemory;
    rows.push({ area, name: `sort ${label}, ${kind}, ${jobs} worker(s): wall time`, unit: 's', value: out.report.wallS,
      reference: est.seconds, referenceName: 'estimate', note: `realtime factor ${(out.durationS / out.report.wallS).toFixed(1)}x` });
    rows.push({ area, name: `sort ${label}, ${kind}, ${jobs} worker(s): realtime factor`, unit: 'x', value: out.durationS / out.report.wallS });
    rows.push({ area, name: `sort ${label}, ${kind}, ${jobs} worker(s): cores used (CPU s / wall s)`, unit: 'cores', value: out.cpuS / out.report.wallS,
      note: 'below the worker count when other processes compete for the CPU' });
    rows.push({ area, name: `sort ${label}, ${kind}, ${jobs} worker(s): peak RSS (process)`, unit: 'MB', value: out.peakMB,
      reference: est.peakMB, referenceName: 'estimate' });
  }
  const speedup = results['fast-1'].report.wallS / results['fast-2'].report.wallS;
  rows.push({ area, name: `sort ${label}: speed-up 2 workers vs 1`, unit: 'x', value: speedup, target: '>= 1.8', pass: speedup >= 1.8,
    note: `cores used: ${(results['fast-1'].cpuS / results['fast-1'].report.wallS).toFixed(2)} with 1 worker, ${(results['fast-2'].cpuS / results['fast-2'].report.wallS).toFixed(2)} with 2` });
  fs.rmSync(file, { force: true });

  // Low-memory peak RSS against recording length (fewer channels: the length is what matters).
  const flatCh = 2;
  const [shortS, longS] = ctx.quick ? [30, 120] : [300, 1200];
  const peaks: number[] = [];
  for (const s of [shortS, longS]) {
    const f = path.join(ctx.tmpDir, `engine-flat-${s}.dat`);
    writeTiled(f, flatCh, ctx.quick ? 10 : 60, s, 12);
    // The budget sets the streaming block; both lengths must exceed one block for the comparison.
    const out = runChild(f, flatCh, sortSpec('low-memory', 1, 160));
    peaks.push(out.peakMB);
    rows.push({ area, name: `low-memory sort, ${flatCh} ch x ${s / 60} min: peak RSS (process)`, unit: 'MB', value: out.peakMB,
      note: `wall ${out.report.wallS.toFixed(1)} s` });
    fs.rmSync(f, { force: true });
  }
  const growth = peaks[1] / peaks[0];
  rows.push({ area, name: `low-memory peak RSS, ${longS / 60} min vs ${shortS / 60} min`, unit: 'ratio', value: growth,
    target: '<= 1.2 (flat in duration)', pass: growth <= 1.2 });
  return rows;
}
