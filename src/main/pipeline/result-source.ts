// A Source over the cached per-channel float32 results (filtered or corrected samples) of the
// latest run that produced them, so the trace view can show results like the raw recording.
// Channels the run did not process (or that failed) are not invented: reading them throws NOT_FOUND.

import * as fs from 'node:fs';
import { SpikeDeskError } from '../../shared/errors';
import type { RecordingMeta } from '../../shared/recording';
import type { Source } from '../io/source';
import { readSession, latestRunWith } from './session-store';
import * as path from 'node:path';
import { resultStages, resultWorkflows } from './workflows';

class CacheSource implements Source {
  private fds = new Map<number, number>();

  constructor(readonly meta: RecordingMeta, private readonly files: Map<number, string>) {}

  read(channels: number[], start: number, end: number): Float32Array[] {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= this.meta.nSamples && start <= end)) {
      throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `window ${start}..${end} is outside 0..${this.meta.nSamples}` });
    }
    return channels.map((c) => {
      const file = this.files.get(c);
      if (!file) throw new SpikeDeskError({ code: 'NOT_FOUND', message: `channel ${c} has no result in the last run`, fix: 'run the pipeline on this channel' });
      let fd = this.fds.get(c);
      if (fd === undefined) { fd = fs.openSync(file, 'r'); this.fds.set(c, fd); }
      const out = new Float32Array(end - start);
      const bytes = new Uint8Array(out.buffer);
      let done = 0;
      while (done < bytes.length) {
        const got = fs.readSync(fd, bytes, done, bytes.length - done, start * 4 + done);
        if (got <= 0) throw new SpikeDeskError({ code: 'FILE_TRUNCATED', message: 'cached result is shorter than the recording', file });
        done += got;
      }
      return out;
    });
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}

/** Per-channel float32 files of the latest run that produced filtered or corrected samples. */
export function resultFiles(sessionDir: string, view: 'filtered' | 'corrected'): Map<number, string> | null {
  const s = readSession(sessionDir);
  if (!s) return null;
  const stages = resultStages(view);
  // Only a run of a workflow whose result these samples are: a tf run of the corrected signal also
  // has lowpass entries, for its own channels, and must not replace the correction's result.
  const run = latestRunWith(s, stages, resultWorkflows(view));
  if (!run) return null;
  const rec = stages.map((st) => run.stages[st]).find((r) => r)!;
  const files = new Map<number, string>();
  for (const c of run.channels) {
    const f = path.join(rec.dir, `ch${String(c).padStart(4, '0')}.f32`);
    if (fs.existsSync(f)) files.set(c, f);
  }
  return files.size ? files : null;
}

export function openResultSource(sessionDir: string, view: 'filtered' | 'corrected'): Source | null {
  const s = readSession(sessionDir);
  const files = s && resultFiles(sessionDir, view);
  return s && files ? new CacheSource(s.meta, files) : null;
}
