// Export of a correction run's result: the corrected channels of a Source over the session cache,
// written as EDF+ or BrainVision. Only channels the correction produced are written: an
// uncorrected channel is never passed off as corrected.

import { SpikeDeskError } from '../../shared/errors';
import type { CorrectedExportFormat, ExportReport } from '../../shared/export';
import type { Source } from '../io/source';
import { exportCorrected, type CorrectedExportOptions } from './index';

export async function exportCorrectedSource(corrected: Source, params: unknown, format: CorrectedExportFormat, out: string,
  opts: CorrectedExportOptions = {}): Promise<ExportReport & { channels: number }> {
  const meta = corrected.meta;
  const channels = meta.channels.map((_, i) => i).filter((c) => {
    try { corrected.read([c], 0, Math.min(1, meta.nSamples)); return true; } catch { return false; }
  });
  if (!channels.length) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'the last correction run produced no channel', fix: 'run the artifact correction again' });
  const report = await exportCorrected({
    header: { channels: channels.map((c) => ({ name: meta.channels[c].name })), sampleRate: meta.sampleRate, nSamples: meta.nSamples, events: meta.events },
    readBlock: (s, e) => corrected.read(channels, s, e),
    recordingPath: meta.path,
    params,
  }, format, out, opts);
  return { ...report, channels: channels.length };
}
