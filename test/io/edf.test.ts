// EDF+ writer round trip through our reader, quantisation bounds, crash safety, and the
// reader's handling of discontinuous, truncated and lying headers.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { fit8, writeEdf } from '../../src/main/io/edf/edf-write';
import type { WriteHeader } from '../../src/main/io/common/writer';
import { Rng } from '../../src/workers/rng';
import { expectError, fixture, readAll, tmpDir } from './helpers';

const dir = tmpDir('edf');

function signal(nCh: number, n: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: nCh }, (_, c) => Float32Array.from({ length: n }, (_, i) => 50 * Math.sin(i / (5 + c)) + 10 * rng.normal() + c * 100));
}

const reader = (data: Float32Array[]) => (s: number, e: number) => data.map((d) => d.slice(s, e));

describe('EDF+ writer', () => {
  it('round trip: samples within half a quantisation step, events, names, rate', async () => {
    const data = signal(3, 2500, 1);
    const h: WriteHeader = {
      channels: [{ name: 'Fp1' }, { name: 'Cz' }, { name: 'ECG' }], sampleRate: 500, nSamples: 2500,
      events: [{ sample: 0, duration: 0, label: 'Start' }, { sample: 777, duration: 0, label: 'Volume' }, { sample: 1999, duration: 50, label: 'Stim / A' }],
      startTime: new Date(Date.UTC(2021, 2, 4, 5, 6, 7)),
    };
    const p = path.join(dir, 'rt.edf');
    const res = await writeEdf(p, h, reader(data), { blockSamples: 333 });
    expect(res.padded).toBe(0);
    const src = await openSource(p);
    expect(src.meta.format).toBe('edf');
    expect(src.meta.channels.map((c) => c.name)).toEqual(['Fp1', 'Cz', 'ECG']);
    expect(src.meta.sampleRate).toBe(500);
    expect(src.meta.nSamples).toBe(2500);
    expect(src.meta.events).toEqual(h.events);
    const back = readAll(src, 400);
    data.forEach((d, c) => {
      const step = (res.physMax[c] - res.physMin[c]) / 65535;
      let worst = 0;
      d.forEach((v, i) => { worst = Math.max(worst, Math.abs(back[c][i] - v)); });
      expect(worst).toBeLessThanOrEqual(step * 0.5 + 1e-3);
      expect(res.physMin[c]).toBeLessThanOrEqual(Math.min(...d));
      expect(res.physMax[c]).toBeGreaterThanOrEqual(Math.max(...d));
    });
    src.close();
  });

  it('given range clips, odd lengths pad the last record, fractional rates pick a longer record', async () => {
    const data = signal(1, 1001, 2);
    const p = path.join(dir, 'pad.edf');
    const res = await writeEdf(p, { channels: [{ name: 'A' }], sampleRate: 100, nSamples: 1001 }, reader(data), { range: [-20, 20] });
    expect(res.padded).toBeGreaterThan(0);
    const src = await openSource(p);
    expect(src.meta.nSamples).toBe(1001 + res.padded);
    const back = src.read([0], 0, 1001)[0];
    back.forEach((v) => { expect(v).toBeGreaterThanOrEqual(-20.001); expect(v).toBeLessThanOrEqual(20.001); });
    src.close();
    const q = path.join(dir, 'frac.edf');
    const r2 = await writeEdf(q, { channels: [{ name: 'A' }], sampleRate: 2.5, nSamples: 10 }, () => [new Float32Array(10)]);
    expect(r2.recordSamples / r2.recordDuration).toBe(2.5);
    await expectError(() => writeEdf(path.join(dir, 'bad.edf'), { channels: [{ name: 'A' }], sampleRate: 1000.37, nSamples: 10 }, () => [new Float32Array(10)]), 'BAD_PARAMETER');
  });

  it('fit8 keeps the range inside 8 characters in the safe direction', () => {
    for (const x of [-3276.81234, 123456.789, -0.000012345, 99999.999, 1e-9, -1234567]) {
      const lo = fit8(x, 'down'); const hi = fit8(x, 'up');
      expect(lo.length).toBeLessThanOrEqual(8); expect(hi.length).toBeLessThanOrEqual(8);
      expect(Number(lo)).toBeLessThanOrEqual(x); expect(Number(hi)).toBeGreaterThanOrEqual(x);
    }
  });

  it('a failing block reader or NaN input leaves no output and no temp file', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'fail-'));
    const p = path.join(sub, 'x.edf');
    let calls = 0;
    await expect(writeEdf(p, { channels: [{ name: 'A' }], sampleRate: 100, nSamples: 1000 }, (s, e) => {
      if (++calls > 3) throw new Error('disk gone');
      return [new Float32Array(e - s)];
    }, { range: [-1, 1], blockSamples: 100 })).rejects.toThrow('disk gone');
    expect(fs.readdirSync(sub)).toEqual([]);
    const nan = new Float32Array(1000); nan[432] = NaN;
    const err = await expectError(() => writeEdf(p, { channels: [{ name: 'A' }], sampleRate: 100, nSamples: 1000 }, reader([nan])), 'NON_FINITE');
    expect(err.message).toMatch(/'A'.*sample 432/);
    expect(fs.readdirSync(sub)).toEqual([]);
  });
});

describe('EDF reader: bad headers', () => {
  const good = fs.readFileSync(fixture('edfplus.edf'));
  const put = (name: string, b: Buffer) => { const p = path.join(dir, name); fs.writeFileSync(p, b); return p; };
  const setField = (b: Buffer, at: number, len: number, s: string) => { const c = Buffer.from(b); c.write(s.padEnd(len), at, len, 'latin1'); return c; };

  it('EDF+D is refused with a clear message', async () => {
    const e = await expectError(() => openSource(fixture('edfplus_d.edf')), 'FORMAT_UNSUPPORTED');
    expect(e.message).toMatch(/discontinuous/i);
  });

  it('truncated data, lying record count, lying signal count, bad numbers', async () => {
    await expectError(() => openSource(put('trunc.edf', good.subarray(0, good.length - 100))), 'FILE_TRUNCATED');
    await expectError(() => openSource(put('morerec.edf', setField(good, 236, 8, '50'))), 'FILE_TRUNCATED');
    await expectError(() => openSource(put('ns.edf', setField(good, 252, 4, '7'))), 'HEADER_MISMATCH');
    await expectError(() => openSource(put('dur.edf', setField(good, 244, 8, 'abc'))), 'FORMAT_CORRUPT');
    await expectError(() => openSource(put('hdr.edf', good.subarray(0, 300))), 'FILE_TRUNCATED');
  });

  it('record count -1 is taken from the file size, with a note', async () => {
    const src = await openSource(put('minus1.edf', setField(good, 236, 8, '-1')));
    expect(src.meta.nSamples).toBe(1000);
    expect(src.meta.notes?.join(' ')).toMatch(/-1/);
    src.close();
  });
});
