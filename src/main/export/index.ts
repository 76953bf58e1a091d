// The one entry point of every export: sorted units (Phy folder, NWB, blech_clust HDF5, CSV/TSV)
// from a SortedResult, and corrected recordings (EDF+, BrainVision) through the io writers.
// Every export is all-or-nothing under its final name, refuses to replace an existing output
// unless told to, and carries a provenance record.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import type { CorrectedExportFormat, ExportOptions, ExportReport, SortedExportFormat, SortedResult } from '../../shared/export';
import { writeFileAtomic } from '../io/atomic';
import { checkWritable } from '../io/writable';
import { writeBrainVision } from '../io/brainvision/bv-write';
import type { BlockReader, WriteHeader } from '../io/common/writer';
import { writeEdf } from '../io/edf/edf-write';
import { checkCancel, checkTarget, outputExists, withAtomicOutput } from './atomic-output';
import { writeBlech } from './blech';
import { hashInput } from './hash';
import { validateSorted } from './model';
import { writeNwb } from './nwb';
import { buildProvenance, ensureHash, selectUnits } from './provenance';
import { writeSortedPhy } from './sorted-phy';
import { PROVENANCE_JSON, writeTsvFolder } from './tsv';

export { fromSortSession, labelByRule, validateSorted } from './model';
export { fromSortFolder } from './sort-folder';

const FORMATS: SortedExportFormat[] = ['phy', 'nwb', 'blech', 'csv'];

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

/** The source file to copy when NWB/blech units go into a copy of the recording, else null. */
function containerOf(result: SortedResult, format: 'nwb' | 'blech', opts: ExportOptions): string | null {
  if (opts.container === 'new') return null;
  const p = result.recording.path;
  return result.recording.format === format && fs.existsSync(p) && fs.statSync(p).isFile() ? p : null;
}

export async function exportSorted(result: SortedResult, format: SortedExportFormat, outPath: string,
  opts: ExportOptions = {}): Promise<ExportReport> {
  if (!FORMATS.includes(format)) bad(`unknown export format '${format}'`, `Use one of ${FORMATS.join(', ')}.`);
  const target = path.resolve(outPath);
  validateSorted(result);
  const units = selectUnits(result, opts.labels);
  if (units.length === 0) {
    throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'No units to export with the chosen labels', fix: 'Label some units good, mua or unsorted, or choose other labels.' });
  }
  const overwrite = opts.overwrite ?? false;
  const kind = format === 'nwb' || format === 'blech' ? 'file' : 'dir';
  checkTarget(target, overwrite, kind); // before hashing a large recording
  checkWritable(target);
  const progress = (f: number, stage: string): void => { checkCancel(opts.signal); opts.onProgress?.(f, stage); };
  const r = await ensureHash(result, opts);
  progress(0.05, 'writing');
  const notes: string[] = [];
  const prov = buildProvenance(r, format, units, opts.labels);
  const files = await withAtomicOutput(target, kind, overwrite, async (temp) => {
    if (format === 'csv') {
      return writeTsvFolder(temp, r, units, prov, progress, opts.signal).map((f) => path.join(target, path.basename(f)));
    }
    if (format === 'phy') {
      const written = writeSortedPhy(temp, r, units, notes);
      progress(0.95, 'provenance.json');
      writeFileAtomic(path.join(temp, PROVENANCE_JSON), JSON.stringify({ ...prov, notes: [...prov.notes, ...notes] }, null, 2) + '\n');
      return [...written, path.join(temp, PROVENANCE_JSON)].map((f) => path.join(target, path.basename(f)));
    }
    if (format === 'nwb') {
      await writeNwb(temp, r, units, prov, { copyOf: containerOf(r, 'nwb', opts), notes });
    } else {
      await writeBlech(temp, r, units, prov, { copyOf: containerOf(r, 'blech', opts), notes, fastSpikingMaxMs: opts.fastSpikingMaxMs ?? 0.4 },
        (done) => progress(0.05 + (0.9 * done) / units.length, 'units'));
    }
    progress(1, 'done');
    return [target];
  });
  return { format, path: target, files, units: units.length, spikes: prov.spikes, provenance: { ...prov, notes: [...prov.notes, ...notes] } };
}

/** A corrected recording to export: a header and a block reader (as the io writers take them). */
export interface CorrectedInput {
  header: WriteHeader;
  readBlock: BlockReader;
  /** The uncorrected source recording (provenance, input hash). */
  recordingPath: string;
  params: unknown;
}

export interface CorrectedExportOptions extends Pick<ExportOptions, 'overwrite' | 'hashInput' | 'signal'> {
  /** Samples per block handed to the writer. */
  blockSamples?: number;
  /** EDF+: physical range in uV (default: scan the data). */
  range?: [number, number];
}

/**
 * Write a corrected recording as EDF+ (`.edf`) or BrainVision (`.vhdr` + `.vmrk` + `.eeg`) with
 * `<out>.provenance.json` beside it. Nothing is replaced unless opts.overwrite.
 */
export async function exportCorrected(input: CorrectedInput, format: CorrectedExportFormat, outPath: string,
  opts: CorrectedExportOptions = {}): Promise<ExportReport> {
  const target = path.resolve(outPath);
  const ext = format === 'edf' ? /\.edf$/i : format === 'brainvision' ? /\.vhdr$/i : null;
  if (!ext) bad(`unknown corrected export format '${format}'`, 'Use edf or brainvision.');
  if (!ext.test(target)) bad(`${path.basename(target)} does not end in .${format === 'edf' ? 'edf' : 'vhdr'}`, `Name the output <name>.${format === 'edf' ? 'edf' : 'vhdr'}.`);
  const stem = target.replace(/\.[^.]+$/, '');
  const outputs = format === 'edf' ? [target] : [target, `${stem}.vmrk`, `${stem}.eeg`];
  const provFile = `${target}.provenance.json`;
  const overwrite = opts.overwrite ?? false;
  for (const f of [...outputs, provFile]) if (!overwrite && fs.existsSync(f)) throw outputExists(f);
  checkWritable(target);
  checkCancel(opts.signal);
  const inputHash = opts.hashInput === false ? null : await hashInput(input.recordingPath, opts.signal);
  const readBlock: BlockReader = (s, e) => { checkCancel(opts.signal); return input.readBlock(s, e); };
  const wopts = { overwrite: true, blockSamples: opts.blockSamples }; // existence was checked above
  if (format === 'edf') await writeEdf(target, input.header, readBlock, { ...wopts, range: opts.range });
  else await writeBrainVision(target, input.header, readBlock, wopts);
  const prov = {
    ...buildProvenance({
      recording: { path: input.recordingPath, format: null, sampleRate: input.header.sampleRate, nSamples: input.header.nSamples, channels: input.header.channels.map((c) => ({ name: c.name, group: '' })) },
      waveform: { pre: 0, post: 0 }, featureNames: [], units: [], params: input.params, curationJournalLength: 0, inputHash,
      origin: { kind: 'memory', path: input.recordingPath, runId: null },
    }, format, [], []),
  };
  writeFileAtomic(provFile, JSON.stringify(prov, null, 2) + '\n', { overwrite: true });
  return { format, path: target, files: [...outputs, provFile], units: 0, spikes: 0, provenance: prov };
}
