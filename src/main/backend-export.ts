// Backend side of File > Export: sorted units (from the curated sort session) and the corrected
// recording (from the latest correction run's cached samples). Paths are checked against the
// allow-list; nothing is replaced unless the user confirmed (overwrite).

import path from 'node:path';
import type { ExportSummary } from '../shared/api';
import type { CorrectedExportFormat, ExportReport, SortedExportFormat } from '../shared/export';
import type { TfExportFormat } from '../shared/menu';
import { SpikeDeskError } from '../shared/errors';
import type { Source } from './io/source';
import { exportSorted, fromSortSession } from './export';
import { exportCorrectedSource } from './export/corrected-source';
import type { SortSession } from './session/workbench';


function summary(r: ExportReport, channels?: number): ExportSummary {
  return { format: r.format, path: r.path, files: r.files, units: r.units, spikes: r.spikes, channels };
}

export function defaultExportPath(sessionDir: string, format: SortedExportFormat | CorrectedExportFormat | TfExportFormat): string {
  const name = { phy: 'phy', nwb: 'units.nwb', blech: 'units_blech.h5', csv: 'csv', edf: 'corrected.edf', brainvision: 'corrected.vhdr', 'tf-nwb': 'time_frequency.nwb', 'tf-npy': 'time_frequency', 'tf-png': 'spectrogram.png', 'tf-svg': 'spectrogram.svg' }[format];
  return path.join(sessionDir, 'exports', name);
}

export async function exportSortedUnits(session: SortSession, format: SortedExportFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
  const result = fromSortSession(session);
  return summary(await exportSorted(result, format, out, { overwrite }));
}

export async function exportCorrectedRecording(corrected: Source | null, params: unknown,
  format: CorrectedExportFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
  if (!corrected) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'there is no corrected recording yet', fix: 'run the artifact correction first' });
  const report = await exportCorrectedSource(corrected, params, format, out, { overwrite });
  return summary(report, report.channels);
}
