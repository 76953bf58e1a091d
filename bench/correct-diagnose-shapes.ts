// Diagnosis: the cross-channel drift (rank 3) with shapes from the raw channels (as the chain) or from
// the artifact alone (raw - clean), with the chain's onsets or the true ones, and its tracking error
// alone (the chain run on the artifact alone: what remains in 0.5-40 Hz, relative to the clean EEG's
// RMS); the onset error against the truth. Found the unconverged onset refinement on seed 6064.
// Tuning/diagnosis seeds only.
// Usage: npx tsx bench/correct-diagnose-shapes.ts REGIME SEED...
import { seedSetup } from './correct-setup';
import { DEFAULT_CORRECT } from '../src/shared/params';
import { correctChannel } from '../src/workers/correct/chain';
import { bandpass, compareWithClean } from '../src/workers/correct/metrics';
import { prepareCorrection, type CorrectionPlan } from '../src/workers/correct/plan';
import { leadingShapes } from '../src/workers/correct/low-rank';
import { fitChannelTemplate, type TemplateModel } from '../src/workers/correct/spline-aas';
import { median } from '../src/workers/correct/triggers';
const regime = process.argv[2] as 'stationary' | 'drifting';
const f = (v: number, d = 3): string => v.toFixed(d);
for (const seed of process.argv.slice(3).map(Number)) {
  const { rec, raw, clean, done, select } = seedSetup(seed, regime);
  const art = raw.map((x, c) => Float32Array.from(x, (v, i) => v - clean[c][i]));
  const plan = prepareCorrection(raw[0], rec.fs, done.triggers, DEFAULT_CORRECT, {}, select);
  const K = plan.positions.length;
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  const all: TemplateModel = { kind: 'window', window: K };
  const sv = (src: Float32Array[]): { cols: Float64Array[]; s: number[] } => {
    const cols = src.map((x) => fitChannelTemplate((a, b) => x.subarray(a, b), plan, all).coef!);
    return { cols, s: leadingShapes(cols, 3).singular };
  };
  const rs = sv(raw), as = sv(art);
  console.log(`seed ${seed} ${regime}: singular values raw ${rs.s.map((v) => v.toExponential(2)).join(' ')} | artifact ${as.s.map((v) => v.toExponential(2)).join(' ')}`);
  const eegRms = clean.map((y) => { const b = bandpass(y, rec.fs, 0.5, 40).subarray(A0, A1); let s = 0; for (const v of b) s += v * v; return Math.sqrt(s / b.length); });
  const run = (p: CorrectionPlan, label: string): void => {
    const tot = raw.map((x, c) => compareWithClean(correctChannel(x, rec.fs, p, DEFAULT_CORRECT), clean[c], rec.fs, A0, A1));
    const trk = art.map((x, c) => { const b = bandpass(correctChannel(x, rec.fs, p, DEFAULT_CORRECT), rec.fs, 0.5, 40).subarray(A0, A1); let s = 0; for (const v of b) s += v * v; return Math.sqrt(s / b.length) / eegRms[c]; });
    console.log(`  ${label.padEnd(34)} total med ${f(median(tot.map((c) => c.relRmse)))} per ch ${tot.map((c) => f(c.relRmse)).join(' ')} corrW ${f(Math.min(...tot.map((c) => c.corr)), 4)} | tracking per ch ${trk.map((v) => f(v)).join(' ')}`);
  };
  for (const R of [3]) {
    for (const [name, cols] of [['raw shapes', rs.cols], ['artifact shapes', as.cols]] as const) {
      run({ ...plan, template: { kind: 'cross', functions: 11, rank: R }, crossChannel: { rank: R, basis: Array.from(leadingShapes(cols as Float64Array[], R).basis), report: '' } }, `cross r${R} ${name}`);
    }
  }
  const on = rec.truth.onsets;
  const dev = plan.positions.map((p, k) => p - on[k]);
  const mdev = dev.reduce((a, b) => a + b, 0) / dev.length;
  const sd = Math.sqrt(dev.reduce((a, b) => a + (b - mdev) ** 2, 0) / dev.length);
  const thirds = [0, 1, 2].map((t) => { const a = dev.slice(Math.floor((t * K) / 3), Math.floor(((t + 1) * K) / 3)); return a.reduce((x, y) => x + y, 0) / a.length - mdev; });
  console.log(`  onsets - truth: mean ${f(mdev, 4)} SD ${f(sd, 4)} samples; by thirds ${thirds.map((v) => f(v, 4)).join(' ')}; timing ${JSON.stringify(plan.timing)}`);
  const truePlan: CorrectionPlan = { ...plan, positions: Float64Array.from(on, (v) => v + mdev) };
  const tc = raw.map((x) => fitChannelTemplate((a, b) => x.subarray(a, b), truePlan, all).coef!);
  run({ ...truePlan, template: { kind: 'cross', functions: 11, rank: 3 }, crossChannel: { rank: 3, basis: Array.from(leadingShapes(tc, 3).basis), report: '' } }, 'cross r3, true onsets');
  run({ ...truePlan, template: { kind: 'drift', functions: 11, rank: 3 } }, 'drift 11 rank 3, true onsets');
  run({ ...plan, template: { kind: 'drift', functions: 11, rank: 3 } }, 'drift 11 rank 3');
  run({ ...plan, template: all }, 'all epochs');
}
