// Fault handling of the engine: a throwing, exiting or out-of-memory worker is replaced, its task
// retried once, then the channel is reported failed while the others complete; cancel is prompt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { isTempName } from '../../src/main/pipeline/cache';
import { DEFAULT_FILTER, DEFAULT_SORT, type PipelineSpec } from '../../src/shared/params';
import { openSource } from '../../src/main/io';
import type { Pool } from '../../src/main/pool/pool';
import { makePool, makeRecording, tmpDir, type TestRecording, removeTmpDirs } from './helpers';

let pool: Pool;
let r: TestRecording;

beforeAll(async () => {
  pool = await makePool(2, 128);
  r = await makeRecording(tmpDir('faults'), { nChannels: 4, durationS: 20, sampleRate: 20000 });
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

const spec = (kind: 'fast' | 'low-memory' = 'fast'): PipelineSpec => ({
  workflow: 'filter', params: { ...DEFAULT_FILTER, order: 3 }, mode: { kind, jobs: 2, memoryBudgetMB: 200 },
});

function freshCache(engine: Engine): void {
  fs.rmSync(path.join(engine.sessionDir(r.meta.path), 'cache'), { recursive: true, force: true });
}

function cacheFiles(engine: Engine): string[] {
  const root = path.join(engine.sessionDir(r.meta.path), 'cache');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => !fs.statSync(path.join(root, f)).isDirectory());
}

describe('Engine: faults', () => {
  for (const kind of ['throw', 'exit', 'oom'] as const) {
    it(`retries a task after a '${kind}' fault and completes the channel`, async () => {
      const engine = new Engine(pool, { injectFault: { channel: 2, kind, attempts: 1 } });
      freshCache(engine);
      const report = await engine.start(spec(), r.ref, r.meta, () => undefined).done;
      expect(report.failed).toEqual([]);
      expect(report.state).toBe('done');
      expect(cacheFiles(engine).filter((f) => f.endsWith('.f32'))).toHaveLength(4);
    });
  }

  for (const kind of ['throw', 'exit', 'oom'] as const) {
    it(`marks the channel failed after a second '${kind}' fault while the others complete`, async () => {
      const engine = new Engine(pool, { injectFault: { channel: 1, kind, attempts: 2 } });
      freshCache(engine);
      const report = await engine.start(spec(), r.ref, r.meta, () => undefined).done;
      expect(report.state).toBe('done');
      expect(report.failed.map((f) => f.channel)).toEqual([1]);
      expect(report.failed[0].reason).toMatch(kind === 'throw' ? /injected fault/ : /worker \d .*stopped/);
      const files = cacheFiles(engine);
      expect(files.filter((f) => f.endsWith('.f32')).map((f) => path.basename(f)).sort()).toEqual(['ch0000.f32', 'ch0002.f32', 'ch0003.f32']);
      expect(files.some((f) => isTempName(f))).toBe(false);
      // The pool recovered: every slot has a live worker again.
      await expect.poll(() => pool.workers().length, { timeout: 5000 }).toBe(2);
    });
  }

  it('cancels within a second, leaves no partial entry and a later run completes', async () => {
    const engine = new Engine(pool);
    freshCache(engine);
    const long: PipelineSpec = { workflow: 'filter', params: { ...DEFAULT_FILTER, order: 8, notchHz: 50 }, mode: { kind: 'low-memory', jobs: 1, memoryBudgetMB: 200 } };
    let cancelledAt = 0;
    const started = engine.start(long, r.ref, r.meta, (p) => {
      if (!cancelledAt && p.workers.some((w) => w.stage === 'filter' && w.fraction > 0)) {
        cancelledAt = performance.now();
        engine.cancel(started.runId);
      }
    });
    const report = await started.done;
    expect(cancelledAt).toBeGreaterThan(0);
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(report.state).toBe('cancelled');
    const files = cacheFiles(engine);
    expect(files.some((f) => isTempName(f))).toBe(false);
    expect(files.filter((f) => f.endsWith('.f32')).length).toBeLessThan(4);
    // Whatever was committed is complete; the next run computes only the rest.
    const again = await engine.start(long, r.ref, r.meta, () => undefined).done;
    expect(again.state).toBe('done');
    expect(cacheFiles(engine).filter((f) => f.endsWith('.f32'))).toHaveLength(4);
    for (const f of cacheFiles(engine).filter((x) => x.endsWith('.f32'))) {
      expect(fs.statSync(path.join(engine.sessionDir(r.meta.path), 'cache', f)).size).toBe(r.meta.nSamples * 4);
    }
  });
});

describe('Engine: bad channels get the typed error\'s fix', () => {
  /** A raw int16 file of nCh interleaved channels (frames x nCh), opened as the CLI would. */
  async function rawFile(tag: string, frames: Int16Array, nCh: number): Promise<TestRecording> {
    const file = path.join(tmpDir(tag), 'rec.dat');
    fs.writeFileSync(file, Buffer.from(frames.buffer, frames.byteOffset, frames.byteLength));
    const open = { format: 'raw' as const, channels: nCh, rate: 20000, dtype: 'int16' as const, gain: 0.195 };
    const src = await openSource(file, open);
    const meta = src.meta;
    src.close();
    return { ref: { path: file, open }, meta, rec: null as never };
  }
  const sortSpec = (): PipelineSpec => ({ workflow: 'sort', params: DEFAULT_SORT, mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 400 } });

  it('a flat channel fails with its reason and fix while the other sorts', async () => {
    const n = 20000 * 4;
    const x = new Int16Array(n * 2);
    let seed = 1;
    for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; x[2 * i] = Math.round(((seed >>> 8) / 2 ** 24 - 0.5) * 200); }
    const rec = await rawFile('flat', x, 2);
    const report = await new Engine(pool).start(sortSpec(), rec.ref, rec.meta, () => undefined).done;
    expect(report.failed.map((f) => f.channel)).toEqual([1]);
    expect(report.failed[0].reason).toMatch(/noise level 0/);
    expect(report.failed[0].fix).toMatch(/flat or empty; exclude it/);
  });

  it('a recording of a few samples fails every channel with the filter\'s length error, not NaN', async () => {
    const rec = await rawFile('short', Int16Array.from({ length: 5 * 2 }, (_, i) => (i * 37) % 100), 2);
    const report = await new Engine(pool).start(sortSpec(), rec.ref, rec.meta, () => undefined).done;
    expect(report.failed.map((f) => f.channel)).toEqual([0, 1]);
    for (const f of report.failed) {
      expect(f.reason).toMatch(/the signal has 5 samples, but zero-phase filtering needs more than the pad length/);
      expect(f.fix).toMatch(/longer stretch of data/);
    }
  });
});
