// Refractory evidence for merge decisions. Spikes of one neuron are never closer than its
// refractory period; spikes of two independent neurons are, at the chance rate. So the number of
// cross pairs (one spike from each cluster) closer than the refractory period tells whether two
// clusters are one unit (few, like the within-cluster violations) or two (about the chance count).
// Pairs closer than the detector's dead time cannot be seen and are not counted.

/** Pairs (i in a, j in b) with lo < b_j - a_i < hi (a's spike first), for sorted trains. */
export function orderedPairs(a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number): number {
  let n = 0, j0 = 0;
  for (let i = 0; i < a.length; i++) {
    while (j0 < b.length && b[j0] - a[i] <= lo) j0++;
    for (let j = j0; j < b.length && b[j] - a[i] < hi; j++) n++;
  }
  return n;
}

/** Pairs (i in a, j in b) with lo < |a_i - b_j| < hi, for sorted trains. */
export function crossPairs(a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number): number {
  return orderedPairs(a, b, lo, hi) + orderedPairs(b, a, lo, hi);
}

/** Pairs within one sorted train closer than hi and farther than lo. */
function selfPairs(a: ArrayLike<number>, lo: number, hi: number): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length && a[j] - a[i] < hi; j++) if (a[j] - a[i] > lo) n++;
  return n;
}

const logPoisson = (k: number, lambda: number): number => k * Math.log(lambda) - lambda;

/**
 * Likelihood ratio of the cross pairs of a and b within (lo, hi) samples: two independent trains
 * (Poisson with the chance count E = 2 n_a n_b (hi - lo) / nSamples) against one unit (Poisson with
 * the violation rate the clusters show on their own, scaled to n_a n_b; at least half a pair).
 * 1 (no evidence either way) when the test cannot tell (E not above the one-unit count). Under the
 * one-unit model its expectation is 1.
 * symmetric: count only the pairs of the direction (a's spike first, or b's) that has fewer, against
 * half of each model's count. Why: when a cut of one unit follows the distortion two close spikes
 * cause each other (the earlier one carries the later one's onset in its tail, the later one the
 * earlier one's tail in its start), the earlier and later spike of each contaminated pair land on
 * fixed sides, so the violating pairs pile up in one direction; coincidences of two independent
 * neurons come in either order alike.
 */
export function refractoryEvidence(a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number, nSamples: number, symmetric = false): number {
  const na = a.length, nb = b.length;
  if (!na || !nb || !(hi > lo) || !(nSamples > 0)) return 1;
  const f = symmetric ? 0.5 : 1;
  const chance = (f * 2 * na * nb * (hi - lo)) / nSamples;
  const within = (selfPairs(a, lo, hi) / Math.max(1, (na * (na - 1)) / 2) + selfPairs(b, lo, hi) / Math.max(1, (nb * (nb - 1)) / 2)) / 2;
  const oneUnit = Math.max(0.5, f * within * na * nb);
  if (chance <= oneUnit) return 1;
  const obs = symmetric ? Math.min(orderedPairs(a, b, lo, hi), orderedPairs(b, a, lo, hi)) : crossPairs(a, b, lo, hi);
  return Math.exp(logPoisson(obs, chance) - logPoisson(obs, oneUnit));
}

/**
 * True when the cross pairs of a and b say two neurons (refractoryEvidence) by a likelihood ratio
 * above minRatio (1: the likelier wins).
 */
export function refractoryVeto(a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number, nSamples: number, minRatio = 1, symmetric = false): boolean {
  return refractoryEvidence(a, b, lo, hi, nSamples, symmetric) > Math.max(1, minRatio);
}
