// Onset refinement (align-spline.ts) where the artifact's shape drifts: each epoch's gains on the
// montage's shapes are fitted with its shift, so the drift is not taken for a shift and the timing model
// gets the true TR. Tuning seed 2026, drifting regime (where one template with a per-epoch amplitude,
// the previous refinement, left the onsets running from +0.13 to -0.36 samples off over the recording).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT } from '../../shared/params';
import { generateEegFmri } from '../synth/eeg-fmri';
import { prepareCorrection } from './plan';
import { REFINE_STEP_TOL, refineWarning } from './align-spline';

const N_CH = 8;
const rec = generateEegFmri({ seed: 2026, nChannels: N_CH, durationS: 60, cleanBeforeS: 5, cleanAfterS: 5, regime: 'drifting', dropTrigger: false });
const n = rec.nSamples;
const raw = Array.from({ length: N_CH }, (_, c) => rec.channelBlock(c, 0, n));
const markers = Array.from(rec.truth.onsets, Math.floor);
// The spread of the onset errors after removing their mean (a constant offset only moves the template).
function spread(nSel: number): { sd: number; drift: number } {
  const plan = prepareCorrection(raw[0], rec.fs, markers, { ...DEFAULT_CORRECT, window: 20 }, {}, { count: nSel, read: (i) => raw[(i * N_CH) / nSel] });
  const d = Array.from(plan.positions, (p, k) => p - rec.truth.onsets[k]);
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  const K = d.length, q = Math.floor(K / 4);
  const mean = (a: number, b: number): number => d.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
  return { sd: Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / K), drift: mean(K - q, K) - mean(0, q) };
}

describe('onset refinement with a drifting artifact shape', () => {
  it('follows the scanner clock with the montage shapes, not with one template per channel', () => {
    const shapes = spread(4), single = spread(1);
    console.log(`onset error SD (mean removed): 4 channels (3 shapes) ${shapes.sd.toFixed(4)}, drift ${shapes.drift.toFixed(4)} samples; 1 channel (its template) ${single.sd.toFixed(4)}, drift ${single.drift.toFixed(4)}`);
    expect(shapes.sd).toBeLessThan(0.02);
    expect(Math.abs(shapes.drift)).toBeLessThan(0.03);
    // One channel has only its own template, whose drift looks partly like a shift.
    expect(single.sd).toBeGreaterThan(3 * shapes.sd);
  });
});

describe('onset refinement passes', () => {
  // Diagnosis seed 6064 (drifting): the correlation alignment starts up to ~0.4 samples off (the drifting
  // shape), and 2 fixed Gauss-Newton passes left the timing model a wrong TR (onsets -0.05 to +0.05
  // samples off over the recording, worst channel 0.095 instead of 0.036). 8 channels as the evaluation,
  // the selection's 4 read.
  const r = generateEegFmri({ seed: 6064, nChannels: 8, durationS: 100, cleanBeforeS: 10, cleanAfterS: 10, regime: 'drifting', dropTrigger: false });
  const nn = r.nSamples;
  const x = [0, 2, 4, 6].map((c) => r.channelBlock(c, 0, nn));
  const on = Array.from(r.truth.onsets, Math.floor);
  const trend = (maxPasses?: number): { drift: number; passes: number; warning: string | null } => {
    const plan = prepareCorrection(x[0], r.fs, on, { ...DEFAULT_CORRECT, window: 20 }, maxPasses ? { refinePasses: maxPasses } : {}, { count: 4, read: (i) => x[i] });
    const d = Array.from(plan.positions, (p, k) => p - r.truth.onsets[k]);
    const K = d.length, q = Math.floor(K / 4);
    const mean = (a: number, b: number): number => d.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
    return { drift: mean(K - q, K) - mean(0, q), passes: plan.refine!.passes, warning: refineWarning(plan.refine) };
  };

  it('run until converged, so the timing model gets the scanner clock', () => {
    const two = trend(2), conv = trend();
    console.log(`onset drift over the recording: 2 passes ${two.drift.toFixed(4)}; ${conv.passes} passes (converged) ${conv.drift.toFixed(4)} samples`);
    expect(Math.abs(two.drift)).toBeGreaterThan(0.03);
    expect(conv.passes).toBeGreaterThan(2);
    expect(Math.abs(conv.drift)).toBeLessThan(0.005);
    // Stopped at the bound before converging: the trigger summary warns; converged: no warning.
    expect(two.warning).toMatch(/did not converge in 2 passes/);
    expect(conv.warning).toBeNull();
    expect(refineWarning({ passes: 6, channels: 4, shapes: 3, lastStepRms: REFINE_STEP_TOL / 2 })).toBeNull();
  });
});
