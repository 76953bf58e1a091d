import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from './wire';

describe('wire codec', () => {
  it('round-trips typed arrays, NaN and nested objects', () => {
    const v = { a: new Float32Array([1.5, -2, 3e-7]), b: [new Int32Array([1, -2])], n: NaN, i: -Infinity, s: 'x' };
    const back = decodeWire(encodeWire(v)) as typeof v;
    expect(back.a).toBeInstanceOf(Float32Array);
    expect(Array.from(back.a)).toEqual(Array.from(v.a));
    expect(Array.from(back.b[0])).toEqual([1, -2]);
    expect(back.n).toBeNaN();
    expect(back.i).toBe(-Infinity);
    expect(back.s).toBe('x');
  });
  it('encodes a subarray view, not its whole buffer', () => {
    const big = new Float32Array([1, 2, 3, 4]);
    const back = decodeWire(encodeWire(big.subarray(1, 3))) as Float32Array;
    expect(Array.from(back)).toEqual([2, 3]);
  });
});
