# Reads a blech_clust HDF5 export and a TSV export with h5py and the csv module (pandas when it
# is installed) and prints what they hold as JSON.
import csv, json, sys
import h5py

blech, tsv_dir = sys.argv[1], sys.argv[2]
f = h5py.File(blech, 'r')
units = sorted(f['sorted_units'].keys())
desc = f['unit_descriptor'][:]
out = {
    'units': units,
    'times': [[int(x) for x in f['sorted_units'][u]['times'][:]] for u in units],
    'times_dtype': str(f['sorted_units'][units[0]]['times'].dtype),
    'waveform_shapes': [list(f['sorted_units'][u]['waveforms'].shape) for u in units if 'waveforms' in f['sorted_units'][u]],
    'descriptor_fields': list(desc.dtype.names),
    'descriptor': [{k: int(r[k]) for k in desc.dtype.names} for r in desc],
    'provenance': json.loads(f['sorted_units'].attrs['spikedesk_provenance']),
}
with open(tsv_dir + '/spikes.tsv', newline='') as fh:
    rows = list(csv.DictReader(fh, delimiter='\t'))
out['tsv_spikes'] = [[int(r['unit']), int(r['channel']), int(r['sample']), float(r['time_s'])] for r in rows]
with open(tsv_dir + '/units.tsv', newline='') as fh:
    out['tsv_units'] = list(csv.DictReader(fh, delimiter='\t'))
try:
    import pandas as pd
    out['pandas_rows'] = len(pd.read_csv(tsv_dir + '/spikes.tsv', sep='\t'))
except ImportError:
    out['pandas_rows'] = None
print(json.dumps(out))
