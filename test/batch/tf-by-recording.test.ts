// The time-frequency workflow's by-recording split (a batch of recordings, each recording's channels
// in order on one worker, recordings side by side) gives the sequential result bit for bit: four
// recordings through the by-recording path on 1, 2 and 4 workers, in fast and low-memory mode (its
// time chunks), against the batch run inline one task at a time. The automatic choice picks it for
// several recordings, through the CLI's tf flags too.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/main/batch/run-batch';
import { makeJob, type ParallelChoice } from '../../src/main/batch/job';
import type { BatchSummary } from '../../src/main/batch/report';
import { DEFAULT_TF, type ExecutionMode, type TfParams } from '../../src/shared/params';
import { GAIN, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';
import { runCli } from '../engine/cli-helpers';
import { clearSessions, RAW_ARGS, treeBytes, writeRecordings } from './helpers';

const open = { channels: 4, rate: 20000, dtype: 'int16' as const, gain: GAIN };
const params = (strategy: TfParams['strategy']): Partial<TfParams> => ({
  freqs: [6, 10, 16], nCycles: [3], decim: 20, strategy, bands: [{ name: 'theta', lo: 4, hi: 8 }],
});
/** The recordings' output folders, less provenance.json (its run id and time differ by nature). */
const outputs = (dir: string): Map<string, Buffer> => treeBytes(dir, (rel) => rel === '.batch' || rel.startsWith('batch.') || rel.endsWith('provenance.json'));

describe('tf batch by recording', () => {
  let dir: string, inputs: string, ref: Map<string, Buffer>;

  async function run(tag: string, parallel: ParallelChoice, kind: ExecutionMode['kind'], jobs: number, strategy: TfParams['strategy']): Promise<BatchSummary> {
    clearSessions(inputs);
    const s = await startBatch({
      inputs: [inputs], open, job: makeJob('tf', params(strategy), { kind, jobs, memoryBudgetMB: kind === 'fast' ? 512 : 130 }, parallel),
      outDir: path.join(dir, tag), executor: 'local', jobs, memoryBudgetMB: 4096, workerEntry: WORKER_ENTRY,
    }).done;
    expect(s.counts, tag).toEqual({ done: 4 });
    return s;
  }

  function expectSameAsSequential(tag: string): void {
    const got = outputs(path.join(dir, tag));
    expect([...got.keys()].sort(), tag).toEqual([...ref.keys()].sort());
    for (const [k, v] of ref) expect(Buffer.compare(v, got.get(k)!), `${tag}: ${k}`).toBe(0);
  }

  beforeAll(async () => {
    dir = tmpDir('tf-by-recording');
    inputs = path.join(dir, 'in');
    writeRecordings(inputs, 4, { durationS: 2 });
    // Sequential: inline in this process, one channel task after another.
    const s = await run('sequential', 'serial', 'fast', 1, 'channel');
    expect(s.execution.parallel).toBe('serial');
    expect(s.execution.maxTasksPerRecording).toBe(1);
    ref = outputs(path.join(dir, 'sequential'));
  }, 120_000);
  afterAll(() => removeTmpDirs());

  it('takes whole tf parameters as the Batch panel sends them (lists merge as lists)', () => {
    const job = makeJob('tf', DEFAULT_TF, { kind: 'fast', jobs: 2, memoryBudgetMB: 512 });
    expect(job.params).toEqual(DEFAULT_TF);
    expect(job.params).not.toBe(DEFAULT_TF);
  });

  it('the sequential reference holds every recording folder', () => {
    expect([...ref.keys()].filter((k) => k.endsWith('power.npy')).sort()).toEqual(['rec-0/power.npy', 'rec-1/power.npy', 'rec-2/power.npy', 'rec-3/power.npy']);
    expect([...ref.keys()].filter((k) => k.endsWith('band_power.tsv')).length).toBe(4);
  });

  for (const kind of ['fast', 'low-memory'] as const) {
    for (const jobs of [1, 2, 4]) {
      it(`${kind} mode on ${jobs} worker(s): same bytes, one task of a recording at a time`, async () => {
        const tag = `${kind}-${jobs}`;
        const s = await run(tag, 'parallel', kind, jobs, 'recording');
        expect(s.execution.parallel).toBe('parallel');
        expect(s.execution.jobs).toBe(jobs);
        expect(s.execution.tfStrategy).toEqual({ strategy: 'recording', reason: 'recording (asked for)' });
        // By recording: a recording's channels never run side by side (they do by channel, below).
        expect(s.execution.maxTasksPerRecording).toBe(1);
        expectSameAsSequential(tag);
      }, 120_000);
    }
  }

  it('by channel spreads one recording over the workers (the path the by-recording split replaces)', async () => {
    // One recording, so its channels are the only tasks: 2 workers run two of them at once.
    const one = path.join(dir, 'one');
    fs.mkdirSync(one);
    fs.copyFileSync(path.join(inputs, 'rec-0.dat'), path.join(one, 'rec-0.dat'));
    const s = await startBatch({
      inputs: [one], open, job: makeJob('tf', params('channel'), { kind: 'fast', jobs: 2, memoryBudgetMB: 512 }, 'parallel'),
      outDir: path.join(dir, 'by-channel'), executor: 'local', jobs: 2, memoryBudgetMB: 4096, workerEntry: WORKER_ENTRY,
    }).done;
    expect(s.counts).toEqual({ done: 1 });
    expect(s.execution.tfStrategy?.strategy).toBe('channel');
    // Both lanes are given a channel before either can finish: the per-run limit is 2, not 1.
    expect(s.execution.maxTasksPerRecording).toBe(2);
    const got = outputs(path.join(dir, 'by-channel'));
    for (const [k, v] of got) expect(Buffer.compare(v, ref.get(k)!), k).toBe(0);
  }, 120_000);

  it('auto picks by recording for several recordings, from the CLI with the tf flags', async () => {
    clearSessions(inputs);
    const out = path.join(dir, 'cli-auto');
    const r = await runCli(['batch', inputs, '--workflow', 'tf', '--freqs', '6,10,16', '--n-cycles', '3', '--decim', '20', '--band', 'theta',
      '--jobs', '2', '--parallel', 'parallel', '--out', out, '--json', ...RAW_ARGS]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as BatchSummary;
    expect(s.execution.tfStrategy?.strategy).toBe('recording');
    expect(s.execution.tfStrategy?.reason).toMatch(/^auto: 4 recordings spread over 2 workers/);
    expect(s.execution.maxTasksPerRecording).toBe(1);
    expectSameAsSequential('cli-auto');
  }, 120_000);
});
