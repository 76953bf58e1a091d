// Filter benchmarks: zero-phase 300-6000 Hz band-pass (4th-order high-pass + 4th-order low-pass, the
// default FilterParams) at 30 kHz, one channel at a time on one core, in Msamples/s: our Float32 hot
// path, the float64 variant and the blocked low-memory variant against scipy.signal.sosfiltfilt
// (float64, bench/py/filters.py) measured in the same run; fili's own filtfilt for information.

import { execFileSync } from 'node:child_process';
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

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const nCh = ctx.quick ? 2 : 8;
  const seconds = ctx.quick ? 10 : 60;
  const runs = ctx.quick ? 3 : 5;
  const n = seconds * FS;
  const total = nCh * n;
  const rng = new Rng(1);
  const channels = Array.from({ length: nCh }, () => Float32Array.from({ length: n }, () => 20 * rng.normal() + 500));
  const channels64 = channels.map((c) => Float64Array.from(c));
  const sos = bandpassSos(DEFAULT_FILTER, FS);
  const msps = (ms: number, samples = total) => samples / ms / 1000;

  const f32 = msps(await medianMs(() => { for (const c of channels) sosfiltfiltF32(sos, c); }, runs, 2));
  const f64 = msps(await medianMs(() => { for (const c of channels64) sosfiltfilt(sos, c); }, runs, 2));
  const block = 1 << 20;
  const blocked = msps(await medianMs(() => {
    for (const c of channels) filtfiltBlocked(sos, (s, e) => c.subarray(s, e), c.length, block, undefined, () => undefined);
  }, runs, 1));

  // fili's per-sample filtfilt (not scipy's definition: no padding or initial conditions), on a slice.
  const filiN = Math.min(n, 300_000);
  const cascade = [
    ...new fili.CalcCascades().highpass({ order: 2, characteristic: 'butterworth', Fs: FS, Fc: DEFAULT_FILTER.lowHz }),
    ...new fili.CalcCascades().lowpass({ order: 2, characteristic: 'butterworth', Fs: FS, Fc: DEFAULT_FILTER.highHz }),
  ];
  const filiInput = Array.from(channels[0].subarray(0, filiN));
  const filiRate = msps(await medianMs(() => new (fili as unknown as { IirFilter: new (c: unknown) => { filtfilt(x: number[]): number[] } })
    .IirFilter(cascade).filtfilt(filiInput), 3, 1), filiN);

  let ref: number | undefined;
  let note: string | undefined;
  if (ctx.python) {
    try {
      const script = fileURLToPath(new URL('./py/filters.py', import.meta.url));
      const out = execFileSync(ctx.python, [script, String(nCh), String(seconds), String(FS), String(runs)], { encoding: 'utf8', timeout: 600_000 });
      ref = (JSON.parse(out.trim().split('\n').pop()!) as { msamples_per_s: number }).msamples_per_s;
    } catch (e) {
      note = `scipy peer failed: ${(e as Error).message.split('\n')[0]}`;
    }
  } else {
    note = 'python with scipy is not installed: no reference';
  }
  const size = `${nCh} ch x ${seconds} s @ 30 kHz`;
  const row = (name: string, value: number, extra: string): BenchRow => ({
    area: 'filters', name, unit: 'Msamples/s', value,
    ...(ref !== undefined ? { reference: ref, referenceName: 'scipy.signal.sosfiltfilt (float64)', ratio: value / ref, target: `>= ${TARGET}x scipy`, pass: value / ref >= TARGET } : {}),
    note: [size, extra, note].filter(Boolean).join('; '),
  });
  return [
    row('sosfiltfiltF32 band-pass 300-6000 Hz, order 4+4', f32, 'Float32 in/out, float64 state'),
    row('sosfiltfilt float64', f64, 'Float64 in/out'),
    row('filtfiltBlocked (low-memory mode)', blocked, `blocks of ${block} samples, margin ${requiredMargin(sos, FS)}`),
    { area: 'filters', name: 'fili IirFilter.filtfilt (information)', unit: 'Msamples/s', value: filiRate, note: `${filiN} samples; fili's own definition, not scipy's` },
  ];
}
