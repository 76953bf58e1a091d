// The default correction chain on any seeds of the synthetic EEG-fMRI generator (8 ch x 100 s, both
// regimes, the evaluation's trigger handling), one JSON line per seed and regime. Used to measure how
// the acceptance figures of #14 hold beyond the two named evaluation seeds (seeds 6061-6068 were first
// run at 9457359 and after the shape-robust onset refinement; never used for tuning).
// Usage: npx tsx bench/correct-seeds.ts 6061 6062 ...
import { seedSetup } from './correct-setup';
import { DEFAULT_CORRECT } from '../src/shared/params';
import { correctChannel, type StageName } from '../src/workers/correct/chain';
import { compareWithClean } from '../src/workers/correct/metrics';
import { prepareCorrection } from '../src/workers/correct/plan';
import { median } from '../src/workers/correct/triggers';
const seeds = process.argv.slice(2).map(Number);
for (const seed of seeds) for (const regime of ['stationary', 'drifting'] as const) {
  const { rec, raw, clean, found, done, select } = seedSetup(seed, regime);
  const plan = prepareCorrection(raw[0], rec.fs, done.triggers, DEFAULT_CORRECT, {}, select);
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  const outs: Float32Array[] = [];
  for (const x of raw) correctChannel(x, rec.fs, plan, DEFAULT_CORRECT, undefined, (stage: StageName, w: Float64Array) => {
    if (stage !== 'lowpass') return;
    const y = Float32Array.from(x); for (let i = 0; i < w.length; i++) y[A0 + i] = w[i]; outs.push(y);
  });
  const cmp = outs.map((y, c) => compareWithClean(y, clean[c], rec.fs, A0, A1));
  const trig = `truth ${rec.truth.onsets.length} found ${done.triggers.length} removed ${found.removed.length}`;
  console.log(JSON.stringify({ seed, regime, med: +median(cmp.map((c) => c.relRmse)).toFixed(4), worst: +Math.max(...cmp.map((c) => c.relRmse)).toFixed(4), corrMed: +median(cmp.map((c) => c.corr)).toFixed(5), corrWorst: +Math.min(...cmp.map((c) => c.corr)).toFixed(5), model: plan.templateChoice?.chosen, sliceHz: +rec.truth.sliceFreqHz.toFixed(3), cross: plan.crossChannel?.rank ?? -1, refine: plan.refine?.passes, lowBand: plan.lowBand ? +plan.lowBand.fitRatio.toFixed(2) + (plan.lowBand.model ? ' used' : ' not used') : 'not tried', trig }));
}
