// Serial, parallel and automatic execution of a local batch give the same bytes; a worker that
// dies again on its retry makes the rest of the batch run serially with a warning (same bytes);
// recordings run side by side without more tasks than jobs; the memory budget caps the slots.

import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/main/batch/run-batch';
import { makeJob, type ParallelChoice } from '../../src/main/batch/job';
import { planSlots } from '../../src/main/batch/local';
import { chooseExecution, crossoverSamples, predictSeconds } from '../../src/main/batch/auto-executor';
import { resolveInputs } from '../../src/main/batch/inputs';
import type { BatchSummary } from '../../src/main/batch/report';
import type { InjectedFault } from '../../src/main/pipeline/task';
import { GAIN, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';
import { clearSessions, outputBytes, writeRecordings } from './helpers';

const open = { channels: 4, rate: 20000, dtype: 'int16' as const, gain: GAIN };

describe('automatic serial/parallel choice', () => {
  it('follows the asked mode, and auto picks inline below the crossover and workers above it', () => {
    expect(chooseExecution('serial', 1e12, 8e6, 64, 4, 4).parallel).toBe(false);
    expect(chooseExecution('parallel', 10, 8e6, 1, 4, 4).parallel).toBe(true);
    const x = crossoverSamples(8e6, 2, 16, 2);
    expect(Number.isFinite(x) && x > 0).toBe(true);
    expect(chooseExecution('auto', x * 0.5, 8e6, 16, 2, 2).parallel).toBe(false);
    expect(chooseExecution('auto', x * 2, 8e6, 16, 2, 2).parallel).toBe(true);
    // At the crossover both predictions agree.
    const p = predictSeconds(x, 8e6, 16, 2, 2);
    expect(Math.abs(p.serial - p.parallel)).toBeLessThan(1e-6 * p.serial + 1e-9);
    // No free second core (or one job): workers cannot win.
    expect(chooseExecution('auto', 1e12, 8e6, 16, 2, 1).parallel).toBe(false);
    expect(chooseExecution('auto', 1e12, 8e6, 16, 1, 4).parallel).toBe(false);
  });
});

describe('local batch execution choices', () => {
  let dir: string, inputs: string;
  const runs: Record<string, BatchSummary> = {};
  const warnings: Record<string, string[]> = {};

  async function run(tag: string, parallel: ParallelChoice, jobs: number, injectFault?: InjectedFault): Promise<void> {
    clearSessions(inputs);
    warnings[tag] = [];
    runs[tag] = await startBatch({
      inputs: [inputs], open, job: makeJob('sort', undefined, { kind: 'fast', jobs, memoryBudgetMB: 512 }, parallel),
      outDir: path.join(dir, tag), executor: 'local', jobs, memoryBudgetMB: 4096, workerEntry: WORKER_ENTRY, injectFault,
      events: { onWarning: (m) => warnings[tag].push(m) },
    }).done;
  }

  beforeAll(async () => {
    dir = tmpDir('parallel');
    inputs = path.join(dir, 'in');
    writeRecordings(inputs, 3, { durationS: 2 });
    await run('serial', 'serial', 2);
    await run('parallel', 'parallel', 2);
    await run('fallback', 'parallel', 2, { channel: 1, kind: 'exit', attempts: 2 });
  }, 180_000);
  afterAll(() => removeTmpDirs());

  it('serial, parallel and the fall-back to serial write the same bytes', () => {
    for (const t of ['serial', 'parallel', 'fallback']) expect(runs[t].counts, t).toEqual({ done: 3 });
    expect(runs.serial.execution.parallel).toBe('serial');
    expect(runs.parallel.execution.parallel).toBe('parallel');
    const ref = outputBytes(path.join(dir, 'serial'));
    expect(ref.size).toBeGreaterThan(10);
    for (const t of ['parallel', 'fallback']) {
      const other = outputBytes(path.join(dir, t));
      expect([...other.keys()].sort(), t).toEqual([...ref.keys()].sort());
      for (const [k, v] of ref) expect(Buffer.compare(v, other.get(k)!), `${t} ${k}`).toBe(0);
    }
  });

  it('a worker failing again on its retry falls back to serial with a warning', () => {
    expect(warnings.fallback.length).toBe(1);
    expect(warnings.fallback[0]).toMatch(/remaining tasks serially/);
    expect(runs.fallback.warnings).toEqual(warnings.fallback);
    expect(warnings.parallel).toEqual([]);
  });

  it('recordings share the workers without more concurrent tasks than jobs', () => {
    const e = runs.parallel.execution;
    expect(e.jobs).toBe(2);
    expect(e.maxConcurrentTasks).toBeLessThanOrEqual(2);
    expect(e.maxConcurrentTasks).toBe(2);
    expect(e.maxConcurrentRecordings).toBeGreaterThanOrEqual(2);
    expect(runs.serial.execution.maxConcurrentTasks).toBe(1);
  });

  it('the memory budget caps the concurrent tasks', async () => {
    const items = resolveInputs([inputs], open);
    const job = makeJob('sort', undefined, { kind: 'fast', jobs: 4, memoryBudgetMB: 512 });
    const roomy = await planSlots(items, job, 4, 8192);
    expect(roomy.slots).toBe(4);
    const tight = await planSlots(items, job, 4, Math.floor(90 + roomy.taskMB * 2.5));
    expect(tight.slots).toBe(2);
    expect(tight.reason).toMatch(/memory/);
  });
});

describe('local batch cancel', () => {
  afterAll(() => removeTmpDirs());

  it('cancelling one recording stops it while the others finish', async () => {
    const dir = tmpDir('cancel-one');
    const inputs = path.join(dir, 'in');
    writeRecordings(inputs, 3, { durationS: 4 });
    let fired = false;
    const h = startBatch({
      inputs: [inputs], open, job: makeJob('sort', undefined, { kind: 'fast', jobs: 2, memoryBudgetMB: 512 }, 'parallel'),
      outDir: path.join(dir, 'out'), executor: 'local', jobs: 2, memoryBudgetMB: 4096, workerEntry: WORKER_ENTRY,
      events: { onState: (name, st) => { if (name === 'rec-0' && st === 'running' && !fired) { fired = true; h.cancel('rec-0'); } } },
    });
    const s = await h.done;
    expect(fired).toBe(true);
    const by = Object.fromEntries(s.recordings.map((r) => [r.name, r.state]));
    expect(by).toEqual({ 'rec-0': 'cancelled', 'rec-1': 'done', 'rec-2': 'done' });
  }, 120_000);
});
