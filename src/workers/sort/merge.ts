// Burst repair after clustering. A GMM cuts a unit whose amplitude varies in steps - complex-spike
// bursts, where each later spike of a burst is smaller - into a "first spike" cluster and
// "follower" spikes that land in a smaller-amplitude cluster (alone, or mixed with another unit of
// similar shape). Followers are told apart by time, not by waveform: they sit 2-10 ms after a parent
// spike far more often than chance, which two independent neurons with similar waveforms do not.

export interface MergeOptions {
  /** Minimum cosine similarity of the mean waveforms (shape, amplitude-free). */
  minShapeSimilarity: number;
  /** Minimum ratio of observed to chance-expected parent -> follower pairs at lags lagMinMs..lagMaxMs. */
  minCoupling: number;
  /** Minimum number of coupled pairs and of spikes per cluster (guards small-count ratios). */
  minPairs: number;
  lagMinMs: number;
  lagMaxMs: number;
  /** A moved follower may not sit closer than this to a parent-cluster spike. */
  refractoryMs: number;
}

export const DEFAULT_MERGE: MergeOptions = {
  minShapeSimilarity: 0.9, minCoupling: 2.5, minPairs: 10, lagMinMs: 2, lagMaxMs: 10, refractoryMs: 1.5,
};

/** True if sorted t has an element within (v - lim, v + lim). */
function hasNear(t: Int32Array, v: number, lim: number): boolean {
  let lo = 0, hi = t.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (t[m] <= v - lim) lo = m + 1; else hi = m; }
  return lo < t.length && t[lo] < v + lim;
}

function cosine(x: Float64Array, y: Float64Array): number {
  let xy = 0, xx = 0, yy = 0;
  for (let i = 0; i < x.length; i++) { xy += x[i] * y[i]; xx += x[i] * x[i]; yy += y[i] * y[i]; }
  return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
}

/** Pairs with b following a by lo..hi samples, for sorted trains. */
export function countFollowers(a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number): number {
  let count = 0, i0 = 0;
  for (let j = 0; j < b.length; j++) {
    while (i0 < a.length && a[i0] < b[j] - hi) i0++;
    for (let i = i0; i < a.length && a[i] <= b[j] - lo; i++) count++;
  }
  return count;
}

/**
 * Burst repair. For each pair (A, X) of similar-shaped clusters where X's spikes follow A's at
 * lagMin..lagMax far more often than chance (A = the larger-amplitude parent), the X spikes that
 * follow an A spike (or a spike just moved to A: burst chains) are moved to A. If what stays in X is
 * under a quarter of it, X was only followers and is merged whole. Independent units with similar
 * waveforms are not coupled, so they keep their spikes except for chance coincidences.
 * labels are rewritten in place (ids not renumbered); returns [parent, follower] pairs handled.
 */
export function mergeCoupledClusters(
  samples: Int32Array, labels: Int32Array, k: number, waveforms: Float32Array, width: number,
  fs: number, nSamples: number, amplitudes: Float32Array, o: MergeOptions = DEFAULT_MERGE,
): Array<[number, number]> {
  const lo = Math.round((o.lagMinMs / 1000) * fs), hi = Math.round((o.lagMaxMs / 1000) * fs);
  const refr = (o.refractoryMs / 1000) * fs;
  const done: Array<[number, number]> = [];
  const tried = new Set<string>();
  for (;;) {
    const members: number[][] = Array.from({ length: k }, () => []);
    for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) members[labels[i]].push(i);
    const mean = members.map((idx) => {
      const m = new Float64Array(width);
      for (const i of idx) for (let j = 0; j < width; j++) m[j] += waveforms[i * width + j];
      return m;
    });
    const amp = members.map((idx) => idx.reduce((s, i) => s + Math.abs(amplitudes[i]), 0) / Math.max(1, idx.length));
    const times = members.map((idx) => Int32Array.from(idx, (i) => samples[i]));
    let best: [number, number] | null = null, bestR = o.minCoupling;
    for (let a = 0; a < k; a++) {
      for (let x = 0; x < k; x++) {
        if (a === x || members[a].length < o.minPairs || members[x].length < o.minPairs || amp[a] <= amp[x]) continue;
        if (tried.has(`${a},${x}`) || cosine(mean[a], mean[x]) < o.minShapeSimilarity) continue;
        const pairs = countFollowers(times[a], times[x], lo, hi);
        const expected = (times[a].length * times[x].length * (hi - lo + 1)) / nSamples;
        const r = pairs / Math.max(expected, 1e-9);
        if (pairs >= o.minPairs && r >= bestR) { best = [a, x]; bestR = r; }
      }
    }
    if (!best) break;
    const [a, x] = best;
    tried.add(`${a},${x}`);
    // Walk A and X spikes in time order; an X spike within lo..hi after the last A-or-moved spike joins A.
    const both = members[a].concat(members[x]).sort((p, q) => samples[p] - samples[q] || p - q);
    let lastParent = -Infinity, lastMoved = -Infinity;
    const moved: number[] = [];
    for (const i of both) {
      if (labels[i] === a) { lastParent = samples[i]; continue; }
      const dp = samples[i] - lastParent, dm = samples[i] - lastMoved;
      if ((dp >= lo && dp <= hi) || (dm >= lo && dm <= hi)) { moved.push(i); lastMoved = samples[i]; }
    }
    // A follower that would break A's refractory period is not A's (dead time keeps detections >= 1 ms apart).
    const keep = moved.filter((i) => !hasNear(times[a], samples[i], refr));
    for (const i of keep) labels[i] = a;
    if (members[x].length - keep.length < 0.25 * members[x].length) for (const i of members[x]) labels[i] = a;
    done.push([a, x]);
  }
  return done;
}

/**
 * Merge clusters whose mean feature vectors are closer than maxDistance. With noise-whitened
 * features (unit noise variance per dimension) this is a separation in noise standard deviations:
 * a GMM sometimes cuts one unit into pieces ~1 apart, while units that can be told apart at all sit
 * >= ~2.5 apart. (A density-dip test for pieces 2-3.5 apart was tried and did not help on the ground
 * truth: it rejoined some pieces but also merged distinct low-SNR units.) Greedy, closest pair first.
 */
export function mergeCloseClusters(features: Float32Array, nFeat: number, labels: Int32Array, k: number, maxDistance: number): Array<[number, number]> {
  const sum = new Float64Array(k * nFeat), cnt = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0) continue;
    cnt[l]++;
    for (let j = 0; j < nFeat; j++) sum[l * nFeat + j] += features[i * nFeat + j];
  }
  const merges: Array<[number, number]> = [];
  for (;;) {
    let best: [number, number] | null = null, bestD = maxDistance;
    for (let a = 0; a < k; a++) {
      if (!cnt[a]) continue;
      for (let b = a + 1; b < k; b++) {
        if (!cnt[b]) continue;
        let d2 = 0;
        for (let j = 0; j < nFeat; j++) d2 += (sum[a * nFeat + j] / cnt[a] - sum[b * nFeat + j] / cnt[b]) ** 2;
        if (Math.sqrt(d2) < bestD) { bestD = Math.sqrt(d2); best = [a, b]; }
      }
    }
    if (!best) break;
    const [a, b] = best;
    for (let i = 0; i < labels.length; i++) if (labels[i] === b) labels[i] = a;
    cnt[a] += cnt[b]; cnt[b] = 0;
    for (let j = 0; j < nFeat; j++) { sum[a * nFeat + j] += sum[b * nFeat + j]; sum[b * nFeat + j] = 0; }
    merges.push([a, b]);
  }
  return merges;
}
