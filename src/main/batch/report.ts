// DIR/batch.tsv and DIR/batch.json: one row per recording (state, wall time, peak memory, units
// or metrics, error), written atomically after every finished recording so an interrupted batch
// still says what it did.

import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import type { BatchJob } from './job';
import type { RecordingResult } from './recording';
import type { TfStrategy } from '../../workers/tf/strategy';

export interface BatchSummary {
  version: 1;
  workflow: BatchJob['workflow'];
  executor: 'local' | 'slurm';
  /** Execution chosen for the batch (auto resolved), and why. */
  execution: {
    parallel: 'serial' | 'parallel'; reason: string; jobs: number;
    /** Local: most tasks (all recordings together), most recordings and most tasks of one recording running at one time. */
    maxConcurrentTasks?: number; maxConcurrentRecordings?: number; maxTasksPerRecording?: number;
    /** Time-frequency batches: the split of the work over the workers (asked for or chosen from the sizes), and why. */
    tfStrategy?: { strategy: TfStrategy; reason: string };
  };
  wallS: number;
  /** Peak resident memory of the batch process (local) or of the largest array task (Slurm), MB. */
  peakMB: number;
  counts: Record<string, number>;
  warnings: string[];
  recordings: RecordingResult[];
}

const COLUMNS = ['recording', 'state', 'wall_s', 'peak_mb', 'cached', 'units', 'spikes', 'metrics', 'output', 'error', 'log', 'path'];

function cell(v: unknown): string {
  return String(v ?? '').replace(/[\t\r\n]+/g, ' ');
}

export function batchTsv(outDir: string, rows: RecordingResult[]): string {
  const lines = [COLUMNS.join('\t')];
  for (const r of rows) {
    lines.push([r.name, r.state, r.wallS.toFixed(3), Math.round(r.peakMB), r.cached ? 'yes' : 'no', r.units ?? '', r.spikes ?? '',
      Object.entries(r.metrics).map(([k, v]) => `${k}=${v}`).join(' '),
      r.state === 'done' || r.state === 'partial' ? path.join(outDir, r.name) : '', r.error ?? '', r.log ?? '', r.path].map(cell).join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function countStates(rows: RecordingResult[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of rows) c[r.state] = (c[r.state] ?? 0) + 1;
  return c;
}

export function writeBatchReport(outDir: string, summary: BatchSummary): void {
  writeFileAtomic(path.join(outDir, 'batch.tsv'), batchTsv(outDir, summary.recordings));
  writeFileAtomic(path.join(outDir, 'batch.json'), `${JSON.stringify(summary, null, 2)}\n`);
}
