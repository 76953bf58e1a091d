"""MNE reference of bench/tf.bench.ts: tfr_array_morlet(output='power') on a float32 file of
channels x samples, timed without the file load. Prints one JSON line: seconds, peak RSS (MB) of this
process and of its largest joblib child (n_jobs > 1 runs channels in child processes).
Usage: python3 tf_mne.py FILE CHANNELS SAMPLES SFREQ FREQS(comma) N_CYCLES DECIM N_JOBS
"""
import json
import resource
import sys
import time

import numpy as np
from mne.time_frequency import tfr_array_morlet

path, nch, n, sfreq, freqs, ncyc, decim, jobs = sys.argv[1:9]
nch, n, decim, jobs = int(nch), int(n), int(decim), int(jobs)
data = np.fromfile(path, dtype='<f4', count=nch * n).reshape(1, nch, n).astype(np.float64)
freqs = np.array([float(f) for f in freqs.split(',')])
t0 = time.perf_counter()
power = tfr_array_morlet(data, float(sfreq), freqs, n_cycles=float(ncyc), decim=decim, output='power', n_jobs=jobs, verbose=False)
sec = time.perf_counter() - t0
self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
ru_s, ru_c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru_s.ru_utime + ru_s.ru_stime + ru_c.ru_utime + ru_c.ru_stime  # this process and its joblib workers
print(json.dumps({'seconds': sec, 'peakMB': self_mb, 'childPeakMB': child_mb, 'cpu': cpu, 'shape': list(power.shape),
                  'checksum': float(power[0, 0, :, ::97].sum())}))
