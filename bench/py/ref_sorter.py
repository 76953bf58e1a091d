"""Reference spike sorter for the sorting-quality bench: the classic PCA + GMM chain written with
scipy and scikit-learn only (Butterworth band-pass 300-6000 Hz order 4 forward-backward, negative
threshold at 5 x median(|x|)/0.6745, 1 ms dead time, trough-aligned snippets 1 ms before / 1.5 ms
after, 3 principal components, full-covariance Gaussian mixture with k = 1..7 chosen by BIC).
It mirrors the textbook recipe, not SpikeDesk's code.

usage: ref_sorter.py FILE.dat N_CHANNELS RATE GAIN OUT.json
Writes {"channels": [{"channel": c, "samples": [...], "labels": [...]}]}.
"""
import json
import sys

import numpy as np
from scipy.signal import butter, sosfiltfilt
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture


def detect(x, fs, thr=5.0, dead_ms=1.0, pre_ms=1.0, post_ms=1.5):
    sigma = np.median(np.abs(x)) / 0.6745
    pre, post = int(round(pre_ms * fs / 1000)), int(round(post_ms * fs / 1000))
    dead = int(round(dead_ms * fs / 1000))
    below = np.flatnonzero(x < -thr * sigma)
    samples = []
    i = 0
    while i < len(below):
        start = below[i]
        j = i
        while j + 1 < len(below) and below[j + 1] == below[j] + 1:
            j += 1
        seg = x[start:below[j] + 1]
        t = start + int(np.argmin(seg))
        if (not samples or t - samples[-1] >= dead) and pre <= t < len(x) - post:
            samples.append(t)
        i = j + 1
    samples = np.asarray(samples, dtype=np.int64)
    idx = samples[:, None] + np.arange(-pre, post)[None, :]
    return samples, x[idx] if len(samples) else np.zeros((0, pre + post))


def cluster(wf, seed=1, kmax=7):
    n = len(wf)
    if n < 20:
        return np.zeros(n, dtype=np.int64)
    f = PCA(n_components=3, random_state=seed).fit_transform(wf)
    best, best_bic = None, np.inf
    for k in range(1, min(kmax, n // 10) + 1):
        g = GaussianMixture(n_components=k, covariance_type='full', n_init=3, random_state=seed).fit(f)
        b = g.bic(f)
        if b < best_bic:
            best, best_bic = g, b
    return best.predict(f)


def main():
    path, nch, fs, gain, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    data = np.fromfile(path, dtype='<i2').reshape(-1, nch).astype(np.float64) * gain
    sos = butter(4, [300, 6000], btype='bandpass', fs=fs, output='sos')
    chans = []
    for c in range(nch):
        x = sosfiltfilt(sos, data[:, c])
        s, wf = detect(x, fs)
        labels = cluster(wf)
        chans.append({'channel': c, 'samples': s.tolist(), 'labels': labels.tolist()})
    with open(out, 'w') as fh:
        json.dump({'channels': chans}, fh)


if __name__ == '__main__':
    main()
