// Backend side of File > Export: sorted units (from the curated sort session) and the corrected
// recording (from the latest correction run's cached samples). Paths are checked against the
// allow-list; nothing is replaced unless the user confirmed (overwrite).

import path from 'node:path';
import type { ExportSummary } from '../shared/api';
import type { CorrectedExportFormat, ExportReport, SortedExportFormat } from '../shared/export';
import { SpikeDeskError } from '../shared/errors';
import type { Source } from './io/source';
import { exportCorrected, exportSorted, fromSortSession } from './export';
import type { SortSession } from './session/workbench';


function summary(r: ExportReport, channels?: number): ExportSummary {
  return { format: r.format, path: r.path, files: r.files, units: r.units, spikes: r.spikes, channels };
}

export function defaultExportPath(sessionDir: string, format: SortedExportFormat | CorrectedExportFormat): string {
  const name = { phy: 'phy', nwb: 'units.nwb', blech: 'units_blech.h5', csv: 'csv', edf: 'corrected.edf', brainvision: 'corrected.vhdr' }[format];
  return path.join(sessionDir, 'exports', name);
}

export async function exportSortedUnits(session: SortSession, format: SortedExportFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
  const result = fromSortSession(session);
  return summary(await exportSorted(result, format, out, { overwrite }));
}

export async function exportCorrectedRecording(raw: Source, corrected: Source | null, params: unknown,
  format: CorrectedExportFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
  if (!corrected) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'there is no corrected recording yet', fix: 'run the artifact correction first' });
  const meta = raw.meta;
  // Only channels the correction produced are written: an uncorrected channel is never passed off as corrected.
  const channels = meta.channels.map((_, i) => i).filter((c) => {
    try { corrected.read([c], 0, Math.min(1, meta.nSamples)); return true; } catch { return false; }
  });
  if (!channels.length) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'the last correction run produced no channel', fix: 'run the artifact correction again' });
  const report = await exportCorrected({
    header: { channels: channels.map((c) => ({ name: meta.channels[c].name })), sampleRate: meta.sampleRate, nSamples: meta.nSamples, events: meta.events },
    readBlock: (s, e) => corrected.read(channels, s, e),
    recordingPath: meta.path,
    params,
  }, format, out, { overwrite });
  return summary(report, channels.length);
}
