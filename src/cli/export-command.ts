// `spikedesk export SOURCE --format phy|nwb|blech|csv|edf|brainvision --out PATH [--force]`.
// SOURCE is a session folder (<recording>.spikedesk, with the curation done in the app), a
// `spikedesk sort --out` folder, or a recording whose session holds a sort / a correction.
// Exports are atomic and never replace an existing output without --force.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportReport, SortedExportFormat, CorrectedExportFormat } from '../shared/export';
import { existingSessionOf, exportCorrectedOf, exportSortedOfFolder, exportSortedOfSession, exportSourceKind } from '../main/headless';
import { openOptions, str, UsageError, type ParsedArgs } from './args';
import { EXIT, openInput, type Io } from './common';
import { SpikeDeskError } from '../shared/errors';

const isFolder = (p: string): boolean => { try { return fs.statSync(p).isDirectory(); } catch { return false; } };

const SORTED: SortedExportFormat[] = ['phy', 'nwb', 'blech', 'csv'];
const CORRECTED: CorrectedExportFormat[] = ['edf', 'brainvision'];

type Resolved = { kind: 'session'; dir: string } | { kind: 'sort-folder'; dir: string };

async function resolveSource(a: ParsedArgs): Promise<Resolved> {
  const src = a.positional[0];
  if (!src) throw new UsageError('export needs a SOURCE: a session folder, a sort --out folder or a recording');
  const kind = exportSourceKind(src);
  if (kind) return { kind, dir: path.resolve(src) };
  // A recording (or the demo): its session folder.
  let meta;
  try {
    ({ meta } = await openInput(src, openOptions(a)));
  } catch (e) {
    // A folder that is none of the three: say what SOURCE may be, not only that it holds no recording.
    if (e instanceof SpikeDeskError && e.code === 'FORMAT_UNKNOWN' && isFolder(src)) {
      throw new SpikeDeskError({
        code: 'FORMAT_UNKNOWN', file: path.resolve(src),
        message: 'This folder is not a session folder (RECORDING.spikedesk), a `spikedesk sort --out` folder or a recording folder',
        fix: 'Give export the folder `spikedesk sort --out` wrote, the session folder beside the recording, or the recording itself',
      });
    }
    throw e;
  }
  return { kind: 'session', dir: existingSessionOf(meta.path, src) };
}

async function exportFromSession(dir: string, format: SortedExportFormat | CorrectedExportFormat, out: string, overwrite: boolean, labelRule: boolean): Promise<ExportReport & { channels?: number }> {
  if ((SORTED as string[]).includes(format)) return exportSortedOfSession(dir, format as SortedExportFormat, out, overwrite, labelRule);
  if (labelRule) throw new UsageError(`--label-rule labels sorted units; --format ${format} exports a corrected recording`);
  return exportCorrectedOf(dir, format as CorrectedExportFormat, out, overwrite);
}

export async function exportCommand(a: ParsedArgs, io: Io): Promise<number> {
  const raw = str(a, 'format') ?? 'phy';
  const format = (raw === 'tsv' ? 'csv' : raw) as SortedExportFormat | CorrectedExportFormat;
  if (![...SORTED, ...CORRECTED].includes(format)) throw new UsageError(`--format ${raw}: use phy, nwb, blech, csv, edf or brainvision`);
  const out = str(a, 'out');
  if (!out) throw new UsageError('export needs --out PATH');
  const overwrite = a.flags.has('force');
  const labelRule = a.flags.has('label-rule');
  const source = await resolveSource(a);
  let report: ExportReport & { channels?: number };
  if (source.kind === 'sort-folder') {
    if (!(SORTED as string[]).includes(format)) throw new UsageError(`a sort --out folder holds sorted units; --format ${format} needs a session with a correction`);
    report = await exportSortedOfFolder(source.dir, format as SortedExportFormat, out, overwrite, labelRule);
  } else {
    report = await exportFromSession(source.dir, format, out, overwrite, labelRule);
  }
  const what = report.channels !== undefined ? `${report.channels} corrected channels` : `${report.units} units (${report.spikes} spikes)`;
  if (io.json) io.stdout.write(`${JSON.stringify({ format: report.format, out: report.path, files: report.files, units: report.units, spikes: report.spikes, channels: report.channels, provenance: report.provenance }, null, 1)}\n`);
  else io.stdout.write(`exported ${what} as ${format} to ${report.path}\n`);
  return EXIT.ok;
}
