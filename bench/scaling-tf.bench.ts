// Time-frequency scaling table (issue #16): 4 channels x 3 recording lengths x 3 frequency counts, each
// strategy (by channel, by frequency batch, by recording = the same channels as 2 recordings of 2) on 2
// workers against our 1 worker and MNE's tfr_array_morlet n_jobs=1, whole child processes (spawn to
// exit), with the automatic choice for each size. Quick mode: 0.25-1 min.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cwtGeometry } from '../src/workers/tf/cwt';
import { chooseStrategy } from '../src/workers/tf/strategy';
import { DECIM, freqList, N_CYCLES, runMne, runOurs, SFREQ, writeData, type RunOut } from './tf.bench';
import type { BenchContext, BenchRow } from './types';

const AREA = 'scaling-tf';
/** Recording lengths (minutes, 4 channels) of the scaling table: a few minutes for the whole table. */
const SCALING_MINUTES = [1, 2, 4];

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = path.join(ctx.tmpDir, AREA);
  fs.mkdirSync(dir, { recursive: true });
  const py = ctx.python;
  const sc = 4;
  const lengths = ctx.quick ? [0.25, 0.5, 1] : SCALING_MINUTES;
  const counts = [10, 19, 37];
  for (const len of lengths) {
    const ns = Math.round(len * 60 * SFREQ);
    const whole = path.join(dir, `s${len}.f32`);
    writeData(whole, sc, ns, 21);
    // The same channels as two recordings of two channels, for the by-recording strategy.
    const halves = [path.join(dir, `s${len}-a.f32`), path.join(dir, `s${len}-b.f32`)];
    const buf = fs.readFileSync(whole);
    fs.writeFileSync(halves[0], buf.subarray(0, 2 * ns * 4));
    fs.writeFileSync(halves[1], buf.subarray(2 * ns * 4));
    for (const nf of counts) {
      const fl = freqList(nf);
      const gs = cwtGeometry(ns, SFREQ, { freqs: fl, nCycles: N_CYCLES, zeroMean: false, decim: DECIM });
      const choice = chooseStrategy({ geom: gs, nFreqs: nf, channels: [sc], workers: 2 });
      const choice1 = chooseStrategy({ geom: gs, nFreqs: nf, channels: [1], workers: 2 });
      const m = py ? runMne(py, whole, sc, ns, fl, 1) : null;
      // Each strategy on 2 workers against our 1 worker, whole-process times.
      const one = runOurs([whole], sc, ns, fl, 1, 'channel', 1);
      const res: Record<string, RunOut> = {
        channel: runOurs([whole], sc, ns, fl, 2, 'channel', 1),
        frequency: runOurs([whole], sc, ns, fl, 2, 'frequency', 2),
        recording: runOurs(halves, 2, ns, fl, 2, 'recording', 1),
      };
      for (const [s, r] of Object.entries(res)) {
        rows.push({
          area: AREA, name: `scaling ${sc} ch x ${len} min x ${nf} freqs: ${s}, 2 workers`, unit: 's', value: r.wall,
          reference: m?.wall, referenceName: 'MNE n_jobs=1', ratio: m ? m.wall / r.wall : undefined,
          note: `peak ${r.peakMB.toFixed(0)} MB, load ${r.load}; speed-up vs our 1 worker ${(one.wall / r.wall).toFixed(2)}x${s === choice.strategy ? ` (auto choice for ${sc} ch: ${s}, ${choice.batches} batch(es))` : ''}${s === 'frequency' ? `; auto choice for 1 ch: ${choice1.strategy}, ${choice1.batches} batches` : ''}`,
        });
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return rows;
}
