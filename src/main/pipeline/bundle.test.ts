import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundleStream, readBundle, writeBundle } from './bundle';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('bundle streaming', () => {
  const arrays = {
    power: Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 1e3),
    times: Float64Array.from({ length: 17 }, (_, i) => i / 3),
    ids: Int32Array.from([3, -1, 7]),
    empty: new Float32Array(0),
  };
  const file = path.join(dir, 'a.bin');
  writeBundle(file, { info: { rows: [0, 1, 2], note: 'x' }, arrays });

  it('reads back what it wrote: header padded to 8 bytes, each array aligned to 8', () => {
    const b = readBundle(file);
    expect(b.info).toEqual({ rows: [0, 1, 2], note: 'x' });
    for (const [name, a] of Object.entries(arrays)) expect(b.arrays[name]).toEqual(a);
    const buf = fs.readFileSync(file);
    const base = Math.ceil((16 + buf.readUInt32LE(8)) / 8) * 8;
    const s = openBundleStream(file);
    s.close();
    for (const a of Object.values(s.arrays)) expect((a.start - base) % 8).toBe(0);
    const last = Object.values(s.arrays).reduce((m, a) => Math.max(m, a.start + a.bytes), 0);
    expect(buf.length).toBe(last);
  });

  it('copies each array in pieces of any size, byte for byte as decoded', () => {
    const whole = readBundle(file);
    for (const piece of [1, 7, 4096, 1 << 22]) {
      const b = openBundleStream(file);
      try {
        expect(b.info).toEqual({ rows: [0, 1, 2], note: 'x' });
        for (const [name, a] of Object.entries(arrays)) {
          const got: Buffer[] = [];
          b.copy(name, (x) => { expect(x.length).toBeLessThanOrEqual(piece); got.push(Buffer.from(x)); }, piece);
          expect(Buffer.concat(got).equals(bytesOf(a)), `${name} in pieces of ${piece}`).toBe(true);
          expect(Buffer.concat(got).equals(bytesOf(whole.arrays[name]))).toBe(true);
          expect(b.arrays[name].length).toBe(a.length);
        }
        expect(() => b.copy('nope', () => undefined)).toThrow(/has no array nope/);
      } finally {
        b.close();
      }
    }
  });

  it('a cut or foreign file is refused by name', () => {
    const buf = fs.readFileSync(file);
    const cut = path.join(dir, 'cut.bin');
    fs.writeFileSync(cut, buf.subarray(0, buf.length - 8));
    expect(() => openBundleStream(cut)).toThrow(/cut\.bin ends early/);
    const other = path.join(dir, 'other.bin');
    fs.writeFileSync(other, 'not a bundle at all, just text');
    expect(() => openBundleStream(other)).toThrow(/other\.bin is not a cache bundle/);
    fs.writeFileSync(other, 'SDB');
    expect(() => openBundleStream(other)).toThrow(/is not a cache bundle/);
  });
});
