"""Python peers for bench/curation.bench.ts: matplotlib Path.contains_points for the lasso,
numpy for the ISI histogram and a vectorised auto-correlogram (shifted differences).
Usage: curation.py <tmpdir> <runs>; reads points.f32, polygon.f64, times.f64; prints one JSON line."""
import json
import sys
import time

import numpy as np
from matplotlib.path import Path


def median_ms(fn, runs):
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return float(np.median(ts)), fn()


def acg(t, bin_s, n_half):
    # Count every pair (i < j) whose lag rounds to at most n_half bins, by growing the shift.
    counts = np.zeros(2 * n_half + 1, dtype=np.int64)
    reach = (n_half + 0.5) * bin_s
    shift = 1
    while shift < len(t):
        d = t[shift:] - t[:-shift]
        d = d[d < reach]
        if d.size == 0:
            break
        k = np.floor(d / bin_s + 0.5).astype(np.int64)
        np.add.at(counts, n_half + k, 1)
        np.add.at(counts, n_half - k, 1)
        shift += 1
    return counts


def main():
    tmp, runs = sys.argv[1], int(sys.argv[2])
    pts = np.fromfile(f"{tmp}/points.f32", dtype=np.float32).reshape(-1, 2).astype(np.float64)
    poly = np.fromfile(f"{tmp}/polygon.f64", dtype=np.float64).reshape(-1, 2)
    times = np.fromfile(f"{tmp}/times.f64", dtype=np.float64)
    acg_times = times[: int(sys.argv[3])]
    path = Path(poly)
    lasso_ms, inside = median_ms(lambda: path.contains_points(pts), runs)
    isi_ms, _ = median_ms(lambda: np.histogram(np.diff(times), bins=np.arange(0, 1501, 15)), runs)
    acg_ms, counts = median_ms(lambda: acg(acg_times, 30.0, 25), runs)
    print(json.dumps({"lasso_ms": lasso_ms, "lasso_inside": int(inside.sum()), "isi_ms": isi_ms,
                      "acg_ms": acg_ms, "acg_total": int(counts.sum())}))


if __name__ == "__main__":
    main()
