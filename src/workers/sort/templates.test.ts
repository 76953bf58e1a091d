import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { buildTemplates, mergeUnimodal, pairKey, shiftDistance2, splitClusters, whitenRows } from './templates';
import { refractoryVeto } from './refractory';

const w = 40;
/** Smooth biphasic shape of given width and amplitude, shifted by `shift` samples. */
const shape = (amp: number, width: number, shift: number) => (j: number) => {
  const t = j - 12 - shift;
  return amp * (-Math.exp(-0.5 * (t / width) ** 2) + 0.35 * Math.exp(-0.5 * ((t - 4 * width) / (2 * width)) ** 2));
};

/** Rows of unit-variance white noise plus one of the shapes (index per row), jittered by up to +-jitter samples. */
function rows(which: number[], shapes: Array<[number, number]>, jitter: number, rng: Rng): Float32Array {
  const x = new Float32Array(which.length * w);
  which.forEach((u, r) => {
    const f = shape(shapes[u][0], shapes[u][1], jitter * (2 * rng.uniform() - 1));
    for (let j = 0; j < w; j++) x[r * w + j] = f(j) + rng.normal();
  });
  return x;
}

const none = new Float64Array(0); // white noise: identity whitener
/** The defaults of ClusterParams dipThreshold, templateMaxShift and isocutBinSize. */
const UNI = { dipThreshold: 1, maxShift: 1, binSize: 16 };

/** Sampling geometry of the refractory tests: 24 kHz, 60 s; refractory period 2 ms (48 samples);
 * the test counts cross pairs from the dead time (1 ms, 24) to 1.5 ms (36). */
const FS = 24000, N_SAMPLES = FS * 60, REFR = 48, LO = 24, HI = 36;
const vetoOf = (times: number[]) => (a: number[], b: number[]) =>
  refractoryVeto(Int32Array.from(a, (i) => times[i]).sort(), Int32Array.from(b, (i) => times[i]).sort(), LO, HI, N_SAMPLES);

/** Two units whose waveforms differ too little for the unimodality test, each firing its own Poisson train with a refractory period. */
function twoSimilarUnits(seed: number) {
  const rng = new Rng(seed);
  const train = (n: number): number[] => { const t: number[] = []; let now = 0; while (t.length < n) { now += REFR + rng.exponential(N_SAMPLES / n - REFR); if (now >= N_SAMPLES) break; t.push(Math.round(now)); } return t; };
  const ta = train(1000), tb = train(1000);
  const which = [...ta.map(() => 0), ...tb.map(() => 1)];
  const x = rows(which, [[8, 2], [8.4, 2.1]], 0, rng);
  return { rng, ta, which, x, y: whitenRows(x, which.length, w, none), veto: vetoOf([...ta, ...tb]) };
}

