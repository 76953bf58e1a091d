// A correction batch: each recording gets corrected.edf (+ provenance) in its folder, with the
// trigger count and epochs in batch.tsv, and the same samples as the single recording's export.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/main/batch/run-batch';
import { makeJob } from '../../src/main/batch/job';
import { openSource } from '../../src/main/io';
import { makeEegRecording, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';

afterAll(() => removeTmpDirs());

describe('batch --workflow correct', () => {
  it('writes corrected.edf per recording with its metrics', async () => {
    const d = tmpDir('correct-batch');
    for (const sub of ['a', 'b']) fs.mkdirSync(path.join(d, sub));
    const a = await makeEegRecording(path.join(d, 'a'), { durationS: 20 });
    const b = await makeEegRecording(path.join(d, 'b'), { durationS: 20 });
    const inputs = path.join(d, 'list.tsv');
    fs.writeFileSync(inputs, `path\n${a.meta.path}\n${b.meta.path}\n`);
    const s = await startBatch({
      inputs: [inputs], job: makeJob('correct', undefined, { kind: 'fast', jobs: 1, memoryBudgetMB: 512 }, 'serial'),
      outDir: path.join(d, 'out'), executor: 'local', jobs: 1, memoryBudgetMB: 2048, workerEntry: WORKER_ENTRY,
    }).done;
    expect(s.counts).toEqual({ done: 2 });
    // Same file name in two folders: names carry a hash of the path.
    expect(s.recordings.map((r) => r.name).every((n) => /^eeg-[0-9a-f]{8}$/.test(n))).toBe(true);
    for (const r of s.recordings) {
      expect(r.files).toEqual(['corrected.edf', 'corrected.edf.provenance.json']);
      expect(r.metrics.triggers).toBeGreaterThan(10);
      expect(r.metrics.channels).toBe(a.eeg.nChannels);
      const edf = await openSource(path.join(d, 'out', r.name, 'corrected.edf'));
      expect(edf.meta.channels.length).toBe(a.eeg.nChannels);
      expect(edf.meta.nSamples).toBe(a.meta.nSamples);
      edf.close();
    }
    expect(fs.readFileSync(path.join(d, 'out', 'batch.tsv'), 'utf8')).toMatch(/triggers=\d+/);
  }, 120_000);
});
