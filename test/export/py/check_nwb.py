# Reads an NWB file written by SpikeDesk with h5py only and checks the NWB 2.x layout that pynwb
# relies on (root attributes and datasets, electrodes DynamicTable, Units table with ragged
# columns); prints the spike trains and columns as JSON for the interop test to compare.
import json, sys
import h5py

path, new_file = sys.argv[1], sys.argv[2] == 'new'
f = h5py.File(path, 'r')
problems = []

def need(cond, msg):
    if not cond:
        problems.append(msg)

def s(v):
    return v.decode() if isinstance(v, bytes) else str(v)

def check_table(g, table_type):
    need(s(g.attrs.get('neurodata_type', '')) == table_type, f'{g.name} neurodata_type')
    need('description' in g.attrs, f'{g.name} description')
    cols = [s(c) for c in g.attrs['colnames']]
    n = len(g['id'])
    need(s(g['id'].attrs.get('neurodata_type', '')) == 'ElementIdentifiers', f'{g.name}/id type')
    for c in cols:
        need(c in g, f'{g.name}/{c} missing')
        d = g[c]
        need('description' in d.attrs, f'{g.name}/{c} description')
        if c + '_index' in g:
            idx = g[c + '_index']
            need(s(idx.attrs['neurodata_type']) == 'VectorIndex', f'{c}_index type')
            need(f[idx.attrs['target']].name == d.name, f'{c}_index target')
            need(len(idx) == n and (n == 0 or int(idx[-1]) == len(d)), f'{c}_index length')
            need(all(int(a) <= int(b) for a, b in zip(idx[:-1], idx[1:])), f'{c}_index not ascending')
        else:
            need(d.shape[0] == n, f'{g.name}/{c} has {d.shape[0]} rows, table {n}')
    return cols

if new_file:
    for k, v in {'neurodata_type': 'NWBFile', 'namespace': 'core'}.items():
        need(s(f.attrs.get(k, '')) == v, f'root {k}')
    need(s(f.attrs['nwb_version']).startswith('2.'), 'nwb_version')
    need(len(s(f.attrs['object_id'])) == 36, 'object_id')
    for d in ['identifier', 'session_description', 'session_start_time', 'timestamps_reference_time', 'file_create_date']:
        need(d in f, f'/{d} missing')
    for g in ['acquisition', 'analysis', 'processing', 'stimulus', 'general', 'general/devices']:
        need(isinstance(f.get(g), h5py.Group), f'/{g} missing')
    el = f['general/extracellular_ephys/electrodes']
    check_table(el, 'DynamicTable')
    for ref, name in zip(el['group'][:], el['group_name'][:]):
        grp = f[ref]
        need(s(grp.attrs['neurodata_type']) == 'ElectrodeGroup' and grp.name.endswith('/' + s(name)), 'electrode group ref')
        need(s(grp['device'].attrs['neurodata_type']) == 'Device', 'device link')
    need(s(f['general/notes'][()]).startswith('SpikeDesk provenance'), 'notes')

u = f['units']
cols = check_table(u, 'Units')
need(s(u.attrs['namespace']) == 'core', 'units namespace')
need(s(u['electrodes'].attrs['neurodata_type']) == 'DynamicTableRegion', 'electrodes region type')
need(f[u['electrodes'].attrs['table']].name == '/general/extracellular_ephys/electrodes', 'electrodes region table')
need(s(u['waveform_mean'].attrs['unit']) == 'volts', 'waveform unit')
ends = u['spike_times_index'][:]
t = u['spike_times'][:]
trains, start = [], 0
for e in ends:
    trains.append([float(x) for x in t[start:int(e)]])
    start = int(e)
eidx = u['electrodes_index'][:]
out = {
    'problems': problems, 'ids': [int(i) for i in u['id'][:]], 'trains': trains,
    'electrodes': [int(x) for x in u['electrodes'][:]], 'electrodes_index': [int(x) for x in eidx],
    'labels': [s(x) for x in u['label'][:]], 'colnames': cols,
    'waveform_shape': list(u['waveform_mean'].shape), 'waveform_max_v': float(abs(u['waveform_mean'][:]).max()),
    'snr': [float(x) for x in u['snr'][:]] if 'snr' in u else None,
    'acquisition': sorted(f['acquisition'].keys()),
}
try:
    import pynwb  # noqa: F401  (Debian usually lacks it; then the h5py checks above are the validation)
    with pynwb.NWBHDF5IO(path, 'r') as io:
        nwb = io.read()
        out['pynwb_units'] = len(nwb.units)
except ImportError:
    out['pynwb_units'] = None
print(json.dumps(out))
