import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { UNIMODAL_SEPARATION, detectionTruth, errorKinds, evaluateChannel, ldaCrossValidated, truePairs } from './evaluate';

describe('error kinds', () => {
  it('attributes every true spike and every false positive to one kind', () => {
    // Unit 0 at 100..1000 step 100, unit 1 at 150..950 step 200; window 5 samples.
    const t0 = Array.from({ length: 10 }, (_, i) => 100 + 100 * i), t1 = Array.from({ length: 5 }, (_, i) => 150 + 200 * i);
    const truth = [{ id: 0, samples: t0 }, { id: 1, samples: t1 }];
    // Detections: all of unit 0 but its last spike (missed), unit 1's spikes, one background event.
    const samples = Int32Array.from([...t0.slice(0, 9), ...t1, 2000].sort((a, b) => a - b));
    const trueOf = detectionTruth(samples, truth, 5);
    expect(trueOf[samples.indexOf(2000)]).toBe(-1);
    // Labels: unit 0 -> found 0 except one in found 2 (split off) and one in found 1 (misclassified);
    // unit 1 -> found 1 except one in found 0 (false from another unit for 0); background -> found 0;
    // one unit-0 spike left unassigned.
    const labels = Int32Array.from(samples, (s, i) => {
      if (s === 2000) return 0;
      if (trueOf[i] === 0) return s === 200 ? 2 : s === 300 ? 1 : s === 400 ? -1 : 0;
      return s === 350 ? 0 : 1;
    });
    const k = errorKinds(trueOf, labels, truth, Int32Array.from([0, 1]));
    expect(k[0]).toMatchObject({ nTrue: 10, hits: 6, notDetected: 1, unassigned: 1, misclassified: 1, splitOff: 1, falseFromUnit: 1, falseFromBackground: 1 });
    expect(k[1]).toMatchObject({ nTrue: 5, hits: 4, misclassified: 1, falseFromUnit: 1, falseFromBackground: 0 });
  });
});

