// Ground-truth comparison of a sorting: spikes match within a window (0.4 ms by default), units are
// paired one-to-one by the Hungarian method on the accuracy matrix, and each true unit's accuracy is
// matches / (nTrue + nFound - matches) (the SpikeInterface / Kilosort definition).

/**
 * Minimum-cost assignment for a rows x cols cost matrix (row-major), rows <= cols or not:
 * returns for each row the assigned column (-1 when rows > cols and the row stays free).
 * Shortest augmenting paths with row/column potentials, O(n^2 m).
 */
export function hungarian(cost: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const at = (i: number, j: number): number => (transpose ? cost[j * cols + i] : cost[i * cols + j]);
  // 1-based arrays; column 0 is a virtual column that holds the row being inserted.
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1), way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = at(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do { const j1 = way[j0]; p[j0] = p[j1]; j0 = j1; } while (j0 !== 0);
  }
  const out = new Int32Array(rows).fill(-1);
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    if (transpose) out[j - 1] = p[j] - 1; else out[p[j] - 1] = j - 1;
  }
  return out;
}

/** One-to-one matches between two sorted spike trains within +/- window samples (greedy in time). */
export function countMatches(a: ArrayLike<number>, b: ArrayLike<number>, window: number): number {
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    const dt = b[j] - a[i];
    if (dt < -window) j++;
    else if (dt > window) i++;
    else {
      k++; i++; j++;
    }
  }
  return k;
}

export interface SpikeTrain {
  id: number;
  samples: ArrayLike<number>; // sorted
}

export interface UnitAccuracy {
  trueId: number;
  foundId: number; // -1 if unmatched
  nTrue: number;
  nFound: number;
  matches: number;
  accuracy: number;
  recall: number;
  precision: number;
}

export interface Comparison {
  units: UnitAccuracy[];
  /** Found units not assigned to any true unit. */
  unmatchedFound: number[];
  /** accuracy[i * nFound + j] for true unit i and found unit j. */
  accuracyMatrix: Float64Array;
}

export function compareSortings(truth: SpikeTrain[], found: SpikeTrain[], fs: number, windowMs = 0.4): Comparison {
  const w = Math.round((windowMs / 1000) * fs);
  const nt = truth.length, nf = found.length;
  const acc = new Float64Array(nt * nf);
  const matches = new Float64Array(nt * nf);
  for (let i = 0; i < nt; i++) {
    for (let j = 0; j < nf; j++) {
      const k = countMatches(truth[i].samples, found[j].samples, w);
      matches[i * nf + j] = k;
      const denom = truth[i].samples.length + found[j].samples.length - k;
      acc[i * nf + j] = denom > 0 ? k / denom : 0;
    }
  }
  const assign = nt > 0 && nf > 0 ? hungarian(Array.from(acc, (a) => -a), nt, nf) : new Int32Array(nt).fill(-1);
  const used = new Set<number>();
  const units = truth.map((t, i): UnitAccuracy => {
    let j = assign[i];
    // A zero-accuracy pairing is no match at all.
    if (j >= 0 && matches[i * nf + j] === 0) j = -1;
    if (j >= 0) used.add(j);
    const k = j >= 0 ? matches[i * nf + j] : 0;
    const nF = j >= 0 ? found[j].samples.length : 0;
    return {
      trueId: t.id, foundId: j >= 0 ? found[j].id : -1, nTrue: t.samples.length, nFound: nF, matches: k,
      accuracy: j >= 0 ? acc[i * nf + j] : 0,
      recall: t.samples.length ? k / t.samples.length : 0,
      precision: nF ? k / nF : 0,
    };
  });
  const unmatchedFound = found.filter((_, j) => !used.has(j)).map((f) => f.id);
  return { units, unmatchedFound, accuracyMatrix: acc };
}
