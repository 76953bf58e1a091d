// The Executor seam: the inline (serial, in-process) executor gives the pool's results byte for
// byte, and cancelling one of two concurrent runs stops only that run's tasks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { InlineExecutor } from '../../src/main/pipeline/inline-executor';
import { readSession } from '../../src/main/pipeline/session-store';
import { DEFAULT_SORT, mergeParams, type PipelineSpec } from '../../src/shared/params';
import type { Pool } from '../../src/main/pool/pool';
import { makePool, makeRecording, tmpDir, type TestRecording, removeTmpDirs } from './helpers';

let pool: Pool;
let a: TestRecording;
let b: TestRecording;

beforeAll(async () => {
  pool = await makePool(4);
  a = await makeRecording(tmpDir('exec-a'), { nChannels: 4, durationS: 30, sampleRate: 20000, seed: 11 });
  b = await makeRecording(tmpDir('exec-b'), { nChannels: 4, durationS: 6, sampleRate: 20000, seed: 12 });
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

const spec = (jobs: number): PipelineSpec => ({
  workflow: 'sort', params: mergeParams(DEFAULT_SORT, { filter: { reference: 'car' }, cluster: { kMax: 3, restarts: 1 } }), mode: { kind: 'fast', jobs, memoryBudgetMB: 200 },
});

/** Every cache file of a session, relative path -> bytes. */
function cacheBytes(engine: Engine, r: TestRecording): Map<string, Buffer> {
  const root = path.join(engine.sessionDir(r.meta.path), 'cache');
  const out = new Map<string, Buffer>();
  for (const f of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const p = path.join(root, f);
    if (fs.statSync(p).isFile()) out.set(f, fs.readFileSync(p));
  }
  return out;
}

function clearCache(engine: Engine, r: TestRecording): void {
  fs.rmSync(path.join(engine.sessionDir(r.meta.path), 'cache'), { recursive: true, force: true });
}

describe('Executor', () => {
  it('runs a workflow inline with the same cache files as on the pool', async () => {
    const onPool = new Engine(pool);
    clearCache(onPool, b);
    expect((await onPool.start(spec(2), b.ref, b.meta, () => undefined).done).state).toBe('done');
    const want = cacheBytes(onPool, b);
    const inline = new Engine(new InlineExecutor());
    clearCache(inline, b);
    const report = await inline.start(spec(2), b.ref, b.meta, () => undefined).done;
    expect(report.state).toBe('done');
    const got = cacheBytes(inline, b);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k)!.equals(v), k).toBe(true);
  });

  it('cancels one of two concurrent runs and leaves the other untouched', async () => {
    const engine = new Engine(pool);
    clearCache(engine, a);
    clearCache(engine, b);
    const killedBefore = pool.killed;
    let started = (): void => undefined;
    const aStarted = new Promise<void>((r) => { started = r; });
    const runA = engine.start(spec(2), a.ref, a.meta, (p) => { if (p.workers.some((w) => w.stage === 'filter')) started(); });
    const runB = engine.start(spec(2), b.ref, b.meta, () => undefined);
    await aStarted;
    engine.cancel(runA.runId);
    const [ra, rb] = await Promise.all([runA.done, runB.done]);
    expect(ra.state).toBe('cancelled');
    expect(rb.state).toBe('done');
    expect(rb.failed).toEqual([]);
    // No task of run B was killed and retried; only run A's workers (at most its 2 jobs) were stopped.
    const recB = readSession(engine.sessionDir(b.meta.path))!.runs.at(-1)!;
    expect(recB.runId).toBe(runB.runId);
    expect(recB.retries).toBe(0);
    expect(pool.killed - killedBefore).toBeGreaterThan(0);
    expect(pool.killed - killedBefore).toBeLessThanOrEqual(2);
    expect(recB.stages.metrics).toMatchObject({ executed: 4 });
    await expect.poll(() => pool.workers().length, { timeout: 5000 }).toBe(4);
  });

  it('stops an inline run at its next progress report when cancelled', async () => {
    const engine = new Engine(new InlineExecutor());
    clearCache(engine, a);
    let started = (): void => undefined;
    const go = new Promise<void>((r) => { started = r; });
    const run = engine.start(spec(1), a.ref, a.meta, (p) => { if (p.workers.length) started(); });
    await go;
    engine.cancel(run.runId);
    const report = await run.done;
    expect(report.state).toBe('cancelled');
  });

  it('turns the event loop between inline tasks: a cancel arriving as a message stops a serial run', async () => {
    const engine = new Engine(new InlineExecutor());
    clearCache(engine, a);
    let tasksSeen = 0;
    const run = engine.start(spec(1), a.ref, a.meta, (p) => {
      // The first channel task has reported: from now on a cancel can only arrive as a macrotask
      // (a socket or IPC message), which the loop runs only if the executor lets it turn.
      if (p.workers.length && tasksSeen++ === 0) setTimeout(() => engine.cancel(run.runId), 0);
    });
    const report = await run.done;
    expect(report.state).toBe('cancelled');
  });
});
