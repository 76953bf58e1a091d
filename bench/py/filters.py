"""Python peer of bench/filters.bench.ts: scipy.signal.sosfiltfilt throughput on float64 channels.

Usage: filters.py N_CHANNELS SECONDS FS RUNS. Filters each channel with the 300-6000 Hz band-pass built
like SpikeDesk's default (4th-order Butterworth high-pass then 4th-order low-pass, as SOS), one channel
at a time on one core, and prints one JSON object: median seconds per run and Msamples/s.
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.signal as sig

n_ch, seconds, fs, runs = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
n = int(seconds * fs)
sos = np.vstack([sig.butter(4, 300, 'highpass', fs=fs, output='sos'), sig.butter(4, 6000, 'lowpass', fs=fs, output='sos')])
rng = np.random.default_rng(1)
channels = [20.0 * rng.standard_normal(n) + 500.0 for _ in range(n_ch)]


def run():
    for x in channels:
        sig.sosfiltfilt(sos, x)


run()  # warm-up
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    run()
    times.append(time.perf_counter() - t0)
med = float(np.median(times))
print(json.dumps({'scipy': scipy.__version__, 'median_s': med, 'msamples_per_s': n_ch * n / med / 1e6}))
