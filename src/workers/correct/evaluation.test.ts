// Evaluation of gradient-artifact correction on the synthetic EEG-fMRI generator, on named evaluation
// seeds that were never used for tuning (tuning and exploration used TUNING_SEED only), in both
// regimes: 'stationary' (only the artifact amplitude varies) and 'drifting' (its shape drifts with
// slow head motion, so a long window is wrong). Triggers come as a user gets them: whole-sample
// markers with one missing and one spurious trigger. Stages: the default chain (spline template with
// the model chosen from held-out error, alignment + timing model) -> 70 Hz low-pass, against a
// FASTR-style upsampled AAS (x10, 30 epochs, alignment, low-pass). Prints the table; asserts the
// acceptance figures of issue #14 after the default chain.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT, type CorrectParams } from '../../shared/params';
import { generateEegFmri } from '../synth/eeg-fmri';
import { correctChannel, type StageName } from './chain';
import { compareWithClean, errorSpectrumSplit, harmonicPowerDb, bandpass } from './metrics';
import { montageChannels, prepareCorrection } from './plan';
import { analyzeTriggers, completeMissing, median, triggersFromEvents } from './triggers';

/** Seeds used while developing and tuning: 11 (constants, candidate sets, guard), 2026/2027 (the held-out
 * band skipping the trend term was changed after looking at them; the reduced-rank drift and the
 * cross-channel model were built and checked on them, all three regimes), 3031/3032 (looked at before
 * the spline onset refinement was added; 3032 drifting showed the shapes from 4 channels too weak) and
 * 5051-5053 (drifting, added to check the shape-robust onset refinement and the cross-channel decision
 * on more drifts) and 6061-6068 (fresh seeds of the sixth round, then diagnosis seeds: the cross-channel
 * rank chosen by held-out error came from 6067, the onset refinement run until converged from 6064;
 * bench/correct-diagnose*.ts). Never evaluated here. */
export const TUNING_SEEDS = [11, 2026, 2027, 3031, 3032, 5051, 5052, 5053, 6061, 6062, 6063, 6064, 6065, 6066, 6067, 6068];
/** Evaluation seeds, disjoint from TUNING_SEEDS, run once after the last change of the method. */
export const EVALUATION_SEEDS = { stationary: 4041, drifting: 4042 } as const;
/** Further evaluation seeds, disjoint from TUNING_SEEDS and never used for tuning, both regimes each, run with
 * `npx tsx bench/correct-seeds.ts SEED...` (8 ch x 100 s; too slow for the unit suite; results in
 * bench/results/correct-seeds-*.jsonl): 7071-7078 run once at d8c1a1c as a baseline (6 of 16 runs missed a
 * limit) and again after the last change of the method (a11f80c: 16 of 16 met); 8081-8088 first run at a11f80c
 * (16 of 16 met). */
export const FURTHER_EVALUATION_SEEDS = [7071, 7072, 7073, 7074, 7075, 7076, 7077, 7078, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088];

const N_CH = 8;

interface Row { regime: string; stage: string; relRmseMedian: number; relRmseWorst: number; corrMedian: number; corrWorst: number; harmonicShare: number; harmonicsDbMaxAbs: number }

