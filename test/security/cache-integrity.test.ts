// Issue #11, medium 5: a cache file used to be trusted because it existed (a truncated filter or
// cluster file gave exit 0 with wrong results). Every cache output now has a completion record
// (size + sha256) that is verified before reuse; a mismatch recomputes the stage. Temp files of
// dead writers are deleted when a session is opened; those of live processes are kept.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { completionPath, removeOrphanTemps, verifyOutput, writeOutputAtomicSync } from '../../src/main/pipeline/cache';
import { readSession } from '../../src/main/pipeline/session-store';
import type { Pool } from '../../src/main/pool/pool';
import { DEFAULT_FILTER, type PipelineSpec } from '../../src/shared/params';
import { makePool, makeRecording, removeTmpDirs, tmpDir, type TestRecording } from '../engine/helpers';

let pool: Pool;
let r: TestRecording;
beforeAll(async () => {
  pool = await makePool(1);
  r = await makeRecording(tmpDir('cache-int'), { nChannels: 2, durationS: 4, sampleRate: 20000 });
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

const spec: PipelineSpec = { workflow: 'filter', params: DEFAULT_FILTER, mode: { kind: 'fast', jobs: 1, memoryBudgetMB: 160 } };

function cacheFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else if (!e.name.endsWith('.done')) out.push(p);
    }
  };
  walk(path.join(dir, 'cache'));
  return out;
}

describe('cache outputs are verified before reuse', () => {
  it('a truncated or altered output is recomputed, giving the original bytes', async () => {
    const engine = new Engine(pool);
    expect((await engine.start(spec, r.ref, r.meta, () => undefined).done).state).toBe('done');
    const sdir = engine.sessionDir(r.meta.path);
    const files = cacheFiles(sdir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(fs.existsSync(completionPath(f))).toBe(true);
    const victim = files[0];
    const original = fs.readFileSync(victim);

    fs.truncateSync(victim, Math.floor(original.length / 2));
    const again = await engine.start(spec, r.ref, r.meta, () => undefined).done;
    expect(again.stagesRun).toEqual(['filter']);
    expect(fs.readFileSync(victim).equals(original)).toBe(true);

    // Same size, one flipped byte: the checksum catches it.
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(victim, bytes);
    const third = await engine.start(spec, r.ref, r.meta, () => undefined).done;
    expect(third.stagesRun).toEqual(['filter']);
    expect(fs.readFileSync(victim).equals(original)).toBe(true);

    // Intact: reused.
    const fourth = await engine.start(spec, r.ref, r.meta, () => undefined).done;
    expect(fourth.stagesRun).toEqual([]);
    expect(readSession(sdir)!.runs.map((x) => x.stages.filter?.executed)).toEqual([2, 1, 1, 0]);
  });

  it('an output without a completion record, or with a bad record, is not trusted', () => {
    const dir = tmpDir('cache-rec');
    const f = path.join(dir, 'x.bin');
    writeOutputAtomicSync(f, new Uint8Array([1, 2, 3, 4]));
    expect(verifyOutput(f)).toBe(true);
    fs.writeFileSync(completionPath(f), '{not json');
    expect(verifyOutput(f)).toBe(false);
    expect(fs.existsSync(f)).toBe(false);
    fs.writeFileSync(f, 'no record');
    expect(verifyOutput(f)).toBe(false);
  });
});

describe('orphaned temp files', () => {
  it('are removed on open when their writer is dead; a live writer\'s are kept', async () => {
    const engine = new Engine(pool);
    const rec = await makeRecording(tmpDir('cache-orphan'), { nChannels: 1, durationS: 1, sampleRate: 20000 });
    const sdir = `${rec.meta.path}.spikedesk`;
    const stageDir = path.join(sdir, 'cache', 'filter-abc');
    fs.mkdirSync(stageDir, { recursive: true });
    const dead = path.join(stageDir, 'ch0000.f32.tmp-2147483646-0a1b2c');
    const live = path.join(stageDir, `ch0001.f32.tmp-${process.pid}-0a1b2c`);
    const other = path.join(stageDir, 'notes.tmp-keep');
    for (const f of [dead, live, other]) fs.writeFileSync(f, 'x');
    expect(engine.sessionDir(rec.meta.path)).toBe(sdir);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);
    expect(removeOrphanTemps(sdir)).toBe(0);
  });
});
