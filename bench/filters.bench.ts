// Filter benchmarks: zero-phase 300-6000 Hz band-pass (4th-order high-pass + 4th-order low-pass, the
// default FilterParams) at 30 kHz, one channel at a time on one core, in Msamples/s: our Float32 hot
// path, the float64 variant and the blocked low-memory variant against scipy.signal.sosfiltfilt
// (float64, bench/py/filters.py) measured in the same run. Runs alternate between us and scipy, so
// load from other processes hits both sides alike. Throughput per core is computed from process CPU
// time (wall time is in the note): on a shared machine wall time mostly measures the other processes.
// Values are medians. fili's own filtfilt is shown for information.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import fili from 'fili';
import { DEFAULT_FILTER } from '../src/shared/params';
import { bandpassSos } from '../src/workers/dsp/butter';
import { filtfiltBlocked, requiredMargin } from '../src/workers/dsp/blocked';
import { sosfiltfilt, sosfiltfiltF32 } from '../src/workers/dsp/sos';
import { Rng } from '../src/workers/rng';
import { medianMs, type BenchContext, type BenchRow } from './types';

const FS = 30000;
const TARGET = 1.25;
const BLOCK = 1 << 20;

/** A running scipy peer: each call to run() filters all channels once and returns the seconds taken (wall, CPU). */
async function startPeer(python: string, nCh: number, seconds: number): Promise<{ run(): Promise<{ wall: number; cpu: number }>; stop(): void }> {
  const script = fileURLToPath(new URL('./py/filters.py', import.meta.url));
  const child = spawn(python, [script, String(nCh), String(seconds), String(FS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> => {
    const r = await lines.next();
    if (r.done) throw new Error('the scipy peer exited early');
    return JSON.parse(r.value) as Record<string, number>;
  };
  await next();
  return {
    run: async () => { child.stdin.write('run\n'); const r = await next(); return { wall: r.seconds, cpu: r.cpu_seconds }; },
    stop: () => { child.stdin.end('quit\n'); },
  };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const nCh = ctx.quick ? 2 : 8;
  const seconds = ctx.quick ? 10 : 60;
  const runs = ctx.quick ? 3 : 7;
  const n = seconds * FS;
  const total = nCh * n;
  const rng = new Rng(1);
  const channels = Array.from({ length: nCh }, () => Float32Array.from({ length: n }, () => 20 * rng.normal() + 500));
  const channels64 = channels.map((c) => Float64Array.from(c));
  const sos = bandpassSos(DEFAULT_FILTER, FS);
  const variants: Array<[string, () => void]> = [
    ['f32', () => { for (const c of channels) sosfiltfiltF32(sos, c); }],
    ['f64', () => { for (const c of channels64) sosfiltfilt(sos, c); }],
    ['blocked', () => { for (const c of channels) filtfiltBlocked(sos, (s, e) => c.subarray(s, e), c.length, BLOCK, undefined, () => undefined); }],
  ];
  for (const [, f] of variants) { f(); f(); } // warm-up

  let note: string | undefined;
  let peer: Awaited<ReturnType<typeof startPeer>> | null = null;
  if (ctx.python) {
    try { peer = await startPeer(ctx.python, nCh, seconds); } catch (e) { note = `scipy peer failed: ${(e as Error).message}`; }
  } else {
    note = 'python with scipy is not installed: no reference';
  }
  const cpu: Record<string, number[]> = { f32: [], f64: [], blocked: [], scipy: [] };
  const wall: Record<string, number[]> = { f32: [], f64: [], blocked: [], scipy: [] };
  try {
    for (let r = 0; r < runs; r++) {
      for (const [name, f] of variants) {
        const t0 = performance.now(), c0 = process.cpuUsage();
        f();
        const c = process.cpuUsage(c0);
        cpu[name].push((c.user + c.system) / 1000);
        wall[name].push(performance.now() - t0);
      }
      if (peer) {
        const t = await peer.run();
        cpu.scipy.push(1000 * t.cpu);
        wall.scipy.push(1000 * t.wall);
      }
    }
  } finally {
    peer?.stop();
  }
  const rate = (name: string, from = cpu) => total / median(from[name]) / 1000;
  const ref = cpu.scipy.length ? rate('scipy') : undefined;
  const wallNote = (name: string) => `wall-clock ${rate(name, wall).toFixed(1)} Msamples/s` + (wall.scipy.length ? ` vs scipy ${rate('scipy', wall).toFixed(1)}` : '');

  // fili's per-sample filtfilt (not scipy's definition: no padding or initial conditions), on a slice.
  const filiN = Math.min(n, 300_000);
  const cascade = [
    ...new fili.CalcCascades().highpass({ order: 2, characteristic: 'butterworth', Fs: FS, Fc: DEFAULT_FILTER.lowHz }),
    ...new fili.CalcCascades().lowpass({ order: 2, characteristic: 'butterworth', Fs: FS, Fc: DEFAULT_FILTER.highHz }),
  ];
  const filiInput = Array.from(channels[0].subarray(0, filiN));
  const FiliIir = (fili as unknown as { IirFilter: new (c: unknown) => { filtfilt(x: number[]): number[] } }).IirFilter;
  const filiRate = filiN / (await medianMs(() => new FiliIir(cascade).filtfilt(filiInput), 3, 1)) / 1000;

  const size = `${nCh} ch x ${seconds} s @ 30 kHz, CPU time, median of ${runs} alternating runs`;
  const row = (name: string, key: string, extra: string): BenchRow => {
    const value = rate(key);
    return {
      area: 'filters', name, unit: 'Msamples/s', value,
      ...(ref !== undefined ? { reference: ref, referenceName: 'scipy.signal.sosfiltfilt (float64)', ratio: value / ref, target: `>= ${TARGET}x scipy`, pass: value / ref >= TARGET } : {}),
      note: [size, extra, wallNote(key), note].filter(Boolean).join('; '),
    };
  };
  return [
    row('sosfiltfiltF32 band-pass 300-6000 Hz, order 4+4', 'f32', 'Float32 in/out, float64 state'),
    row('sosfiltfilt float64', 'f64', 'Float64 in/out'),
    row('filtfiltBlocked (low-memory mode)', 'blocked', `blocks of ${BLOCK} samples, margin ${requiredMargin(sos, FS)}`),
    { area: 'filters', name: 'fili IirFilter.filtfilt (information)', unit: 'Msamples/s', value: filiRate, note: `${filiN} samples; fili's own definition, not scipy's` },
  ];
}
