import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from './npy';

describe('npy writer', () => {
  it('writes a 64-byte aligned v1.0 header and little-endian data for every dtype', () => {
    for (const dtype of ['int64', 'int32', 'uint32', 'float32', 'float64'] as const) {
      const data = [0, 1, 2, 3, 4, 5].map((v) => (dtype.startsWith('float') ? v + 0.5 : v * 1000));
      const buf = encodeNpy(data, [2, 3], dtype);
      const hlen = buf[8] | (buf[9] << 8);
      expect((10 + hlen) % 64).toBe(0);
      expect(String.fromCharCode(...buf.subarray(10, 10 + hlen))).toMatch(/^\{'descr': '<[iuf][48]', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
      expect(decodeNpy(buf)).toEqual({ dtype: { int64: '<i8', int32: '<i4', uint32: '<u4', float32: '<f4', float64: '<f8' }[dtype], shape: [2, 3], values: data });
    }
  });

  it('writes 1-D shapes with a trailing comma and int64 values beyond 2^31', () => {
    const buf = encodeNpy(BigInt64Array.from([3n, 5000000000n]), [2], 'int64');
    expect(String.fromCharCode(...buf.subarray(10, 128))).toContain("'shape': (2,)");
    expect(decodeNpy(buf).values).toEqual([3, 5000000000]);
  });

  it('rejects data that does not fill the shape', () => {
    expect(() => encodeNpy([1, 2, 3], [2, 2], 'int32')).toThrow(/needs 4 values/);
  });
});
