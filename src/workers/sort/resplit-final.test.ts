import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, type ClusterParams } from '../../shared/params';
import { generateQuirogaRecording } from '../synth/quiroga';
import { clusterStage, detectStage, featureStage, filterStage } from './sort-channel';
import { detectionTruth } from './evaluate';

// ClusterParams.resplitFinal / resplitEvidence / resplitSymmetric / resplitFinalDip on Quiroga-style TUNING seeds
// (test/engine/sort-eval.ts TUNING_SEEDS; never the evaluation seeds), difficult sets.
function channel(seed: number, noiseLevel = 0.2, durationS = 20) {
  const rec = generateQuirogaRecording({ seed, difficulty: 'difficult', noiseLevel, durationS });
  const fs = rec.sampleRate, x = rec.channel(0);
  const filtered = filterStage(x, fs, DEFAULT_SORT.filter);
  const det = detectStage(filtered, fs, DEFAULT_SORT.detect);
  const feat = featureStage(det, DEFAULT_SORT.features);
  const truth = rec.units.map((u) => ({ id: u.id, samples: rec.trains[u.id] }));
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fs));
  const sort = (p: Partial<ClusterParams>) => clusterStage(det, feat, { ...DEFAULT_SORT.cluster, peelMax: 0, ...p }, fs, x.length).labels;
  /** Per found cluster, its detections of each true unit. */
  const composition = (labels: Int32Array): number[][] => {
    const k = labels.reduce((a, l) => Math.max(a, l + 1), 0);
    const c = Array.from({ length: k }, () => new Array<number>(truth.length).fill(0));
    labels.forEach((l, i) => { if (l >= 0 && trueOf[i] >= 0) c[l][trueOf[i]]++; });
    return c;
  };
  /** The cluster holding most of each true unit's detections. */
  const mainOf = (labels: Int32Array): number[] => {
    const c = composition(labels);
    return truth.map((_, u) => c.reduce((best, row, f) => (row[u] > c[best][u] ? f : best), 0));
  };
  /** Per true unit, the clusters whose majority it is. */
  const clustersPerUnit = (labels: Int32Array): number[] => {
    const n = new Array<number>(truth.length).fill(0);
    for (const row of composition(labels)) if (row.some((v) => v > 0)) n[row.indexOf(Math.max(...row))]++;
    return n;
  };
  return { sort, composition, mainOf, clustersPerUnit, nUnits: truth.length };
}

/** True when every cluster of fine lies inside one cluster of coarse (fine refines coarse). */
function refines(fine: Int32Array, coarse: Int32Array): boolean {
  const parent = new Map<number, number>();
  for (let i = 0; i < fine.length; i++) {
    if (fine[i] < 0) continue;
    const p = parent.get(fine[i]);
    if (p === undefined) parent.set(fine[i], coarse[i]);
    else if (p !== coarse[i]) return false;
  }
  return true;
}

/** Without the pass two true units share their main cluster; with it every unit has its own, and it only cuts. */
function expectSeparatedByCuts(c: ReturnType<typeof channel>, off: Int32Array, on: Int32Array): void {
  expect(new Set(c.mainOf(off)).size).toBeLessThan(c.nUnits);
  expect(new Set(c.mainOf(on)).size).toBe(c.nUnits);
  expect(refines(on, off)).toBe(true);
}

describe('final re-split on refractory evidence', () => {
  it('cuts a cluster holding two similar units that the earlier passes left merged', () => {
    const c = channel(108);
    const off = c.sort({ resplitFinal: false });
    expectSeparatedByCuts(c, off, c.sort({}));
    // With an evidence requirement no cut can meet (and no cut kept on its dip score), nothing changes.
    expect(Array.from(c.sort({ resplitEvidence: 1e6, resplitFinalDip: false }))).toEqual(Array.from(off));
  });

  it('does not cut a single unit on one stray violating pair (resplitEvidence)', () => {
    const c = channel(104);
    const off = c.sort({ resplitFinal: false });
    // At any likelihood ratio above 1 (counting pairs of both orders) the pass cuts a piece off one
    // true unit: both halves hold mostly the same unit.
    const weak = c.sort({ resplitEvidence: 1, resplitSymmetric: false });
    const clustersPerUnit = c.clustersPerUnit;
    expect(Math.max(...clustersPerUnit(weak))).toBe(2);
    expect(Math.max(...clustersPerUnit(off))).toBe(1);
    expect(refines(weak, off)).toBe(true);
    // The default evidence requirement leaves this channel as the earlier passes left it.
    expect(Array.from(c.sort({}))).toEqual(Array.from(off));
  });

  it('does not cut a single unit along the distortion close spikes cause each other (resplitSymmetric)', () => {
    // 60 s: enough contaminated pairs for a cut of one unit to reach the evidence threshold when
    // pairs of both orders count.
    const c = channel(105, 0.15, 60);
    const off = c.sort({ resplitFinal: false });
    const both = c.sort({ resplitSymmetric: false });
    // Counting both orders, the pass gives some true unit one more cluster of its own.
    const before = c.clustersPerUnit(off), after = c.clustersPerUnit(both);
    expect(after.some((n, u) => n > before[u])).toBe(true);
    expect(refines(both, off)).toBe(true);
    // Counting the minority order, it leaves the channel as the earlier passes left it.
    expect(Array.from(c.sort({}))).toEqual(Array.from(off));
  });

  it('cuts a merged cluster whose halves are multimodal along their discriminant (resplitFinalDip)', () => {
    // 60 s, difficult 0.15: the merge step joins a pure piece of one unit to a cluster mixing it with
    // a similar unit, and the cut's halves hold too few of the units' close cross pairs for the
    // refractory test; the cut's own discriminant shows two modes.
    const c = channel(106, 0.15, 60);
    const on = c.sort({});
    expectSeparatedByCuts(c, c.sort({ resplitFinalDip: false }), on);
    // The cut follows the units: in each new main cluster one true unit holds most of the detections.
    const comp = c.composition(on);
    for (const f of new Set(c.mainOf(on))) expect(Math.max(...comp[f]) / comp[f].reduce((a, b) => a + b, 0)).toBeGreaterThan(0.75);
  });

  it('tries the joint cut on standardised PCs too, finding a merged pair the raw cut misses (resplitFinalDip)', () => {
    // 60 s, difficult 0.20: a merged cluster of two similar units whose 2-means cut on raw PC scores
    // is not kept; on standardised PCs it is.
    const c = channel(106, 0.2, 60);
    expectSeparatedByCuts(c, c.sort({ resplitFinalDip: false }), c.sort({}));
  });
});
