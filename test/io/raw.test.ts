// Raw interleaved binary: options, sample types, partial frames, header offset, bad options.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { Rng } from '../../src/workers/rng';
import { expectError, readAll, tmpDir } from './helpers';

const dir = tmpDir('raw');

function interleave(chs: number[][], T: Int16ArrayConstructor | Uint16ArrayConstructor | Float32ArrayConstructor): Buffer {
  const n = chs[0].length;
  const a = new T(n * chs.length);
  for (let i = 0; i < n; i++) chs.forEach((c, k) => { a[i * chs.length + k] = c[i]; });
  return Buffer.from(a.buffer);
}

describe('raw binary', () => {
  const rng = new Rng(7);
  const chs = [0, 1, 2, 3].map(() => Array.from({ length: 5000 }, () => rng.int(60000) - 30000));

  it('int16 with gain: every channel, any window, chunked reads agree', async () => {
    const p = path.join(dir, 'a.dat');
    fs.writeFileSync(p, interleave(chs, Int16Array));
    const src = await openSource(p, { channels: 4, rate: 30000, gain: 0.195 });
    expect(src.meta.format).toBe('raw');
    expect(src.meta.nSamples).toBe(5000);
    const all = readAll(src, 777);
    chs.forEach((c, k) => c.forEach((v, i) => expect(Math.abs(all[k][i] - v * 0.195)).toBeLessThan(1e-3)));
    const [w] = src.read([2], 1234, 1240);
    expect(Array.from(w)).toEqual(chs[2].slice(1234, 1240).map((v) => Math.fround(v * 0.195)));
    src.close();
  });

  it('float32 and uint16, with a header offset', async () => {
    const f = chs.map((c) => c.map((v) => v / 7));
    const pf = path.join(dir, 'b.bin');
    fs.writeFileSync(pf, Buffer.concat([Buffer.alloc(16, 1), interleave(f, Float32Array)]));
    const sf = await openSource(pf, { channels: 4, rate: 1000, dtype: 'float32', offset: 16 });
    expect(sf.read([3], 10, 11)[0][0]).toBeCloseTo(f[3][10], 4);
    sf.close();
    const pu = path.join(dir, 'c.dat');
    fs.writeFileSync(pu, interleave(chs.map((c) => c.map((v) => v + 32768)), Uint16Array));
    const su = await openSource(pu, { channels: 4, rate: 1000, dtype: 'uint16', gain: 2 });
    expect(su.read([1], 5, 6)[0][0]).toBe(chs[1][5] * 2);
    su.close();
  });

  it('reads into caller-supplied arrays (reused across calls) and checks their size', async () => {
    const src = await openSource(path.join(dir, 'a.dat'), { channels: 4, rate: 30000, gain: 0.5 });
    const buf = [new Float32Array(100), new Float32Array(100)];
    const got = src.read([3, 0], 10, 60, buf);
    expect(got).toBe(buf);
    expect(Array.from(buf[0].subarray(0, 50))).toEqual(chs[3].slice(10, 60).map((v) => v * 0.5));
    expect(Array.from(buf[1].subarray(0, 50))).toEqual(chs[0].slice(10, 60).map((v) => v * 0.5));
    await expectError(() => src.read([0], 0, 200, [new Float32Array(100)]), 'BAD_REQUEST');
    await expectError(() => src.read([0, 1], 0, 10, [new Float32Array(100)]), 'BAD_REQUEST');
    src.close();
  });

  it('a trailing partial frame is ignored with a note', async () => {
    const p = path.join(dir, 'd.dat');
    fs.writeFileSync(p, Buffer.concat([interleave(chs, Int16Array), Buffer.alloc(3)]));
    const src = await openSource(p, { channels: 4, rate: 1000 });
    expect(src.meta.nSamples).toBe(5000);
    expect(src.meta.notes?.join(' ')).toMatch(/last 3 bytes/);
    src.close();
  });

  it('bad options and bad requests give SpikeDeskErrors', async () => {
    const p = path.join(dir, 'a.dat');
    await expectError(() => openSource(p), 'BAD_PARAMETER');
    await expectError(() => openSource(p, { channels: 0, rate: 1 }), 'BAD_PARAMETER');
    await expectError(() => openSource(p, { channels: 4, rate: -1 }), 'BAD_PARAMETER');
    await expectError(() => openSource(p, { channels: 100000, rate: 1 }), 'BAD_PARAMETER');
    await expectError(() => openSource(p, { channels: 4, rate: 1, offset: 1e9 }), 'BAD_PARAMETER');
    await expectError(() => openSource(p, { channels: 40001, rate: 1, format: 'raw' }), 'FILE_TRUNCATED');
    const src = await openSource(p, { channels: 4, rate: 1 });
    await expectError(() => src.read([4], 0, 1), 'BAD_REQUEST');
    await expectError(() => src.read([0], 10, 5), 'BAD_REQUEST');
    await expectError(() => src.read([0], 0, 5001), 'BAD_REQUEST');
    src.close();
  });

  it('NaN in float32 data is a NON_FINITE error naming channel and sample, or 0 on request', async () => {
    const f = [Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 10 }, (_, i) => (i === 7 ? Infinity : i))];
    const p = path.join(dir, 'nan.dat');
    fs.writeFileSync(p, interleave(f, Float32Array));
    const src = await openSource(p, { channels: 2, rate: 1, dtype: 'float32' });
    const err = await expectError(() => src.read([0, 1], 0, 10), 'NON_FINITE');
    expect(err.message).toMatch(/'ch1'.*sample 7/);
    src.close();
    const z = await openSource(p, { channels: 2, rate: 1, dtype: 'float32', nonFinite: 'zero' });
    expect(z.read([1], 0, 10)[0][7]).toBe(0);
    z.close();
  });

  it('is lazy: an 8 GB (sparse) file opens and reads a window instantly', async () => {
    const p = path.join(dir, 'huge.dat');
    const fd = fs.openSync(p, 'w');
    fs.ftruncateSync(fd, 8 * 2 ** 30);
    fs.writeSync(fd, Buffer.from(new Int16Array([7, 8]).buffer), 0, 4, 6 * 2 ** 30);
    fs.closeSync(fd);
    const t0 = performance.now();
    const src = await openSource(p, { channels: 2, rate: 30000 });
    const at = (6 * 2 ** 30) / 4;
    const [a, b] = src.read([0, 1], at - 1, at + 1);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(src.meta.nSamples).toBe(2 * 2 ** 30);
    expect([...a, ...b]).toEqual([0, 7, 0, 8]);
    src.close();
    fs.unlinkSync(p);
  });
});
