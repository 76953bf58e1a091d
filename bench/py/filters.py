"""Python peer of bench/filters.bench.ts: scipy.signal.sosfiltfilt throughput on float64 channels.

Usage: filters.py N_CHANNELS SECONDS FS. Builds the 300-6000 Hz band-pass like SpikeDesk's default
(4th-order Butterworth high-pass then 4th-order low-pass, as SOS) and random float64 channels, warms up,
prints "ready", then for every "run" line on stdin filters all channels one at a time on one core and
prints the elapsed wall-clock and CPU seconds as JSON. Interleaving runs with the TypeScript side makes the comparison fair
on a shared machine. "quit" (or end of input) stops.
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.signal as sig

n_ch, seconds, fs = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
n = int(seconds * fs)
sos = np.vstack([sig.butter(4, 300, 'highpass', fs=fs, output='sos'), sig.butter(4, 6000, 'lowpass', fs=fs, output='sos')])
rng = np.random.default_rng(1)
channels = [20.0 * rng.standard_normal(n) + 500.0 for _ in range(n_ch)]


def run():
    for x in channels:
        sig.sosfiltfilt(sos, x)


run()  # warm-up
print(json.dumps({'ready': True, 'scipy': scipy.__version__, 'samples': n_ch * n}), flush=True)
for line in sys.stdin:
    if line.strip() != 'run':
        break
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    print(json.dumps({'seconds': time.perf_counter() - t0, 'cpu_seconds': time.process_time() - c0}), flush=True)
