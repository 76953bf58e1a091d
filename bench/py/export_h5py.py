# Peer for bench/export.bench.ts: h5py writing the same blech_clust layout (times int64,
# waveforms float32 per unit) and a units table of the same size; prints the median ms as JSON.
import json, sys, time
import numpy as np
import h5py

path, n_units, per_unit, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1)
times = [np.sort(rng.integers(0, 30000 * 600, per_unit)).astype(np.int64) for _ in range(n_units)]
waves = [rng.standard_normal((per_unit, width)).astype(np.float32) for _ in range(n_units)]
runs = []
for _ in range(3):
    t0 = time.perf_counter()
    with h5py.File(path, 'w') as f:
        g = f.create_group('sorted_units')
        for i in range(n_units):
            u = g.create_group('unit%03d' % i)
            u.create_dataset('times', data=times[i])
            u.create_dataset('waveforms', data=waves[i])
        desc = np.zeros(n_units, dtype=[('unit_number', '<i4'), ('electrode_number', '<i4'), ('single_unit', '<i4')])
        f.create_dataset('unit_descriptor', data=desc)
    runs.append((time.perf_counter() - t0) * 1000)
print(json.dumps({'blech_ms': sorted(runs)[1]}))
