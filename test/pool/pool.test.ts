// The worker pool on worker_threads: size, replacement of dead workers, task failure on death.
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Pool, defaultPoolSize } from '../../src/main/pool/pool';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { SpikeDeskError } from '../../src/shared/errors';

const entry = fileURLToPath(new URL('../../src/main/pool/worker.ts', import.meta.url));

describe('defaultPoolSize', () => {
  it('is all cores but one, at least one', () => {
    expect(defaultPoolSize(8)).toBe(7);
    expect(defaultPoolSize(2)).toBe(1);
    expect(defaultPoolSize(1)).toBe(1);
  });
});

describe('Pool on worker_threads', () => {
  const pool = new Pool(new ThreadHost(), entry, { size: 2 });
  afterAll(() => pool.dispose());

  it('starts the requested number of workers and answers on each', async () => {
    await pool.start();
    expect(pool.workers()).toHaveLength(2);
    const slots = await Promise.all([0, 1, 2, 3].map(() => pool.run(async (api, slot) => { await api.ping(); return slot; })));
    expect(new Set(slots).size).toBe(2);
  });

  it('runs a task on the preferred slot when it is free, else on a free one', async () => {
    expect(await pool.run(async (_api, slot) => slot, 1)).toBe(1);
    expect(await pool.run(async (_api, slot) => slot, 0)).toBe(0);
    // Slot 1 busy: a task preferring it takes slot 0 rather than wait.
    let release = (): void => undefined;
    const busy = pool.run((_api, slot) => new Promise<number>((r) => { release = () => r(slot); }), 1);
    expect(await pool.run(async (_api, slot) => slot, 1)).toBe(0);
    release();
    expect(await busy).toBe(1);
  });

  it('rejects the running task with WORKER_FAILED when its worker dies, and replaces the worker', async () => {
    const err = await pool.run((api) => api.fault('exit')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpikeDeskError);
    expect((err as SpikeDeskError).code).toBe('WORKER_FAILED');
    await expect.poll(() => pool.workers().length, { timeout: 15_000 }).toBe(2);
    const ok = await Promise.all([0, 1].map(() => pool.run((api) => api.ping())));
    expect(ok).toHaveLength(2);
  });

  it('kills a slot for a task only while that task runs there, not the next task on the same slot', async () => {
    // Task 1 runs on slot 0 and ends; task 2 then runs on slot 0. A kill meant for task 1 (a cancel
    // that learnt of it before its end was recorded) must leave task 2 alone.
    const first = await pool.run(async (_api, slot, _pid, task) => ({ slot, task }), 0);
    let release = (): void => undefined;
    let second = -1;
    const running = pool.run((api, slot, _pid, task) => { second = task; return new Promise<number>((r) => { release = () => r(slot); }).then(async (s) => { await api.ping(); return s; }); }, 0);
    await expect.poll(() => second).toBeGreaterThan(first.task);
    const tids = pool.workers().map((w) => w.tid).sort();
    const killedBefore = pool.killed;
    pool.killSlot(first.slot, first.task);
    expect(pool.killed).toBe(killedBefore);
    release();
    expect(await running).toBe(0);
    expect(pool.workers().map((w) => w.tid).sort()).toEqual(tids);
    // The kill for the running task itself still works (and the worker is replaced).
    const doomed = pool.run((api, slot, _pid, task) => { pool.killSlot(slot, task); return api.ping().then(() => new Promise<void>(() => undefined)); }, 0);
    expect((await doomed.catch((e: unknown) => e) as SpikeDeskError).code).toBe('WORKER_FAILED');
    expect(pool.killed).toBe(killedBefore + 1);
    await expect.poll(() => pool.workers().length, { timeout: 15_000 }).toBe(2);
  });

  it('passes a thrown error through without killing the worker', async () => {
    const before = pool.workers().map((w) => w.tid).sort();
    await expect(pool.run((api) => api.fault('throw'))).rejects.toThrow(/injected fault/);
    expect(pool.workers().map((w) => w.tid).sort()).toEqual(before);
  });

  it('can be resized by the user', async () => {
    expect(await pool.resize(3)).toBe(3);
    expect(pool.workers()).toHaveLength(3);
    await pool.resize(1);
    await expect.poll(() => pool.workers().length).toBe(1);
    await expect(pool.resize(0)).rejects.toThrow(/pool size/);
  });
});
