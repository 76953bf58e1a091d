import { describe, expect, it } from 'vitest';
import { borrowSamples, returnSamples, spareCount } from './channel-buffers';

describe('channel buffers', () => {
  it('lends a returned array again for the same length only, and keeps a bounded number', () => {
    const a = borrowSamples(1000);
    a.fill(7);
    returnSamples([a]);
    expect(borrowSamples(999)).not.toBe(a);
    const again = borrowSamples(1000);
    expect(again).toBe(a);
    // A lent array keeps the last task's samples: its users must write before they read.
    expect(again[0]).toBe(7);
    returnSamples(Array.from({ length: 10 }, () => new Float32Array(8)));
    expect(spareCount()).toBe(6);
  });
});