describe('template refinement', () => {
  it('measures distance to a template up to a sub-sample shift', () => {
    const tpl = Float32Array.from({ length: w }, (_, j) => shape(10, 2, 0)(j));
    const T = buildTemplates(tpl, w, new Int32Array([0]), 1, none, 1);
    const shifted = Float64Array.from({ length: w }, (_, j) => shape(10, 2, 0.4)(j));
    let plain = 0;
    for (let j = 0; j < w; j++) plain += (shifted[j] - T.t[j]) ** 2;
    expect(shiftDistance2(shifted, 0, T, 0)).toBeLessThan(0.05 * plain);
  });

  it('splits a cluster holding two units and leaves a jittered single unit whole (split, then merge)', () => {
    const rng = new Rng(5);
    const which = Array.from({ length: 400 }, (_, i) => (i % 5 < 2 ? 1 : 0));
    const x = rows(which, [[8, 2], [6, 3]], 0.5, rng);
    const labels = new Int32Array(which.length);
    const o = { dipThreshold: 1, minSpikes: 20, nPcs: 4, seed: 1, restarts: 3, refine: 5, maxShift: 1, binSize: 16, shrinkage: 1e-3 };
    const y = whitenRows(x, which.length, w, none);
    const k = splitClusters(x, y, w, labels, 1, none, o);
    // Pieces of one unit the split may leave are rejoined by the unimodality merge (as clusterStage runs them).
    mergeUnimodal(x, y, w, labels, k, none, o);
    expect(new Set(labels).size).toBe(2);
    let agree = 0;
    const flip = labels[0] ^ which[0]; // the split may number the units either way
    which.forEach((u, r) => { if ((labels[r] ^ flip) === u) agree++; });
    expect(agree / which.length).toBeGreaterThan(0.95);

    const single = rows(new Array(400).fill(0), [[8, 2]], 1, new Rng(6));
    const l1 = new Int32Array(400);
    const y1 = whitenRows(single, 400, w, none);
    mergeUnimodal(single, y1, w, l1, splitClusters(single, y1, w, l1, 1, none, o), none, o);
    expect(new Set(l1).size).toBe(1);
  });

  it('merges pieces of one unit but not two units', () => {
    const rng = new Rng(7);
    const which = Array.from({ length: 300 }, (_, i) => (i < 200 ? 0 : 1));
    const x = rows(which, [[8, 2], [5, 3.5]], 0.5, rng);
    // Clusters 0 and 1 cut unit 0 in halves; cluster 2 is unit 1.
    const labels = Int32Array.from(which, (u, i) => (u === 1 ? 2 : i % 2));
    const merges = mergeUnimodal(x, whitenRows(x, which.length, w, none), w, labels, 3, none, UNI);
    expect(merges.length).toBe(1);
    expect(new Set(labels.subarray(0, 200)).size).toBe(1);
    expect(labels[250]).toBe(2);
  });

  it('keeps two similar units apart when their union violates the refractory period, and merges halves of one unit', () => {
    // Two units whose waveforms differ too little for the unimodality test (their union is unimodal
    // along the discriminant), each firing its own Poisson train with a 2 ms refractory period.
    const { ta, which, x, y, veto } = twoSimilarUnits(11);
    const truth = Int32Array.from(which);
    // Without the refractory evidence the pair is merged (unimodal), with it the units stay apart.
    const plain = Int32Array.from(truth);
    expect(mergeUnimodal(x, y, w, plain, 2, none, UNI).length).toBe(1);
    const kept = Int32Array.from(truth);
    expect(mergeUnimodal(x, y, w, kept, 2, none, UNI, veto).length).toBe(0);
    // Two halves of one unit's train have no cross pairs inside the refractory period: merged.
    const halves = Int32Array.from(which, (u, i) => (u === 0 ? i % 2 : 2));
    const merges = mergeUnimodal(x, y, w, halves, 3, none, UNI, veto);
    expect(merges.map((m) => [...m].sort().join())).toContain('0,1');
    expect(new Set(halves.subarray(0, ta.length)).size).toBe(1);
  });

  it('splits one cluster of two similar units when a cut\'s halves violate the refractory period, and keeps a single unit whole', () => {
    // The units of the test above in one cluster: unimodal along any discriminant, so only the
    // refractory evidence (splitClusters' twoNeurons, ClusterParams.splitRefractory) can split it.
    const { rng, ta, which, x, y, veto } = twoSimilarUnits(12);
    const o = { dipThreshold: 1, minSpikes: 20, nPcs: 4, seed: 1, restarts: 3, refine: 5, maxShift: 1, binSize: 16, shrinkage: 1e-3, altCuts: true };
    const plain = new Int32Array(which.length);
    expect(splitClusters(x, y, w, plain, 1, none, o)).toBe(1);
    const split = new Int32Array(which.length);
    expect(splitClusters(x, y, w, split, 1, none, o, veto)).toBeGreaterThanOrEqual(2);
    // Cluster 0 (the first cut's side) holds mostly one unit.
    let agree = 0;
    which.forEach((u, r) => { if ((split[r] === 0) === (u === 0)) agree++; });
    expect(Math.max(agree, which.length - agree) / which.length).toBeGreaterThan(0.7);
    // One unit with its own refractory train: no cut has cross pairs inside the refractory period.
    const single = rows(new Array(ta.length).fill(0), [[8, 2]], 0, rng);
    const ys = whitenRows(single, ta.length, w, none);
    const vetoS = (a: number[], b: number[]) => vetoOf(ta)(a, b);
    expect(splitClusters(single, ys, w, new Int32Array(ta.length), 1, none, o, vetoS)).toBe(1);
  });
  it('re-tests a grown cluster once, on refractory evidence only (ClusterParams.resplitMerged)', () => {
    const o = { dipThreshold: 1, minSpikes: 20, nPcs: 4, seed: 1, restarts: 3, refine: 5, maxShift: 1, binSize: 16, shrinkage: 1e-3, altCuts: true };
    // Two similar units merged into cluster 1 (cluster 0 is left alone): cut once, into two.
    const { which, x, y, veto } = twoSimilarUnits(12);
    const labels = new Int32Array(which.length).fill(1);
    labels[0] = 0;
    expect(splitClusters(x, y, w, labels, 2, none, { ...o, resplit: [1] }, veto)).toBe(3);
    expect(labels[0]).toBe(0);
    let agree = 0;
    which.forEach((u, r) => { if (r > 0 && (labels[r] === 1) === (u === 0)) agree++; });
    expect(Math.max(agree, which.length - 1 - agree) / (which.length - 1)).toBeGreaterThan(0.7);
    // Two distinct units the unimodality test alone would split: without refractory evidence a
    // re-test keeps them together (the merge step already judged their union).
    const rng = new Rng(5);
    const w2 = Array.from({ length: 400 }, (_, i) => (i % 5 < 2 ? 1 : 0));
    const x2 = rows(w2, [[8, 2], [6, 3]], 0.5, rng), y2 = whitenRows(x2, w2.length, w, none);
    expect(splitClusters(x2, y2, w, new Int32Array(w2.length), 1, none, o)).toBeGreaterThanOrEqual(2);
    expect(splitClusters(x2, y2, w, new Int32Array(w2.length), 1, none, { ...o, resplit: [0] }, () => false)).toBe(1);
  });

  it('keeps clusters split on evidence apart, also through a third cluster', () => {
    // One unit cut in three pieces: without constraints the pieces merge into one cluster.
    const rng = new Rng(9);
    const which = new Array(300).fill(0);
    const x = rows(which, [[8, 2]], 0.5, rng), y = whitenRows(x, 300, w, none);
    const plain = Int32Array.from(which, (_, i) => i % 3);
    mergeUnimodal(x, y, w, plain, 3, none, UNI);
    expect(new Set(plain).size).toBe(1);
    // 0 and 1 must stay apart. Piece 2 is the largest, so it absorbs 0 or 1 and must inherit the
    // constraint (else it would then absorb the other, joining 0 and 1 through it).
    const apart = new Set([pairKey(0, 1)]);
    const kept = Int32Array.from(which, (_, i) => Math.min(i % 4, 2));
    const merges = mergeUnimodal(x, y, w, kept, 3, none, UNI, undefined, apart);
    expect(merges.length).toBe(1);
    expect(kept[0]).not.toBe(kept[1]);
    expect(new Set(kept).size).toBe(2);
    expect(apart.size).toBe(2);
  });
});
