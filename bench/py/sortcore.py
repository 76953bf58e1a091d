"""Python peer of bench/sortcore.bench.ts: sklearn PCA fit and one GaussianMixture EM iteration.

Usage: sortcore.py N_PCA D_PCA N_GMM K_GMM RUNS. Prints one JSON object with median milliseconds.
Data have the same shapes and the same kind of content as the TypeScript side (seeded, not identical).
"""
import json
import sys
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture


def median_ms(fn, runs, warmup=2):
    for _ in range(warmup):
        fn()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1000)
    return float(np.median(t))


n_pca, d_pca, n_gmm, k_gmm, runs = (int(a) for a in sys.argv[1:6])
rng = np.random.default_rng(1)

# Waveform-like rows: smooth latent shapes plus noise, float32 as the detector produces them.
t = np.linspace(0, 1, d_pca)
basis = np.stack([np.exp(-((t - 0.3) / 0.05) ** 2), np.sin(2 * np.pi * t), t - 0.5, np.cos(6 * t)])
X = (rng.normal(size=(n_pca, 4)) * [40, 10, 5, 3] @ basis + rng.normal(size=(n_pca, d_pca)) * 10).astype(np.float32)
pca_ms = median_ms(lambda: PCA(n_components=3).fit(X), runs)
pca_full_ms = median_ms(lambda: PCA(n_components=3, svd_solver='full').fit(X), runs)

# GMM: k blobs in 3-D; one EM iteration = _e_step + _m_step of a model fitted for a few iterations.
centres = rng.normal(size=(k_gmm, 3)) * 20
G = (centres[rng.integers(0, k_gmm, n_gmm)] + rng.normal(size=(n_gmm, 3)) * 3).astype(np.float64)
gm = GaussianMixture(n_components=k_gmm, covariance_type='full', max_iter=3, random_state=0).fit(G)


def em_iteration():
    _, log_resp = gm._e_step(G)
    gm._m_step(G, log_resp)


em_ms = median_ms(em_iteration, runs)
print(json.dumps({'pca_ms': pca_ms, 'pca_full_ms': pca_full_ms, 'em_ms': em_ms}))
