// Cross-channel low rank (issue #14, deliverable 5): an option whose use the held-out error decides.
// Case where it helps: every gradient axis drifts on one course shared by all channels (the
// 'gradient-drift' regime), so the drift lies in the montage's three artifact shapes, with EEG that
// per-channel drift models take up (flat spectrum, artifact 30-60x the EEG). There the cross-channel
// model is chosen and beats the per-channel choice ('off'). Case where it does not help: the drifting
// regime on tuning seed 2026 (its largest-artifact channels drift outside the shared shapes); there it
// is not chosen, and forcing it would be worse. Both on tuning seed 2026 (built while tuning on it).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT, type CorrectParams } from '../../shared/params';
import { generateEegFmri } from '../synth/eeg-fmri';
import { correctChannel } from './chain';
import { compareWithClean } from './metrics';
import { prepareCorrection } from './plan';
import { median } from './triggers';
import { leadingShapes } from './low-rank';
import { fitChannelTemplate } from './spline-aas';

import type { CorrectionPlan } from './plan';

const N_CH = 4;
const rec = generateEegFmri({
  seed: 2026, nChannels: N_CH, durationS: 70, cleanBeforeS: 5, cleanAfterS: 5, regime: 'gradient-drift',
  aperiodicExponent: 0, artifactRatio: [30, 60], dropTrigger: false,
});
const n = rec.nSamples;
const raw = Array.from({ length: N_CH }, (_, c) => rec.channelBlock(c, 0, n));
const clean = Array.from({ length: N_CH }, (_, c) => rec.cleanBlock(c, 0, n));
const markers = Array.from(rec.truth.onsets, Math.floor);
const select = { count: N_CH, read: (i: number) => raw[i] };

function run(p: CorrectParams): { plan: ReturnType<typeof prepareCorrection>; err: number } {
  const plan = prepareCorrection(raw[0], rec.fs, markers, p, {}, select);
  const errs = raw.map((x, c) => compareWithClean(correctChannel(x, rec.fs, plan, p), clean[c], rec.fs, plan.acqStart, plan.acqEnd).relRmse);
  return { plan, err: median(errs) };
}

describe('cross-channel low rank', () => {
  const auto = run(DEFAULT_CORRECT);
  const off = run({ ...DEFAULT_CORRECT, crossChannel: 'off' });

  it('is chosen by held-out error where the drift is shared by the channels, and helps there', () => {
    expect(auto.plan.template?.kind).toBe('cross');
    expect(auto.plan.crossChannel?.rank).toBeGreaterThan(0);
    expect(auto.plan.crossChannel?.basis?.length).toBe(auto.plan.crossChannel!.rank * (auto.plan.epochLength + 4));
    expect(auto.plan.crossChannel?.report).toMatch(/^used \(rank \d\): held-out error/);
    console.log(`cross-channel: ${auto.plan.crossChannel?.report}; median error ${auto.err.toFixed(4)} vs ${off.err.toFixed(4)} off (${off.plan.templateChoice?.chosen})`);
    expect(auto.err).toBeLessThan(0.9 * off.err);
  });

  it("is neither tried nor reported with crossChannel 'off'", () => {
    expect(off.plan.template?.kind).not.toBe('cross');
    expect(off.plan.crossChannel).toBeNull();
    expect(off.plan.templateChoice?.candidates).not.toMatch(/cross-channel/);
  });
});

describe('cross-channel low rank where it does not help', () => {
  // The evaluation's set-up (8 channels, 4 of them for the choice) on tuning seed 2026.
  const r = generateEegFmri({ seed: 2026, nChannels: 8, durationS: 100, cleanBeforeS: 10, cleanAfterS: 10, regime: 'drifting', dropTrigger: false });
  const nn = r.nSamples;
  const x = Array.from({ length: 8 }, (_, c) => r.channelBlock(c, 0, nn));
  const cl = Array.from({ length: 8 }, (_, c) => r.cleanBlock(c, 0, nn));
  const onsets = Array.from(r.truth.onsets, Math.floor);
  const sel = { count: 4, read: (i: number) => x[2 * i] };
  const plan = prepareCorrection(x[0], r.fs, onsets, DEFAULT_CORRECT, {}, sel);
  const err = (p: CorrectionPlan): number => median(x.map((v, c) => compareWithClean(correctChannel(v, r.fs, p, DEFAULT_CORRECT), cl[c], r.fs, p.acqStart, p.acqEnd).relRmse));

  it('is not chosen, and forcing it would be worse than the per-channel model chosen', () => {
    expect(plan.template?.kind).not.toBe('cross');
    expect(plan.crossChannel?.rank).toBe(0);
    expect(plan.crossChannel?.report).toMatch(/^not used: /);
    // The same plan with the cross-channel drift forced (shapes from the selection channels' all-epoch templates).
    const K = plan.positions.length;
    const cols = [0, 1, 2, 3].map((i) => fitChannelTemplate((a, b) => sel.read(i).subarray(a, b), plan, { kind: 'window', window: K }).coef!);
    const forced: CorrectionPlan = { ...plan, template: { kind: 'cross', functions: 11, rank: 3 }, crossChannel: { rank: 3, basis: Array.from(leadingShapes(cols, 3).basis), report: 'forced' } };
    const chosen = err(plan), cross = err(forced);
    console.log(`drifting (seed 2026): chosen ${plan.templateChoice?.chosen} ${chosen.toFixed(4)}; cross-channel forced ${cross.toFixed(4)}; ${plan.crossChannel?.report}`);
    expect(cross).toBeGreaterThan(chosen);
  });
});