function run(regime: 'stationary' | 'drifting'): { rows: Row[]; template: string; cross: string; crossRank: number; timing: string; triggers: string } {
  const rec = generateEegFmri({ seed: EVALUATION_SEEDS[regime], nChannels: N_CH, durationS: 100, cleanBeforeS: 10, cleanAfterS: 10, regime, spuriousTrigger: true });
  const n = rec.nSamples;
  const raw = Array.from({ length: N_CH }, (_, c) => rec.channelBlock(c, 0, n));
  const clean = Array.from({ length: N_CH }, (_, c) => rec.cleanBlock(c, 0, n));
  const found = analyzeTriggers(triggersFromEvents(rec.events, 'R128'), rec.fs);
  const done = completeMissing(found, raw[0]);
  expect(found.removed).toEqual([rec.truth.spurious]);
  expect(done.triggers.length).toBe(rec.truth.onsets.length);
  const fastr: CorrectParams = { ...DEFAULT_CORRECT, engine: 'upsampled', window: 30 };
  // As the engine's global stage reads the montage: 4 channels for the choice, all 8 for the shapes.
  const { pick, shapes, of } = montageChannels([...Array(N_CH).keys()]);
  const select = { count: pick.length, read: (i: number) => raw[pick[i]], shapeSource: { count: shapes.length, read: (i: number) => raw[shapes[i]], of } };
  const plan = prepareCorrection(raw[0], rec.fs, done.triggers, DEFAULT_CORRECT, {}, select);
  const planF = prepareCorrection(raw[0], rec.fs, done.triggers, fastr);
  const A0 = plan.acqStart, A1 = plan.acqEnd;
  const f0 = rec.truth.sliceFreqHz;
  const evaluate = (stage: string, out: Float32Array[]): Row => {
    const cmp = out.map((y, c) => compareWithClean(y, clean[c], rec.fs, A0, A1));
    const share = out.map((y, c) => errorSpectrumSplit(bandpass(y, rec.fs, 0.5, 40), bandpass(clean[c], rec.fs, 0.5, 40), rec.fs, A0, A1, f0).harmonic);
    const harm = out.map((y, c) => {
      const a = harmonicPowerDb(y, rec.fs, f0, 3, A0, A1), b = harmonicPowerDb(clean[c], rec.fs, f0, 3, A0, A1);
      return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    });
    return {
      regime, stage, relRmseMedian: median(cmp.map((c) => c.relRmse)), relRmseWorst: Math.max(...cmp.map((c) => c.relRmse)),
      corrMedian: median(cmp.map((c) => c.corr)), corrWorst: Math.min(...cmp.map((c) => c.corr)), harmonicShare: median(share), harmonicsDbMaxAbs: Math.max(...harm),
    };
  };
  const stages: Partial<Record<StageName, Float32Array[]>> = {};
  const keep = (x: Float32Array) => (stage: StageName, w: Float64Array): void => {
    const y = Float32Array.from(x);
    for (let i = 0; i < w.length; i++) y[A0 + i] = w[i];
    (stages[stage] ??= []).push(y);
  };
  for (const x of raw) correctChannel(x, rec.fs, plan, DEFAULT_CORRECT, undefined, keep(x));
  const ours = { ...stages };
  for (const k of Object.keys(stages)) delete stages[k as StageName];
  for (const x of raw) correctChannel(x, rec.fs, planF, fastr, undefined, keep(x));
  const rows = [
    evaluate('uncorrected', raw),
    evaluate('FASTR-style AAS x10, 30 ep', stages.aas!),
    evaluate('FASTR-style + LP 70', stages.lowpass!),
    evaluate('spline AAS (model from data)', ours.aas!),
    evaluate('spline AAS + LP 70 (default)', ours.lowpass!),
  ];
  return {
    rows, template: `${plan.templateChoice?.chosen} [${plan.templateChoice?.candidates}]`,
    cross: plan.crossChannel?.report ?? 'not tried', crossRank: plan.crossChannel?.rank ?? -1,
    timing: plan.timing ? `timing model used=${plan.timing.used}, residual SD ${plan.timing.residualSd.toFixed(4)} samples` : 'none',
    triggers: `removed ${found.removed.length}, completed ${done.added.length}, volume gap ${(found.volumeGap / found.medianSpacing).toFixed(2)}x slice spacing`,
  };
}

