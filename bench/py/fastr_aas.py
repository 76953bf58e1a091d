"""FASTR-style AAS reference for bench/correct.bench.ts (written from the FASTR paper's description,
Niazy et al. 2005 / Allen et al. 2000): x10 upsampling, alignment of every slice epoch to a reference
epoch on channel 0 by cross-correlation on the upsampled grid, a sliding average of 30 epochs
(centred, frozen at the edges) scaled to each epoch by least squares, subtraction, and decimation back
to the original rate, then the same 70 Hz low-pass. numpy + scipy (polyphase resampling, filtering).

Usage: fastr_aas.py DIR N_CHANNELS. DIR holds ch<c>.f32 (raw float32) and plan.json (triggers as whole
samples, pre, epochLength). Prints one JSON line: CPU and wall seconds (alignment once + every channel).
"""
import json
import os
import sys
import time

import numpy as np
import scipy.signal as sig

U, WINDOW, MAX_LAG = 10, 30, 3


def main():
    d, n_ch = sys.argv[1], int(sys.argv[2])
    plan = json.load(open(os.path.join(d, 'ref-plan.json')))
    trig = np.asarray(plan['triggers'], dtype=np.int64)
    pre, L, fs = int(plan['pre']), int(plan['epochLength']), float(plan['fs'])
    K = len(trig)
    LU = L * U
    lp = sig.butter(8, 70, 'lowpass', fs=fs, output='sos')
    t0, c0 = time.perf_counter(), time.process_time()
    a0 = int(trig[0] - pre - 2 * MAX_LAG)
    a1 = int(trig[-1] - pre + L + 2 * MAX_LAG)

    def upsampled(c):
        x = np.fromfile(os.path.join(d, f'ch{c}.f32'), dtype=np.float32).astype(np.float64)
        return x, sig.resample_poly(x[a0:a1], U, 1)

    # Alignment on channel 0: integer lag on the fine grid maximising the correlation with epoch K//2.
    _, xu = upsampled(0)
    starts = (trig - pre - a0) * U
    ref = xu[starts[K // 2]:starts[K // 2] + LU]
    ref = ref - ref.mean()
    lags = np.arange(-MAX_LAG * U, MAX_LAG * U + 1)
    fine = np.empty(K, dtype=np.int64)
    for k in range(K):
        s = starts[k]
        seg = xu[s - MAX_LAG * U:s + LU + MAX_LAG * U]
        win = np.lib.stride_tricks.sliding_window_view(seg, LU)
        cc = win @ ref
        fine[k] = s + lags[np.argmax(cc)]
    align_s = time.process_time() - c0

    idx = fine[:, None] + np.arange(LU)[None, :]
    for c in range(n_ch):
        x, xu = upsampled(c)
        ep = xu[idx]
        ep = ep - ep.mean(axis=1, keepdims=True)
        cs = np.vstack([np.zeros(LU), np.cumsum(ep, axis=0)])
        w0 = np.clip(np.arange(K) - WINDOW // 2, 0, max(0, K - WINDOW))
        w1 = np.minimum(w0 + WINDOW, K)
        tmpl = (cs[w1] - cs[w0]) / (w1 - w0)[:, None]
        alpha = np.einsum('ij,ij->i', ep, tmpl) / np.einsum('ij,ij->i', tmpl, tmpl)
        art = np.zeros_like(xu)
        # Each epoch corrects up to the next epoch's start.
        for k in range(K):
            e = fine[k] + LU if k + 1 == K else min(fine[k] + LU, fine[k + 1])
            art[fine[k]:e] = alpha[k] * tmpl[k, :e - fine[k]]
        y = x.copy()
        y[a0:a1] -= sig.resample_poly(art, 1, U)[:a1 - a0]
        y = sig.sosfiltfilt(lp, y)
        y.astype(np.float32).tofile(os.path.join(d, f'ref-out-{c}.f32'))
    print(json.dumps({'cpu_seconds': time.process_time() - c0, 'wall_seconds': time.perf_counter() - t0, 'align_cpu_seconds': align_s,
                      'numpy': np.__version__}), flush=True)


if __name__ == '__main__':
    main()
