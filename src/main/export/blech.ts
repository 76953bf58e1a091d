// blech_clust HDF5 export: /sorted_units/unitNNN/times (int64 sample indices) and
// /sorted_units/unitNNN/waveforms (spikes x samples, uV) plus the /unit_descriptor table as a
// compound dataset with blech_clust's columns (unit_number, electrode_number, single_unit,
// regular_spiking, fast_spiking, waveform_count). Written as a new file or into a copy of a
// blech_clust source recording (the layout blech_clust's later steps read from one file).

import * as fs from 'node:fs';
import { SpikeDeskError } from '../../shared/errors';
import type { ExportUnit, Provenance, SortedResult } from '../../shared/export';
import { dataset, has, openForWrite, setAttrs } from './h5-write';

export interface BlechWrite {
  copyOf: string | null;
  /** Trough-to-peak time (ms) below which a single unit is fast spiking. */
  fastSpikingMaxMs: number;
  notes: string[];
}

export interface UnitDescriptorRow {
  unit_number: number;
  electrode_number: number;
  single_unit: number;
  regular_spiking: number;
  fast_spiking: number;
  waveform_count: number;
}

/**
 * Trough-to-peak time of a mean waveform in ms: from its largest excursion to the opposite
 * extremum after it (the usual narrow/broad-spike criterion); null for a flat waveform.
 */
export function troughToPeakMs(wf: Float32Array, sampleRate: number): number | null {
  let iExt = -1, best = 0;
  for (let i = 0; i < wf.length; i++) if (Math.abs(wf[i]) > best) { best = Math.abs(wf[i]); iExt = i; }
  if (iExt < 0) return null;
  const sign = wf[iExt] < 0 ? 1 : -1; // look for a maximum after a trough, a minimum after a peak
  let iOpp = iExt, opp = -Infinity;
  for (let i = iExt + 1; i < wf.length; i++) if (sign * wf[i] > opp) { opp = sign * wf[i]; iOpp = i; }
  return iOpp === iExt ? null : ((iOpp - iExt) / sampleRate) * 1000;
}

/** blech_clust numbers electrodes by their /raw/electrodeNN name; other sources by channel index. */
export function electrodeNumber(result: SortedResult, channel: number): number {
  const m = /^electrode0*(\d+)$/i.exec(result.recording.channels[channel]?.name ?? '');
  return m ? Number(m[1]) : channel;
}

export function unitDescriptors(result: SortedResult, units: ExportUnit[], fastSpikingMaxMs: number): UnitDescriptorRow[] {
  return units.map((u, i) => {
    const single = u.label === 'good';
    const tp = single ? troughToPeakMs(u.meanWaveform, result.recording.sampleRate) : null;
    const fast = tp !== null && tp < fastSpikingMaxMs;
    return {
      unit_number: i, electrode_number: electrodeNumber(result, u.channel), single_unit: single ? 1 : 0,
      regular_spiking: single && tp !== null && !fast ? 1 : 0, fast_spiking: fast ? 1 : 0, waveform_count: u.spikes.length,
    };
  });
}

const COLUMNS: (keyof UnitDescriptorRow)[] = ['unit_number', 'electrode_number', 'single_unit', 'regular_spiking', 'fast_spiking', 'waveform_count'];

export async function writeBlech(file: string, result: SortedResult, units: ExportUnit[], prov: Provenance, opts: BlechWrite,
  onUnit?: (done: number) => void): Promise<void> {
  if (opts.copyOf) fs.copyFileSync(opts.copyOf, file);
  const f = await openForWrite(file, opts.copyOf ? 'a' : 'w');
  try {
    for (const name of ['sorted_units', 'unit_descriptor']) {
      if (has(f, name)) {
        throw new SpikeDeskError({ code: 'FORMAT_UNSUPPORTED', file: opts.copyOf ?? file, message: `The blech_clust file already has /${name}`, fix: 'Export into a new HDF5 file instead of a copy of the source.' });
      }
    }
    const w = result.waveform.pre + result.waveform.post;
    const missing = units.filter((u) => !u.waveforms).length;
    if (missing) opts.notes.push(`${missing} unit(s) have no per-spike waveforms in the source; their waveforms datasets are omitted`);
    const sorted = f.create_group('sorted_units');
    units.forEach((u, i) => {
      const g = sorted.create_group(`unit${String(i).padStart(3, '0')}`);
      dataset(g, 'times', BigInt64Array.from(u.spikes, (s) => BigInt(Math.round(s))));
      if (u.waveforms) {
        if (u.waveforms.length !== u.spikes.length * w) {
          throw new SpikeDeskError({ code: 'INTERNAL', message: `unit ${u.id}: ${u.waveforms.length} waveform values for ${u.spikes.length} spikes of ${w} samples` });
        }
        dataset(g, 'waveforms', u.waveforms, [u.spikes.length, w]);
      }
      setAttrs(g, { spikedesk_unit_id: u.id, label: u.label, channel_name: result.recording.channels[u.channel]?.name ?? '' });
      onUnit?.(i + 1);
    });
    const rows = unitDescriptors(result, units, opts.fastSpikingMaxMs);
    const cols = new Map<string, Int32Array>(COLUMNS.map((c) => [c, Int32Array.from(rows, (r) => r[c])]));
    f.create_dataset({ name: 'unit_descriptor', data: cols, shape: [rows.length], dtype: COLUMNS.map((c) => [c, '<i4']) });
    setAttrs(sorted, {
      sampling_rate: result.recording.sampleRate, waveform_pre_samples: result.waveform.pre,
      spikedesk_provenance: JSON.stringify({ ...prov, notes: [...prov.notes, ...opts.notes], fastSpikingMaxMs: opts.fastSpikingMaxMs }),
    });
  } finally {
    f.close();
  }
}
