// Trace decimation split among workers by columns equals the whole-window decimation, and the GMM
// re-cluster task separates two well-apart blobs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../workers/rng';
import { minMaxDecimate } from '../../workers/trace/decimate';
import { decimateTask, gmmSplitTask } from './workbench-tasks';

describe('workbench tasks', () => {
  it('column-split decimation equals whole-window decimation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-'));
    const rng = new Rng(3);
    const x = Float32Array.from({ length: 10007 }, () => rng.normal());
    const file = path.join(dir, 'ch0000.f32');
    fs.writeFileSync(file, Buffer.from(x.buffer));
    const input = { kind: 'f32' as const, files: { 0: file } };
    const start = 13, end = 9901, columns = 777;
    const whole = minMaxDecimate(x.subarray(start, end), columns);
    const cuts = [0, 250, 251, 600, columns];
    const parts = await Promise.all(cuts.slice(0, -1).map((c0, i) => decimateTask({ input, channels: [0], start, end, columns, colStart: c0, colEnd: cuts[i + 1] })));
    const min = Float32Array.from(parts.flatMap((p) => [...p.min[0]]));
    const max = Float32Array.from(parts.flatMap((p) => [...p.max[0]]));
    expect(min).toEqual(whole.min);
    expect(max).toEqual(whole.max);
    await expect(decimateTask({ input, channels: [1], start, end, columns })).rejects.toThrow(/no result/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('re-clusters two separated blobs into two parts and rejects a bad k', () => {
    const rng = new Rng(5);
    const n = 400, d = 2;
    const X = new Float32Array(n * d);
    for (let i = 0; i < n; i++) { const c = i < n / 2 ? -10 : 10; X[i * d] = c + rng.normal(); X[i * d + 1] = rng.normal(); }
    const labels = gmmSplitTask(X, n, d, 2, 1);
    const first = labels[0];
    for (let i = 0; i < n; i++) expect(labels[i] === first).toBe(i < n / 2);
    expect(() => gmmSplitTask(X, n, d, 1, 1)).toThrow(/re-cluster into 1 parts/);
  });
});
