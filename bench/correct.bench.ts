// Gradient-artifact correction benchmark: channel-seconds corrected per second on one core, and peak
// RSS of the whole-channel ("fast") path against the low-memory (sectioned) path, each measured in its
// own child process (the global stage in one more; all with the engine workers' V8 flags), on a synthetic EEG-fMRI recording written to disk (32 ch x 5 kHz x 20 min full,
// 16 ch x 2 min quick: the size of the recording issue #14 was found on; CORRECT_BENCH_CHANNELS
// overrides), the default chain (spline AAS with the template model chosen from the data, alignment,
// 70 Hz low-pass). The global stage (onset refinement and template choice on up to 4 channels) costs the
// same whatever the channel count, so the speed ratio grows with it: the channel count at which it
// reaches 2x is reported too.
// Reference: a FASTR-style numpy/scipy AAS (bench/py/fastr_aas.py: x10 upsampling, 30-epoch window,
// alignment, same low-pass) on the same files, CPU seconds compared (skipped without numpy/scipy).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CORRECT } from '../src/shared/params';
import { WORKER_V8_FLAGS } from '../src/main/pool/process-host';
import { generateEegFmri } from '../src/workers/synth/eeg-fmri';
import type { BenchContext, BenchRow } from './types';

const AREA = 'correct';
const here = path.dirname(fileURLToPath(import.meta.url));

/** The first n float32 values of a file (the bench's channel files; also read by correct-global-child.ts). */
export function readF32(file: string, n: number): Float32Array {
  const x = new Float32Array(n);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, new Uint8Array(x.buffer), 0, x.byteLength, 0);
  fs.closeSync(fd);
  return x;
}

