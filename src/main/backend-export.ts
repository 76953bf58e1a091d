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

/** Name of each export beside the recording's others: the workflow's result, then the format (no extension = a folder). */
const EXPORT_NAMES: Record<SortedExportFormat | CorrectedExportFormat | TfExportFormat, string> = {
  phy: 'sorted-phy', nwb: 'sorted.nwb', blech: 'sorted-blech.h5', csv: 'sorted-csv',
  edf: 'corrected.edf', brainvision: 'corrected.vhdr',
  'tf-nwb': 'tf.nwb', 'tf-npy': 'tf-npy', 'tf-png': 'tf.png', 'tf-svg': 'tf.svg',
};

/** SESSION/exports/<recording>-<workflow result>[.ext]: the recording's name without its extension. */
export function defaultExportPath(sessionDir: string, recordingPath: string, format: SortedExportFormat | CorrectedExportFormat | TfExportFormat): string {
  const rec = path.basename(recordingPath, path.extname(recordingPath)) || 'recording';
  return path.join(sessionDir, 'exports', `${rec}-${EXPORT_NAMES[format]}`);
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
