// Refractory evidence for merge decisions. Spikes of one neuron are never closer than its
// refractory period; spikes of two independent neurons are, at the chance rate. So the number of
// cross pairs (one spike from each cluster) closer than the refractory period tells whether two
// clusters are one unit (few, like the within-cluster violations) or two (about the chance count).
// Pairs closer than the detector's dead time cannot be seen and are not counted.

/** Pairs (i in a, j in b) with lo < |a_i - b_j| < hi, for sorted trains. */
export function crossPairs(a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number): number {
  let n = 0, j0 = 0;
  for (let i = 0; i < a.length; i++) {
    while (j0 < b.length && b[j0] <= a[i] - hi) j0++;
    for (let j = j0; j < b.length && b[j] < a[i] + hi; j++) if (Math.abs(b[j] - a[i]) > lo) n++;
  }
  return n;
}

/** Pairs within one sorted train closer than hi and farther than lo. */
function selfPairs(a: ArrayLike<number>, lo: number, hi: number): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length && a[j] - a[i] < hi; j++) if (a[j] - a[i] > lo) n++;
  return n;
}

const logPoisson = (k: number, lambda: number): number => k * Math.log(lambda) - lambda;

/**
 * True when the cross pairs of a and b within (lo, hi) samples are better explained by two
 * independent trains (Poisson with the chance count E = 2 n_a n_b (hi - lo) / nSamples) than by
 * one unit (Poisson with the violation rate the clusters show on their own, scaled to n_a n_b;
 * at least half a pair), by a likelihood ratio of at least minRatio (1: the likelier wins).
 * Decides only when the test can tell (E above the one-unit count).
 */
export function refractoryVeto(a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number, nSamples: number, minRatio = 1): boolean {
  const na = a.length, nb = b.length;
  if (!na || !nb || !(hi > lo) || !(nSamples > 0)) return false;
  const chance = (2 * na * nb * (hi - lo)) / nSamples;
  const within = (selfPairs(a, lo, hi) / Math.max(1, (na * (na - 1)) / 2) + selfPairs(b, lo, hi) / Math.max(1, (nb * (nb - 1)) / 2)) / 2;
  const oneUnit = Math.max(0.5, within * na * nb);
  if (chance <= oneUnit) return false;
  const obs = crossPairs(a, b, lo, hi);
  return logPoisson(obs, chance) - logPoisson(obs, oneUnit) > Math.log(Math.max(1, minRatio));
}
