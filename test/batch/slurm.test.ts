// The Slurm executor against a real cluster (test/slurm/start-cluster.sh; .ci/run starts it):
// a batch through job arrays writes byte-identical outputs to the local executor, a failing
// recording is reported with its log while the others finish, and cancel removes the jobs; with
// channel-group array tasks (a large recording split by channels) the bytes are the same again.
// Skips with a message where no Slurm controller answers.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch, type BatchOptions } from '../../src/main/batch/run-batch';
import { makeJob } from '../../src/main/batch/job';
import type { BatchSummary } from '../../src/main/batch/report';
import { slurmStatus, exec } from '../../src/main/batch/slurm-cli';
import { BIN } from '../engine/cli-helpers';
import { GAIN, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';
import { clearSessions, outputBytes, writeRecordings } from './helpers';

const status = await slurmStatus();
if (!status.ok) console.warn(`Slurm tests skipped: ${status.reason}. Start a single-node cluster with: sudo bash test/slurm/start-cluster.sh`);

const open = { channels: 4, rate: 20000, dtype: 'int16' as const, gain: GAIN };
const job = makeJob('sort', undefined, { kind: 'fast', jobs: 1, memoryBudgetMB: 512 }, 'parallel');

function options(inputs: string, out: string, executor: 'local' | 'slurm'): BatchOptions {
  return {
    inputs: [inputs], open, job, outDir: out, executor, jobs: 1, memoryBudgetMB: 2048, workerEntry: WORKER_ENTRY,
    slurm: { cliEntry: BIN, pollMs: 300 },
  };
}

describe.skipIf(!status.ok)('Slurm executor (single-node cluster)', () => {
  let dir: string;
  let local: BatchSummary;
  let slurm: BatchSummary;
  let split: BatchSummary;
  const splitNotes: string[] = [];

  beforeAll(async () => {
    dir = tmpDir('slurm');
    const inputs = path.join(dir, 'in');
    writeRecordings(inputs, 4, { durationS: 3, broken: true });
    local = await startBatch(options(inputs, path.join(dir, 'local'), 'local')).done;
    clearSessions(inputs); // the Slurm run computes everything again, on the cluster
    slurm = await startBatch(options(inputs, path.join(dir, 'slurm'), 'slurm')).done;
    clearSessions(inputs);
    const o = options(inputs, path.join(dir, 'split'), 'slurm');
    split = await startBatch({ ...o, slurm: { ...o.slurm, splitChannels: 2 }, events: { onWarning: (m) => splitNotes.push(m) } }).done;
  }, 360_000);
  afterAll(() => removeTmpDirs());

  it('a batch of 4 recordings through Slurm writes the same bytes as the local executor', () => {
    const names = ['rec-0', 'rec-1', 'rec-2', 'rec-3'];
    for (const s of [local, slurm]) {
      for (const n of names) expect(s.recordings.find((r) => r.name === n)?.state, `${s.executor} ${n}`).toBe('done');
    }
    const a = outputBytes(path.join(dir, 'local')), b = outputBytes(path.join(dir, 'slurm'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect([...a.keys()].filter((k) => k.endsWith('spike_times.npy')).length).toBe(4);
    for (const [k, v] of a) expect(Buffer.compare(v, b.get(k)!), k).toBe(0);
    // Each recording really ran on the cluster: its compute log names it.
    for (const n of names) {
      const r = slurm.recordings.find((x) => x.name === n)!;
      expect(r.log).toMatch(/compute-\d+_\d+\.log$/);
      expect(fs.readFileSync(r.log!, 'utf8')).toContain(`compute ${n}:`);
    }
  });

  it('channel-group array tasks (2 channels each) give the same bytes, and each recording\'s compute task reuses them', () => {
    expect(split.counts).toEqual({ failed: 1, done: 4 });
    const a = outputBytes(path.join(dir, 'local')), b = outputBytes(path.join(dir, 'split'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(Buffer.compare(v, b.get(k)!), k).toBe(0);
    // (bad.dat opens, as 1000 frames, and fails later: it is split too.)
    const notes = splitNotes.filter((m) => /: 2 channel-group tasks/.test(m));
    for (const n of ['rec-0', 'rec-1', 'rec-2', 'rec-3']) expect(notes.some((m) => m.startsWith(`${n}: `)), n).toBe(true);
    const logs = fs.readdirSync(path.join(dir, 'split', '.batch', 'logs'));
    expect(logs.filter((f) => f.startsWith('group-'))).toHaveLength(2 * notes.length);
    for (const n of ['rec-0', 'rec-1', 'rec-2', 'rec-3']) {
      const r = split.recordings.find((x) => x.name === n)!;
      expect(r.cached).toBe(false); // computed in this batch, by its group tasks
      const log = fs.readFileSync(r.log!, 'utf8');
      expect(log).toContain('2 channel-group task(s) ran before: done, done');
      expect(log).toMatch(/stages run: none/);
    }
  });

  it('a failing recording is reported with its log path while the others finish', () => {
    const bad = slurm.recordings.find((r) => r.name === 'bad')!;
    expect(bad.state).toBe('failed');
    expect(bad.error).toBeTruthy();
    expect(fs.existsSync(bad.log!)).toBe(true);
    expect(fs.readFileSync(bad.log!, 'utf8')).toMatch(/FAILED/);
    expect(slurm.counts).toEqual({ failed: 1, done: 4 });
    const tsv = fs.readFileSync(path.join(dir, 'slurm', 'batch.tsv'), 'utf8');
    expect(tsv).toContain(bad.log!);
  });

  it('cancel removes the jobs from the queue', async () => {
    const inputs = path.join(dir, 'long');
    writeRecordings(inputs, 3, { durationS: 20 });
    let fired = false;
    const h = startBatch({
      ...options(inputs, path.join(dir, 'cancelled'), 'slurm'),
      events: { onState: (_n, st) => { if (st === 'running' && !fired) { fired = true; h.cancel(); } } },
    });
    const s = await h.done;
    expect(fired).toBe(true);
    expect(s.recordings.every((r) => r.state === 'cancelled')).toBe(true);
    const q = await exec('squeue', ['-h', '-n', 'spikedesk-group,spikedesk-compute,spikedesk-export', '-o', '%i %T']);
    expect(q.stdout.trim()).toBe('');
  }, 120_000);
});