describe('LDA bound', () => {
  it("predicts as scikit-learn's LinearDiscriminantAnalysis(solver='lsqr', shrinkage=1e-3) in the same 5 folds", () => {
    // test/fixtures/gen/gen_sklearn_lda.py: three spike shapes and a background class in coloured noise.
    const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/sklearn/lda.json', import.meta.url), 'utf8')) as { n: number; d: number; nClass: number; folds: number; X: number[]; y: number[]; pred: number[]; accuracy: number };
    const pred = ldaCrossValidated(Float32Array.from(fx.X), fx.n, fx.d, Int32Array.from(fx.y), fx.nClass, fx.folds);
    const differ = Array.from(pred).filter((p, i) => p !== fx.pred[i]).length;
    // Rows exactly on a boundary could round either way; none should differ in practice.
    expect(differ).toBeLessThanOrEqual(1);
    expect(fx.accuracy).toBeGreaterThan(0.7);
    expect(fx.accuracy).toBeLessThan(0.97); // many rows near a boundary: the comparison is sensitive
    // A different shrinkage moves some of those rows: the fixture tells the settings apart.
    const unbiased = ldaCrossValidated(Float32Array.from(fx.X), fx.n, fx.d, Int32Array.from(fx.y), fx.nClass, fx.folds, 0.05);
    expect(Array.from(unbiased).filter((p, i) => p !== fx.pred[i]).length).toBeGreaterThan(differ);
  });

  it('separates two Gaussian classes in cross-validation and reaches chance on identical ones', () => {
    const rng = new Rng(4);
    const n = 400, d = 6;
    const x = new Float32Array(n * d), y = new Int32Array(n);
    for (let i = 0; i < n; i++) { y[i] = i % 2; for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (y[i] && j === 0 ? 6 : 0); }
    const p = ldaCrossValidated(x, n, d, y, 2);
    expect(p.filter((v, i) => v === y[i]).length / n).toBeGreaterThan(0.99);
    for (let i = 0; i < n; i++) x[i * d] = rng.normal();
    const q = ldaCrossValidated(x, n, d, y, 2);
    const acc = q.filter((v, i) => v === y[i]).length / n;
    expect(acc).toBeGreaterThan(0.3);
    expect(acc).toBeLessThan(0.7);
  });

  it('evaluateChannel reports accuracy and a bound of 1 for a perfect sorting of separable waveforms', () => {
    const rng = new Rng(9);
    const w = 8, n = 200;
    const samples = Int32Array.from({ length: n }, (_, i) => 100 + 50 * i);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const waveforms = new Float32Array(n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) waveforms[i * w + j] = rng.normal() + (labels[i] ? 8 : -8) * (j === 3 ? 1 : 0);
    const truth = [0, 1].map((u) => ({ id: u, samples: Array.from(samples).filter((_, i) => labels[i] === u) }));
    const ev = evaluateChannel({ samples, labels, waveforms, width: w }, truth, 30000);
    for (const e of ev) { expect(e.accuracy).toBe(1); expect(e.bound).toBe(1); }
  });

  it('truePairs: a pair of units 6 SD apart is bimodal along its discriminant, a pair 1 SD apart is hidden (unimodal even when cut by the truth)', () => {
    const rng = new Rng(21);
    const w = 8, n = 2000;
    const pairDip = (sep: number): number => {
      const trueOf = Int32Array.from({ length: n }, (_, i) => i % 2);
      const waveforms = new Float32Array(n * w);
      for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) waveforms[i * w + j] = rng.normal() + (trueOf[i] ? sep / 2 : -sep / 2) * (j === 2 ? 1 : 0);
      return truePairs({ samples: new Int32Array(n), labels: trueOf, waveforms, width: w }, trueOf, 2).dip[1];
    };
    expect(pairDip(6)).toBeGreaterThan(2);
    expect(pairDip(1)).toBeLessThan(1);
    // The held-out d' is the separation itself (unit-variance clouds), whatever the dip test's power.
    const sep = (d: number): number => {
      const trueOf = Int32Array.from({ length: n }, (_, i) => i % 2);
      const waveforms = new Float32Array(n * w);
      for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) waveforms[i * w + j] = rng.normal() + (trueOf[i] ? d / 2 : -d / 2) * (j === 2 ? 1 : 0);
      return truePairs({ samples: new Int32Array(n), labels: trueOf, waveforms, width: w }, trueOf, 2).separation[1];
    };
    expect(sep(6)).toBeCloseTo(6, 0);
    expect(sep(1.5)).toBeGreaterThan(1.2);
    expect(sep(1.5)).toBeLessThan(UNIMODAL_SEPARATION);
    const ev = evaluateChannel({ samples: Int32Array.from({ length: 4 }, (_, i) => 100 * i), labels: new Int32Array(4), waveforms: new Float32Array(4 * w), width: w }, [{ id: 0, samples: [0, 100, 200, 300] }], 30000);
    expect(ev[0].pairDip).toBe(Infinity);
  });

  it('bound with hidden pairs joined: the units of a hidden pair are one class to it, a unit apart keeps its bound', () => {
    const rng = new Rng(23);
    const w = 8, n = 1500;
    // Units 0 and 1 are 1.2 SD apart (hidden: an even mixture is unimodal below 2), unit 2 far away.
    const trueOf = Int32Array.from({ length: n }, (_, i) => i % 3);
    const samples = Int32Array.from({ length: n }, (_, i) => 100 + 50 * i);
    const waveforms = new Float32Array(n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) waveforms[i * w + j] = rng.normal() + (j === 2 ? [-0.6, 0.6, 0][trueOf[i]] : 0) + (j === 5 && trueOf[i] === 2 ? 8 : 0);
    const truth = [0, 1, 2].map((u) => ({ id: u, samples: Array.from(samples).filter((_, i) => trueOf[i] === u) }));
    const ev = evaluateChannel({ samples, labels: trueOf, waveforms, width: w }, truth, 30000);
    expect(ev[0].pairSeparation).toBeLessThan(UNIMODAL_SEPARATION);
    expect(ev[2].pairSeparation).toBeGreaterThan(5);
    // One class for the pair: one unit gets about half (the other's spikes are its false positives),
    // the other none, below what the supervised bound gets for the two.
    const pair = [ev[0].joinedBound, ev[1].joinedBound].sort((a, b) => a - b);
    expect(pair[0]).toBe(0);
    expect(pair[1]).toBeGreaterThan(0.4);
    expect(pair[1]).toBeLessThan(0.6);
    expect(ev[0].bound + ev[1].bound).toBeGreaterThan(pair[1] + 0.3);
    expect(ev[2].joinedBound).toBeGreaterThan(0.97);
    // Without a hidden pair it is the bound.
    const apart = evaluateChannel({ samples, labels: trueOf, waveforms: waveforms.map((v, k) => v + ((k % w) === 3 ? [-4, 4, 0][trueOf[Math.floor(k / w)]] : 0)), width: w }, truth, 30000);
    for (const e of apart) expect(e.joinedBound).toBe(e.bound);
  });

  it('truePairs: a unit with fewer detections than minUnitSpikes is not measured, so it does not hide its neighbours', () => {
    const rng = new Rng(22);
    const w = 8, n = 1205;
    // Units 0 and 1 (600 detections each, 6 SD apart) and unit 2 with 5 detections: its pairs
    // would score 0 (a dip score of a handful of rows) and call both big units hidden.
    const trueOf = Int32Array.from({ length: n }, (_, i) => (i < 5 ? 2 : i % 2));
    const samples = Int32Array.from({ length: n }, (_, i) => 100 + 50 * i);
    const waveforms = new Float32Array(n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) waveforms[i * w + j] = rng.normal() + (j === 2 ? [-3, 3, 0][trueOf[i]] : 0);
    const dips = truePairs({ samples, labels: trueOf, waveforms, width: w }, trueOf, 3).dip;
    expect(dips[0 * 3 + 1]).toBeGreaterThan(2);
    expect(Number.isNaN(dips[0 * 3 + 2]) && Number.isNaN(dips[1 * 3 + 2])).toBe(true);
    const truth = [0, 1, 2].map((u) => ({ id: u, samples: Array.from(samples).filter((_, i) => trueOf[i] === u) }));
    const ev = evaluateChannel({ samples, labels: trueOf, waveforms, width: w }, truth, 30000);
    expect(ev[0].pairDip).toBeGreaterThan(2);
    expect(ev[1].pairDip).toBeGreaterThan(2);
    expect(ev[2].pairDip).toBe(Infinity);
    expect(ev[0].pairSeparation).toBeGreaterThan(5);
    expect(ev[2].pairSeparation).toBe(Infinity);
  });
});
