// The provenance record every export carries (provenance.json beside folder exports, inside the
// HDF5 file for NWB and blech_clust): software version, parameters, how much curation was
// applied, a hash of the input recording and the date, so a result can be traced to its source.

import type { Label } from '../../shared/curation';
import { LABELS } from '../../shared/curation';
import type { ExportOptions, ExportUnit, Provenance, SortedResult } from '../../shared/export';
import { VERSION } from '../compose';
import { hashInput } from './hash';

/** Units an export includes: every label except noise unless the caller chose labels. */
export function selectUnits(result: SortedResult, labels: Label[] | undefined): ExportUnit[] {
  const keep = new Set<Label>(labels ?? LABELS.filter((l) => l !== 'noise'));
  return result.units.filter((u) => keep.has(u.label));
}

/** The result's input hash, computed (streaming) when missing and the recording is reachable. */
export async function ensureHash(result: SortedResult, opts: ExportOptions): Promise<SortedResult> {
  if (result.inputHash || opts.hashInput === false) return result;
  opts.onProgress?.(0, 'hashing the input recording');
  return { ...result, inputHash: await hashInput(result.recording.path, opts.signal) };
}

export function buildProvenance(result: SortedResult, format: Provenance['format'], units: ExportUnit[],
  labels: Label[] | undefined, notes: string[] = [], now: Date = new Date()): Provenance {
  const r = result.recording;
  return {
    software: 'SpikeDesk', version: VERSION, format, createdAt: now.toISOString(), origin: result.origin,
    recording: { path: r.path, format: r.format, sampleRate: r.sampleRate, nSamples: r.nSamples, nChannels: r.channels.length },
    inputHash: result.inputHash, params: result.params ?? null, curationJournalLength: result.curationJournalLength,
    units: units.length, spikes: units.reduce((a, u) => a + u.spikes.length, 0),
    labels: labels ?? LABELS.filter((l) => l !== 'noise'), notes,
  };
}