/** Channels n with ref*n >= 2*(global + ours*n), rounded up (Infinity when never). */
function breakEven(refPerCh: number, oursPerCh: number, globalS: number): number {
  const d = refPerCh - 2 * oursPerCh;
  return d > 0 ? Math.ceil((2 * globalS) / d) : Infinity;
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const nCh = Number(process.env.CORRECT_BENCH_CHANNELS ?? (ctx.quick ? 16 : 32));
  const durS = ctx.quick ? 120 : 1200;
  const sectionS = ctx.quick ? 15 : 60;
  const dir = path.join(ctx.tmpDir, 'correct');
  fs.mkdirSync(dir, { recursive: true });
  const rec = generateEegFmri({ seed: 7, nChannels: nCh, durationS: durS });
  const n = rec.nSamples, fsHz = rec.fs;
  const block = 60 * fsHz;
  const t = performance.now();
  for (let c = 0; c < nCh; c++) {
    const fd = fs.openSync(path.join(dir, `ch${c}.f32`), 'w');
    for (let s = 0; s < n; s += block) {
      const d = rec.channelBlock(c, s, Math.min(n, s + block));
      fs.writeSync(fd, new Uint8Array(d.buffer), 0, d.byteLength, s * 4);
    }
    fs.closeSync(fd);
  }
  const genS = (performance.now() - t) / 1000;

  // Global stage, once (its own child process, as the engine runs it as a worker task): triggers from
  // the markers, completion, alignment, template choice; writes plan.json for the channel children.
  fs.writeFileSync(path.join(dir, 'events.json'), JSON.stringify({ events: rec.events, fs: fsHz, nSamples: n }));
  const gChild = spawnSync(process.execPath, [...WORKER_V8_FLAGS, '--import', 'tsx', path.join(here, 'correct-global-child.ts'), dir, String(nCh)],
    { encoding: 'utf8', cwd: path.join(here, '..'), maxBuffer: 1 << 20 });
  if (gChild.status !== 0) throw new Error(`correct-global-child failed: ${gChild.stderr.slice(-800)}`);
  const global = JSON.parse(gChild.stdout.trim().split('\n').pop()!) as { ms: number; cpuS: number; chosen: string | null; channels: number; epochs: number };
  const globalMs = global.ms, globalCpuS = global.cpuS;

  const run = (mode: 'whole' | 'low-memory'): { ms: number; cpuMs: number; peakMB: number; startMB: number } => {
    const child = spawnSync(process.execPath, [...WORKER_V8_FLAGS, '--import', 'tsx', path.join(here, 'correct-rss-child.ts'), dir, mode, String(nCh), String(sectionS * fsHz)],
      { encoding: 'utf8', cwd: path.join(here, '..'), maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`correct-rss-child (${mode}) failed: ${child.stderr.slice(-800)}`);
    return JSON.parse(child.stdout.trim().split('\n').pop()!);
  };
  const whole = run('whole');
  const low = run('low-memory');

  // The FASTR-style reference on the same files (one process, one core).
  let peer: { cpu_seconds: number; wall_seconds: number; align_cpu_seconds: number } | null = null;
  let peerNote = 'python3 with numpy/scipy not installed: reference skipped';
  if (ctx.python) {
    const py = spawnSync(ctx.python, [path.join(here, 'py', 'fastr_aas.py'), dir, String(nCh)], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    if (py.status === 0) peer = JSON.parse(py.stdout.trim().split('\n').pop()!);
    else peerNote = /No module named/.test(py.stderr) ? 'numpy/scipy missing: reference skipped' : `reference failed: ${py.stderr.slice(-300)}`;
  }
  let maxRel = 0;
  for (let c = 0; c < nCh; c++) {
    const a = readF32(path.join(dir, `out-whole-${c}.f32`), n), b = readF32(path.join(dir, `out-low-memory-${c}.f32`), n);
    let d = 0, m = 0;
    for (let i = 0; i < n; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(a[i])); }
    maxRel = Math.max(maxRel, d / m);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  // (the reference's outputs ref-out-*.f32 went with the folder)

  const chS = nCh * durS;
  const size = `${nCh} ch x ${fsHz / 1000} kHz x ${durS / 60} min, ${DEFAULT_CORRECT.engine} AAS (template ${global.chosen}), align, OBS ${DEFAULT_CORRECT.obsComponents}, LP ${DEFAULT_CORRECT.lowpassHz}`;
  return [
    { area: AREA, name: 'whole-channel correction throughput (1 core)', unit: 'channel-s/s', value: chS / (whole.ms / 1000), note: `${size}; ${(whole.ms / 1000).toFixed(1)} s wall` },
    { area: AREA, name: 'low-memory correction throughput (1 core)', unit: 'channel-s/s', value: chS / (low.ms / 1000),
      note: `${sectionS} s sections; OBS, when on, needs a second AAS pass to fit its basis; ${(low.ms / 1000).toFixed(1)} s wall` },
    { area: AREA, name: 'peak RSS, whole-channel path', unit: 'MB', value: whole.peakMB, note: `child process, ${whole.startMB.toFixed(0)} MB before the first channel; one ${durS / 60}-min channel in memory` },
    { area: AREA, name: 'peak RSS, low-memory path', unit: 'MB', value: low.peakMB, target: '< whole-channel and independent of recording length', pass: low.peakMB < whole.peakMB,
      note: `child process, ${low.startMB.toFixed(0)} MB before the first channel` },
    { area: AREA, name: 'low-memory vs whole-channel output, max relative difference', unit: 'ratio', value: maxRel, target: '<= 1e-6', pass: maxRel <= 1e-6 },
    { area: AREA, name: 'global stage (trigger completion, alignment, onset refinement, template choice; once)', unit: 'ms', value: globalMs, note: `${global.epochs} slice epochs; wall time, CPU in the default-chain row` },
    { area: AREA, name: 'synthetic recording generation (written to disk)', unit: 'channel-s/s', value: chS / genS, note: 'not part of the correction' },
    ...(peer ? [
      { area: AREA, name: 'FASTR-style numpy reference CPU (x10, 30 epochs, alignment, LP 70)', unit: 's', value: peer.cpu_seconds, note: `bench/py/fastr_aas.py, ${nCh} ch; alignment ${peer.align_cpu_seconds.toFixed(1)} s of it; wall ${peer.wall_seconds.toFixed(1)} s` },
      { area: AREA, name: 'default chain CPU (global stage + whole-channel correction)', unit: 's', value: globalCpuS + whole.cpuMs / 1000, note: `global ${globalCpuS.toFixed(1)} s (triggers, alignment, template choice on ${global.channels} ch) + channels ${(whole.cpuMs / 1000).toFixed(1)} s` },
      { area: AREA, name: 'speed vs FASTR-style numpy reference, per core (CPU ratio)', unit: 'x', value: peer.cpu_seconds / (globalCpuS + whole.cpuMs / 1000), target: '>= 2', pass: peer.cpu_seconds / (globalCpuS + whole.cpuMs / 1000) >= 2,
        note: `${nCh} channels` },
      // Reference and channel costs grow with the channel count, the global stage does not: 2x is reached
      // from n = 2 global / (reference per channel - 2 x ours per channel) channels on (same length).
      { area: AREA, name: 'channel count from which the default chain is 2x faster than the reference', unit: 'channels',
        value: breakEven(peer.cpu_seconds / nCh, whole.cpuMs / 1000 / nCh, globalCpuS), note: `global stage ${globalCpuS.toFixed(2)} s per recording; per channel: reference ${(peer.cpu_seconds / nCh).toFixed(3)} s, ours ${(whole.cpuMs / 1000 / nCh).toFixed(3)} s` },
    ] : [{ area: AREA, name: 'FASTR-style numpy reference', unit: '', value: NaN, note: peerNote }]),
  ];
}