describe('gradient-artifact correction on synthetic EEG-fMRI (evaluation seeds)', () => {
  const results = { stationary: run('stationary'), drifting: run('drifting') };
  it('prints the table by stage and regime', () => {
    for (const [regime, r] of Object.entries(results)) console.log(`${regime}: template ${r.template}; cross-channel low rank ${r.cross}; ${r.timing}; triggers: ${r.triggers}`);
    console.table([...results.stationary.rows, ...results.drifting.rows].map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(4)) : v]))));
  });

  it('meets the acceptance figures after the default chain (both regimes, median and worst channel)', () => {
    const st = results.stationary.rows.at(-1)!, dr = results.drifting.rows.at(-1)!;
    expect(st.relRmseMedian).toBeLessThanOrEqual(0.05);
    expect(st.relRmseWorst).toBeLessThanOrEqual(0.08);
    expect(st.corrWorst).toBeGreaterThanOrEqual(0.998);
    // Drifting regime (issue: at most 0.10 median, correlation >= 0.998). Run on seed 4042 after the last
    // change of the method (a11f80c: the all-epoch template's low band across channels, low-band.ts; the
    // cross-channel rank by held-out error; onset refinement until converged): median 0.0043, worst 0.0110,
    // correlation 0.9999 on every channel, cross-channel drift (3 shapes) chosen. Stationary (4041): 0.0092 /
    // 0.0115, 0.9999, all 780 epochs. The session before: drifting 0.0384 / 0.0464 / 0.9989, stationary
    // 0.0201 / 0.0218; before that drifting worst 0.122 / 0.9927 (the onsets drifted with the artifact's
    // shape, so the cross-channel drift could not follow the largest-artifact channel).
    expect(dr.relRmseMedian).toBeLessThanOrEqual(0.10);
    expect(dr.corrMedian).toBeGreaterThanOrEqual(0.998);
    expect(dr.corrWorst).toBeGreaterThanOrEqual(0.998);
    // Earlier, the drifting error was the EEG near the slice harmonics that local templates
    // take up (tuning seed 2026: leak 0.12-0.22 of the EEG vs tracking error < 0.005 for every per-channel
    // model that varies over time; the error's power lies within 0.25 Hz of the slice harmonics, spread
    // over the recording, not at its edges or volume gaps). The cross-channel drift keeps the template
    // from all epochs and lets it vary only through shapes from other channels, with gains fitted to the
    // gradient detail (cross-drift.ts). On tuning seed 2026 its tracking errors came from onsets that
    // followed the drifting shape (align-spline.ts); with the onsets fixed it gave worst 0.046-0.051 where
    // the per-channel models chosen by the held-out error gave 0.155, but that error (in the band) still
    // preferred them: it rewards the EEG they take up, so select.ts decides the cross-channel model from
    // the error above the band (crossDecision). Tuning seeds, drifting, worst channel before -> after:
    // 2026 0.155 -> 0.046, 2027 0.147 -> 0.066, 3031 0.093 -> 0.054, 3032 0.115 -> 0.043; stationary
    // unchanged or better (2026 0.049 -> 0.044). What remained on 2027/5052/5053 (worst 0.066/0.114/0.066,
    // the same in both regimes) was EEG coherent with the slice train in the all-epoch template itself;
    // low-band.ts removes it across channels (worst 0.009/0.014/0.012 stationary).
    // OBS (70 Hz high-pass, FASTR) is off by default: on tuning seed 3031 it changed the median error
    // from 0.0395 to 0.0396. Both regimes beat the FASTR-style reference by far.
    for (const r of [results.stationary.rows, results.drifting.rows]) expect(r.at(-1)!.relRmseMedian).toBeLessThan(0.7 * r[2].relRmseMedian);
  });

  it('tries the cross-channel low rank in both regimes and reports the held-out decision', () => {
    // Used or not is the held-out error's call (both cases are tested in cross-channel.test.ts).
    for (const r of [results.stationary, results.drifting]) {
      expect(r.crossRank).toBeGreaterThanOrEqual(0);
      expect(r.cross).toMatch(/^(used \(rank \d\)|not used): held-out error of the best cross-channel model \(rank \d\) \d\.\d{3}, best per-channel model/);
    }
  });
});
