// Diagnosis of the template-model choice on any seeds of the synthetic EEG-fMRI generator (8 ch x 100 s):
// for every candidate model the TRUE error of the default chain against the clean EEG (rel. RMSE
// 0.5-40 Hz and correlation per channel), next to what the selection saw (held-out error in the band and
// above it, per channel, relative to the channel's best candidate). Tuning/diagnosis seeds only.
// Usage: npx tsx bench/correct-diagnose.ts REGIME SEED...
import { N_CH, seedSetup } from './correct-setup';
import { DEFAULT_CORRECT } from '../src/shared/params';
import { correctChannel, type StageName } from '../src/workers/correct/chain';
import { compareWithClean } from '../src/workers/correct/metrics';
import { prepareCorrection, type CorrectionPlan } from '../src/workers/correct/plan';
import { candidateModels, describeModel } from '../src/workers/correct/select';
import { selectionShapes } from '../src/workers/correct/cross-channel';
import { heldOutErrors, heldOutShared } from '../src/workers/correct/held-out';
import { median } from '../src/workers/correct/triggers';
const regime = process.argv[2] as 'stationary' | 'drifting';
const seeds = process.argv.slice(3).map(Number);
const f = (v: number, d = 3): string => v.toFixed(d);
for (const seed of seeds) {
  const { rec, raw, clean, done, pick, select } = seedSetup(seed, regime);
  const plan = prepareCorrection(raw[0], rec.fs, done.triggers, DEFAULT_CORRECT, {}, select);
  const K = plan.positions.length;
  console.log(`seed ${seed} ${regime}: chosen ${plan.templateChoice?.chosen}; picks ${pick}`);
  console.log(`  candidates: ${plan.templateChoice?.candidates}`);
  console.log(`  cross: ${plan.crossChannel?.report}`);
  // Shapes with every channel as a "selection" channel (others(c) leaves channel c out).
  const all = selectionShapes({ count: N_CH, read: (i) => raw[i], of: [...Array(N_CH).keys()] }, plan)!;
  const models = candidateModels(K, all.maxRank);
  const shared = heldOutShared();
  const ho = raw.map((x, c) => heldOutErrors(x, plan, models, all.others(c), shared));
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  for (const [j, m] of models.entries()) {
    const p: CorrectionPlan = { ...plan, template: m, crossChannel: m.kind === 'cross' ? { rank: m.rank, basis: all.all(m.rank), report: '' } : null };
    const cmp = raw.map((x, c) => {
      let y: Float32Array | null = null;
      correctChannel(x, rec.fs, p, DEFAULT_CORRECT, undefined, (stage: StageName, w: Float64Array) => {
        if (stage !== 'lowpass') return;
        y = Float32Array.from(x); for (let i = 0; i < w.length; i++) y[A0 + i] = w[i];
      });
      return compareWithClean(y!, clean[c], rec.fs, A0, A1);
    });
    const rel = cmp.map((c) => c.relRmse);
    const hoBand = ho.map((h) => h.errors[j] / Math.min(...h.errors));
    const hoHigh = ho.map((h) => h.errorsHigh[j] / Math.min(...h.errorsHigh));
    console.log(`  ${describeModel(m, K).padEnd(52)} true med ${f(median(rel))} worst ${f(Math.max(...rel))} corrW ${f(Math.min(...cmp.map((c) => c.corr)), 4)} | per ch ${rel.map((v) => f(v)).join(' ')} | HO band ${hoBand.map((v) => f(v, 2)).join(' ')} | HO high ${hoHigh.map((v) => f(v, 2)).join(' ')}`);
  }
}
