import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { crossPairs, orderedPairs, refractoryEvidence, refractoryVeto } from './refractory';

/** Poisson train with a refractory period (samples), sorted. */
function train(rng: Rng, n: number, nSamples: number, refr: number): number[] {
  const t: number[] = [];
  let now = 0;
  const gap = nSamples / n - refr;
  while (t.length < n) { now += refr + rng.exponential(gap); if (now >= nSamples) break; t.push(Math.round(now)); }
  return t;
}

describe('refractory evidence', () => {
  it('counts cross pairs between lo and hi', () => {
    expect(crossPairs([100, 200], [103, 150, 230], 1, 10)).toBe(1);
    expect(crossPairs([100], [100], 0, 10)).toBe(0);
    expect(orderedPairs([100, 200], [103, 150, 230], 1, 10)).toBe(1);
    expect(orderedPairs([103, 150, 230], [100, 200], 1, 10)).toBe(0);
  });

  it('vetoes the merge of two independent trains and allows the halves of one train', () => {
    const rng = new Rng(8);
    const nSamples = 24000 * 60, lo = 24, hi = 36;
    const a = train(rng, 1200, nSamples, 48), b = train(rng, 1200, nSamples, 48);
    expect(refractoryVeto(a, b, lo, hi, nSamples)).toBe(true);
    const one = train(rng, 2400, nSamples, 48);
    const even = one.filter((_, i) => i % 2 === 0), odd = one.filter((_, i) => i % 2 === 1);
    expect(refractoryVeto(even, odd, lo, hi, nSamples)).toBe(false);
    // Too few spikes for the test to tell: no veto.
    expect(refractoryVeto(a.slice(0, 20), b.slice(0, 20), lo, hi, nSamples)).toBe(false);
  });

  it('asks for a likelihood ratio of at least minRatio', () => {
    // A piece of one unit plus one stray violating pair (a contaminating event): two neurons by the
    // likelier hypothesis, but not by the strong evidence a cut asks for (ClusterParams.splitEvidence).
    const rng = new Rng(3);
    const nSamples = 24000 * 20, lo = 24, hi = 36;
    const one = train(rng, 400, nSamples, 48);
    const big = one.filter((_, i) => i % 7 !== 0), small = one.filter((_, i) => i % 7 === 0);
    small.push(big[100] + 30);
    small.sort((x, y) => x - y);
    expect(crossPairs(big, small, lo, hi)).toBe(1);
    expect(refractoryVeto(big, small, lo, hi, nSamples)).toBe(true);
    expect(refractoryVeto(big, small, lo, hi, nSamples, 20)).toBe(false);
    // Two independent units with their full chance count of pairs pass the strong threshold too.
    const a = train(rng, 1200, 24000 * 60, 48), b = train(rng, 1200, 24000 * 60, 48);
    expect(refractoryVeto(a, b, lo, hi, 24000 * 60, 20)).toBe(true);
  });

  it('symmetric: pairs piled up in one order are a cut artefact, not two neurons', () => {
    // One unit cut in two, with contaminating events that sit 1-1.5 ms after its spikes: the cut
    // that follows the distortion puts every earlier spike of such a pair in a and every later one
    // in b. All cross pairs then have a's spike first.
    const rng = new Rng(5);
    const nSamples = 24000 * 60, lo = 24, hi = 36;
    const one = train(rng, 2000, nSamples, 48);
    const a = one.filter((_, i) => i % 2 === 0), b = one.filter((_, i) => i % 2 === 1);
    for (let i = 0; i < a.length && i < 1000; i += 100) b.push(a[i] + 30);
    b.sort((x, y) => x - y);
    expect(orderedPairs(a, b, lo, hi)).toBeGreaterThanOrEqual(8);
    expect(orderedPairs(b, a, lo, hi)).toBe(0);
    expect(refractoryEvidence(a, b, lo, hi, nSamples)).toBeGreaterThan(100);
    expect(refractoryEvidence(a, b, lo, hi, nSamples, true)).toBeLessThan(1);
    // Two independent neurons: coincidences in either order, so the symmetric count still says two
    // (with less power: the minority order holds about half the pairs, fewer by chance).
    const u = train(rng, 2000, nSamples, 48), v = train(rng, 2000, nSamples, 48);
    expect(refractoryEvidence(u, v, lo, hi, nSamples, true)).toBeGreaterThan(100);
  });
});
