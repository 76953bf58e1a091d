// Diagnosis: onset error of the global stage (refined onsets + timing model) against the generator's true
// onsets, per seed: SD after removing the mean, and the mean error in each third of the recording (a
// wrong TR shows as a trend). Variants: the selection's 4 channels (as the chain) or all 8.
// Usage: npx tsx bench/correct-diagnose-onsets.ts REGIME SEED...
import { N_CH, seedSetup } from './correct-setup';
import { DEFAULT_CORRECT } from '../src/shared/params';
import { prepareCorrection } from '../src/workers/correct/plan';
const regime = process.argv[2] as 'stationary' | 'drifting';
const f = (v: number, d = 4): string => v.toFixed(d);
for (const seed of process.argv.slice(3).map(Number)) {
  const { rec, raw, done, pick, shapes, of } = seedSetup(seed, regime);
  const variants: Array<[string, { count: number; read: (i: number) => Float32Array; shapeSource?: { count: number; read: (i: number) => Float32Array; of: number[] } }]> = [
    ['4 channels', { count: pick.length, read: (i: number) => raw[pick[i]], shapeSource: { count: shapes.length, read: (i: number) => raw[shapes[i]], of } }],
    ['8 channels', { count: N_CH, read: (i: number) => raw[i] }],
  ];
  const out: string[] = [];
  for (const [name, sel] of variants) {
    const plan = prepareCorrection(raw[0], rec.fs, done.triggers, { ...DEFAULT_CORRECT, window: 40 }, { refinePasses: Number(process.env.PASSES ?? 2) }, sel);
    const K = plan.positions.length, on = rec.truth.onsets;
    const dev = plan.positions.map((p, k) => p - on[k]);
    const m = dev.reduce((a, b) => a + b, 0) / K;
    const sd = Math.sqrt(dev.reduce((a, b) => a + (b - m) ** 2, 0) / K);
    const th = [0, 1, 2].map((t) => { const a = dev.slice(Math.floor((t * K) / 3), Math.floor(((t + 1) * K) / 3)); return a.reduce((x, y) => x + y, 0) / a.length - m; });
    out.push(`${name}: SD ${f(sd)} thirds ${th.map((v) => f(v)).join(' ')} (timing residual SD ${f(plan.timing?.residualSd ?? NaN)})`);
  }
  console.log(`seed ${seed} ${regime}: ${out.join(' | ')}`);
}
