// The folder of `spikedesk sort --out` and of a batch's sorted recording: the Phy folder written
// by the one Phy writer (sorted-phy.ts) from the run's units, plus spikes.tsv (the CSV export's
// table). units.tsv is the Phy writer's. Callers make it atomic (a temp folder renamed into place).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceRef } from '../../shared/recording';
import { writeFileAtomic } from '../io/atomic';
import type { SortResult } from '../pipeline/sort-result';
import { fromSortResult, labelByRule } from './model';
import { writeSortedPhy } from './sorted-phy';
import { SPIKES_TSV, UNITS_TSV, unitsTable, writeSpikesTsv } from './tsv';

export interface SortFolder {
  /** Written files (absolute paths). */
  files: string[];
  units: number;
  spikes: number;
  /** Spikes the clustering left unassigned (outliers): phy has no cluster for them. */
  unassigned: number;
  notes: string[];
  /** Units labelled by the quality rule (`labelRule`), else absent. */
  labelled?: { good: number; mua: number };
}

/** Writes the folder into `dir` (created by the caller); a run without units gets its (empty) tables only. */
export function writeSortFolder(dir: string, sorted: SortResult, source: SourceRef, params: unknown = null, opts: { labelRule?: boolean } = {}): SortFolder {
  fs.mkdirSync(dir, { recursive: true });
  const { result, unassigned } = fromSortResult(sorted, source, params);
  const notes: string[] = [];
  const labelled = opts.labelRule ? labelByRule(result) : undefined;
  const files = result.units.length ? writeSortedPhy(dir, result, result.units, notes) : [];
  if (!result.units.length) {
    const f = path.join(dir, UNITS_TSV);
    writeFileAtomic(f, unitsTable(result, []));
    files.push(f);
  }
  const spikes = path.join(dir, SPIKES_TSV);
  writeSpikesTsv(spikes, result, result.units);
  files.push(spikes);
  const total = sorted.channels.reduce((s, c) => s + c.samples.length, 0);
  return { files, units: result.units.length, spikes: total, unassigned, notes, ...(labelled ? { labelled } : {}) };
}
