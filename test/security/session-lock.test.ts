// Issue #11, medium 6 and 11: two curators of one session corrupted its journal, and session.json
// lost run records under concurrent runs. One curator per session (lock file with the holder's pid,
// stale-lock recovery; a second instance opens read-only with a message), and session.json is
// updated under a lock.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { readSession } from '../../src/main/pipeline/session-store';
import type { Pool } from '../../src/main/pool/pool';
import { FileLock } from '../../src/main/session/file-lock';
import { SESSION_LOCK, SortSession } from '../../src/main/session/workbench';
import { DEFAULT_SORT, mergeParams, type PipelineSpec } from '../../src/shared/params';
import { makePool, makeRecording, removeTmpDirs, tmpDir } from '../engine/helpers';

const CHILD = (name: string) => fileURLToPath(new URL(`./child/${name}`, import.meta.url));
const tsxArgs = (script: string, ...args: string[]) => ['--import', 'tsx', CHILD(script), ...args];

let pool: Pool;
beforeAll(async () => { pool = await makePool(1); });
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

function startHolder(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, tsxArgs('hold-lock.ts', file), { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => (d.toString().startsWith('locked') ? resolve(child) : reject(new Error(d.toString()))));
    child.once('error', reject);
  });
}

describe('lock files', () => {
  it('a live holder in another process is respected; after kill -9 its stale lock is taken over', async () => {
    const file = path.join(tmpDir('lock'), 'session.lock');
    const child = await startHolder(file);
    const busy = FileLock.tryAcquire(file, 'test');
    expect(busy).not.toBeInstanceOf(FileLock);
    expect((busy as { heldBy: { pid: number } }).heldBy.pid).toBe(child.pid);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const got = FileLock.tryAcquire(file, 'test');
    expect(got).toBeInstanceOf(FileLock);
    (got as FileLock).release();
    expect(fs.existsSync(file)).toBe(false);
  }, 30_000);

  it('a lock file of a dead pid on this host is stale; garbage in a fresh lock file is not taken at once', () => {
    const file = path.join(tmpDir('lock2'), 'x.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: 2147483646, host: os.hostname(), token: 't', since: '', what: 'crashed' }));
    const got = FileLock.tryAcquire(file, 'test');
    expect(got).toBeInstanceOf(FileLock);
    (got as FileLock).release();
    fs.writeFileSync(file, '{"pid": 1');
    expect(FileLock.tryAcquire(file, 'test')).not.toBeInstanceOf(FileLock);
  });
});

describe('session.json under concurrent runs', () => {
  it('keeps every run record when 3 processes record 15 runs each at once', async () => {
    const dir = tmpDir('concurrent');
    const kids = ['a', 'b', 'c'].map((tag) => spawn(process.execPath, tsxArgs('record-runs.ts', dir, tag, '15'), { stdio: 'inherit' }));
    const codes = await Promise.all(kids.map((k) => new Promise<number | null>((r) => k.once('exit', r))));
    expect(codes).toEqual([0, 0, 0]);
    const runs = readSession(dir)!.runs.map((r) => r.runId);
    expect(runs.length).toBe(45);
    for (const tag of ['a', 'b', 'c']) expect(runs.filter((x) => x.startsWith(`${tag}-`)).length).toBe(15);
    expect(fs.readdirSync(dir).filter((n) => n.includes('lock'))).toEqual([]);
  }, 60_000);
});

describe('one curator per session', () => {
  it('a second instance opens read-only with a message and cannot write the journal', async () => {
    const r = await makeRecording(tmpDir('curate'), { nChannels: 1, durationS: 6, sampleRate: 20000, unitsPerChannel: [2] });
    const engine = new Engine(pool);
    const spec: PipelineSpec = { workflow: 'sort', params: mergeParams(DEFAULT_SORT, { cluster: { kMax: 3, restarts: 1 } }), mode: { kind: 'fast', jobs: 1, memoryBudgetMB: 100 } };
    expect((await engine.start(spec, r.ref, r.meta, () => undefined).done).state).toBe('done');
    const dir = engine.sessionDir(r.meta.path);
    const first = SortSession.open(dir);
    expect(first.readOnly).toBeNull();
    expect(fs.existsSync(path.join(dir, SESSION_LOCK))).toBe(true);
    const second = SortSession.open(dir);
    expect(second.readOnly).toMatch(/another SpikeDesk \(process \d+/);
    expect(second.overview().readOnly).toMatch(/read-only/);
    const ids = first.overview().clusters.map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    const journal = path.join(dir, 'curation.jsonl');
    const before = fs.readFileSync(journal, 'utf8');
    await expect(second.curate({ kind: 'label', ids: [ids[0]], label: 'good' }, undefined, async () => new Int32Array(0))).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
    expect(() => second.undo()).toThrow(expect.objectContaining({ code: 'SESSION_LOCKED' }));
    expect(fs.readFileSync(journal, 'utf8')).toBe(before);
    await first.curate({ kind: 'label', ids: [ids[0]], label: 'good' }, undefined, async () => new Int32Array(0));
    second.close();
    first.close();
    const third = SortSession.open(dir);
    expect(third.readOnly).toBeNull();
    expect(third.overview().journalRecords).toBe(1);
    third.close();
  }, 120_000);
});
