// `spikedesk export SOURCE --format phy|nwb|blech|csv|edf|brainvision --out PATH [--force]`.
// SOURCE is a session folder (<recording>.spikedesk, with the curation done in the app), a
// `spikedesk sort --out` folder, or a recording whose session holds a sort / a correction.
// Exports are atomic and never replace an existing output without --force.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../shared/errors';
import type { ExportReport, SortedExportFormat, CorrectedExportFormat } from '../shared/export';
import { exportSorted, fromSortFolder, fromSortSession } from '../main/export';
import { exportCorrectedSource } from '../main/export/corrected-source';
import { sessionDirFor } from '../main/pipeline/cache';
import { openResultSource } from '../main/pipeline/result-source';
import { readSession } from '../main/pipeline/session-store';
import { SortSession } from '../main/session/workbench';
import { openOptions, str, UsageError, type ParsedArgs } from './args';
import { EXIT, openInput, type Io } from './common';

const SORTED: SortedExportFormat[] = ['phy', 'nwb', 'blech', 'csv'];
const CORRECTED: CorrectedExportFormat[] = ['edf', 'brainvision'];

type Resolved = { kind: 'session'; dir: string } | { kind: 'sort-folder'; dir: string };

async function resolveSource(a: ParsedArgs): Promise<Resolved> {
  const src = a.positional[0];
  if (!src) throw new UsageError('export needs a SOURCE: a session folder, a sort --out folder or a recording');
  if (fs.existsSync(src) && fs.statSync(src).isDirectory()) {
    if (fs.existsSync(path.join(src, 'session.json'))) return { kind: 'session', dir: path.resolve(src) };
    if (fs.existsSync(path.join(src, 'params.py')) && fs.existsSync(path.join(src, 'spike_times.npy'))) return { kind: 'sort-folder', dir: path.resolve(src) };
  }
  // A recording (or the demo): its session folder.
  const rec = await openInput(src, openOptions(a));
  const dir = sessionDirFor(rec.meta.path);
  rec.close();
  if (!fs.existsSync(path.join(dir, 'session.json'))) {
    throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'this recording has no session yet', fix: 'run spikedesk sort or correct on it first', file: src });
  }
  return { kind: 'session', dir };
}

async function exportFromSession(dir: string, format: SortedExportFormat | CorrectedExportFormat, out: string, overwrite: boolean): Promise<ExportReport & { channels?: number }> {
  if ((SORTED as string[]).includes(format)) {
    const session = SortSession.open(dir);
    try {
      return await exportSorted(fromSortSession(session), format as SortedExportFormat, out, { overwrite });
    } finally {
      session.close();
    }
  }
  const corrected = openResultSource(dir, 'corrected');
  if (!corrected) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'this session has no corrected recording', fix: 'run spikedesk correct first', file: dir });
  try {
    return await exportCorrectedSource(corrected, readSession(dir)?.params.correct ?? null, format as CorrectedExportFormat, out, { overwrite });
  } finally {
    corrected.close();
  }
}

export async function exportCommand(a: ParsedArgs, io: Io): Promise<number> {
  const raw = str(a, 'format') ?? 'phy';
  const format = (raw === 'tsv' ? 'csv' : raw) as SortedExportFormat | CorrectedExportFormat;
  if (![...SORTED, ...CORRECTED].includes(format)) throw new UsageError(`--format ${raw}: use phy, nwb, blech, csv, edf or brainvision`);
  const out = str(a, 'out');
  if (!out) throw new UsageError('export needs --out PATH');
  const overwrite = a.flags.has('force');
  const source = await resolveSource(a);
  let report: ExportReport & { channels?: number };
  if (source.kind === 'sort-folder') {
    if (!(SORTED as string[]).includes(format)) throw new UsageError(`a sort --out folder holds sorted units; --format ${format} needs a session with a correction`);
    report = await exportSorted(fromSortFolder(source.dir), format as SortedExportFormat, out, { overwrite });
  } else {
    report = await exportFromSession(source.dir, format, out, overwrite);
  }
  const what = report.channels !== undefined ? `${report.channels} corrected channels` : `${report.units} units (${report.spikes} spikes)`;
  if (io.json) io.stdout.write(`${JSON.stringify({ format: report.format, out: report.path, files: report.files, units: report.units, spikes: report.spikes, channels: report.channels, provenance: report.provenance }, null, 1)}\n`);
  else io.stdout.write(`exported ${what} as ${format} to ${report.path}\n`);
  return EXIT.ok;
}
