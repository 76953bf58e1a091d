import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { buildTemplates, mergeByTemplate, reclaimBurstFollowers, shiftDistance2, splitClusters, whitenRows } from './templates';

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

describe('template refinement', () => {
  it('measures distance to a template up to a sub-sample shift', () => {
    const tpl = Float32Array.from({ length: w }, (_, j) => shape(10, 2, 0)(j));
    const T = buildTemplates(tpl, w, new Int32Array([0]), 1, none);
    const shifted = Float64Array.from({ length: w }, (_, j) => shape(10, 2, 0.4)(j));
    let plain = 0;
    for (let j = 0; j < w; j++) plain += (shifted[j] - T.t[j]) ** 2;
    expect(shiftDistance2(shifted, 0, T, 0)).toBeLessThan(0.05 * plain);
  });

  it('splits a cluster holding two units and leaves a jittered single unit whole', () => {
    const rng = new Rng(5);
    const which = Array.from({ length: 400 }, (_, i) => (i % 5 < 2 ? 1 : 0));
    const x = rows(which, [[8, 2], [6, 3]], 0.5, rng);
    const labels = new Int32Array(which.length);
    const o = { minDistance: 3, minSpikes: 20, nPcs: 4, seed: 1, restarts: 3, refine: 5 };
    const k = splitClusters(x, whitenRows(x, which.length, w, none), w, labels, 1, none, o);
    expect(k).toBe(2);
    let agree = 0;
    const flip = labels[0] ^ which[0]; // the split may number the units either way
    which.forEach((u, r) => { if ((labels[r] ^ flip) === u) agree++; });
    expect(agree / which.length).toBeGreaterThan(0.95);

    const single = rows(new Array(400).fill(0), [[8, 2]], 1, new Rng(6));
    const l1 = new Int32Array(400);
    expect(splitClusters(single, whitenRows(single, 400, w, none), w, l1, 1, none, o)).toBe(1);
    expect(l1.every((l) => l === 0)).toBe(true);
  });

  it('merges pieces of one unit but not two units', () => {
    const rng = new Rng(7);
    const which = Array.from({ length: 300 }, (_, i) => (i < 200 ? 0 : 1));
    const x = rows(which, [[8, 2], [5, 3.5]], 0.5, rng);
    // Clusters 0 and 1 cut unit 0 in halves; cluster 2 is unit 1.
    const labels = Int32Array.from(which, (u, i) => (u === 1 ? 2 : i % 2));
    const merges = mergeByTemplate(x, w, labels, 3, none, 2.6);
    expect(merges.length).toBe(1);
    expect(new Set(labels.subarray(0, 200)).size).toBe(1);
    expect(labels[250]).toBe(2);
  });

  it('reclaims burst followers from a similar partner cluster and leaves independent spikes alone', () => {
    // Unit A (row kind 0) fires bursts: a full spike, then a follower at 60 % size 4 ms later (kind 2);
    // unit X (kind 1) has a similar but broader shape and fires independently. The clustering put
    // the followers into X's cluster.
    const fs = 30000, nSamples = 60 * fs;
    const build = (burst: boolean, seed: number) => {
      const rng = new Rng(seed);
      const ev: Array<[number, number]> = [];
      for (let i = 0; i < 300; i++) {
        const t = Math.floor(rng.uniform() * (nSamples - fs));
        ev.push([t, 0]);
        if (burst) ev.push([t + 120 + Math.floor(rng.uniform() * 30), 2]);
      }
      for (let i = 0; i < 400; i++) ev.push([Math.floor(rng.uniform() * (nSamples - fs)), 1]);
      ev.sort((a, b) => a[0] - b[0]);
      const x = rows(ev.map((e) => e[1]), [[12, 2], [7, 3], [7.2, 2]], 0.3, rng);
      return { samples: Int32Array.from(ev, (e) => e[0]), kind: ev.map((e) => e[1]), x };
    };
    const opts = { lo: 60, hi: 300, refractory: 45, minScale: 0.3, maxScale: 1, minShape: 0.9, margin: 1, nSamples, minExcess: 4 };
    const b = build(true, 11);
    const n = b.kind.length;
    const labels = Int32Array.from(b.kind, (u) => (u === 0 ? 0 : 1));
    const amps = Float32Array.from(b.kind, (u) => (u === 0 ? -12 : -7));
    reclaimBurstFollowers(b.x, whitenRows(b.x, n, w, none), w, b.samples, amps, labels, 2, none, opts);
    const followers = b.kind.map((u, r) => (u === 2 ? labels[r] : -1)).filter((l) => l >= 0);
    const partner = b.kind.map((u, r) => (u === 1 ? labels[r] : -1)).filter((l) => l >= 0);
    expect(followers.filter((l) => l === 0).length / followers.length).toBeGreaterThan(0.9);
    expect(partner.filter((l) => l === 1).length / partner.length).toBeGreaterThan(0.97);

    // Without bursts the pair is not coupled: nothing moves.
    const c = build(false, 12);
    const l2 = Int32Array.from(c.kind, (u) => u);
    const before = Int32Array.from(l2);
    const moved = reclaimBurstFollowers(c.x, whitenRows(c.x, c.kind.length, w, none), w, c.samples, Float32Array.from(c.kind, (u) => (u === 0 ? -12 : -7)), l2, 2, none, opts);
    expect(moved).toBe(0);
    expect(l2).toEqual(before);
  });
});
