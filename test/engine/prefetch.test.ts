// Fast runs decode a batch's raw channels in one pass over the interleaved file (issue 12: every
// channel task read the whole file for its one channel). Counted here on the inline executor;
// the bytes equal an unbatched run (stage-equality.test.ts checks it on workers too).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_FILTER } from '../../src/shared/params';
import { MatrixSource } from '../../src/main/io/common/matrix';
import { Engine, readBatch } from '../../src/main/pipeline/engine';
import { InlineExecutor } from '../../src/main/pipeline/inline-executor';
import { makeRecording, removeTmpDirs, tmpDir } from './helpers';

afterAll(() => removeTmpDirs());

describe('batched raw reads in fast mode', () => {
  it('reads each batch of channels in one pass and writes the same bytes', async () => {
    const r = await makeRecording(tmpDir('prefetch'), { nChannels: 4, durationS: 2 });
    const spec = { workflow: 'filter' as const, params: DEFAULT_FILTER, mode: { kind: 'fast' as const, jobs: 1, memoryBudgetMB: 512 } };
    const read = vi.spyOn(MatrixSource.prototype, 'read');
    const outputs: Buffer[][] = [];
    for (const batch of [1, 2]) {
      const engine = new Engine(new InlineExecutor(), { readBatch: batch });
      const cache = path.join(engine.sessionDir(r.meta.path), 'cache');
      fs.rmSync(cache, { recursive: true, force: true });
      read.mockClear();
      const report = await engine.start(spec, r.ref, r.meta, () => undefined).done;
      expect(report.state).toBe('done');
      const whole = read.mock.calls.filter(([, s, e]) => s === 0 && e === r.meta.nSamples).map(([ch]) => ch.length);
      expect(whole).toEqual(batch === 1 ? [1, 1, 1, 1] : [2, 2]);
      const dir = path.join(cache, fs.readdirSync(cache)[0]);
      outputs.push(fs.readdirSync(dir).filter((f) => f.endsWith('.f32')).sort().map((f) => fs.readFileSync(path.join(dir, f))));
    }
    expect(outputs[1].length).toBe(4);
    outputs[1].forEach((b, i) => expect(b.equals(outputs[0][i])).toBe(true));
    read.mockRestore();
  });

  it('sizes batches so every lane keeps several, within the memory cap', () => {
    expect(readBatch(16, 2, 4_800_000)).toBe(2);
    expect(readBatch(16, 1, 4_800_000)).toBe(4);
    // Followed by cost-ordered tasks (sort's features...), 2 batches per lane are enough.
    expect(readBatch(16, 2, 4_800_000, true)).toBe(4);
    expect(readBatch(6, 2, 4_800_000, true)).toBe(1);
    expect(readBatch(4, 2, 4_800_000)).toBe(1);
    // 256 MB ahead at most: 100 M samples per channel allow no extra channel.
    expect(readBatch(64, 1, 100_000_000)).toBe(1);
  });
});
