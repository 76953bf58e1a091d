// Task splits and the automatic choice between them.
import { describe, expect, it } from 'vitest';
import { cwtGeometry } from './cwt';
import { batchIndices, chooseStrategy } from './strategy';

describe('tf strategies', () => {
  it('frequency batches cover every index once, none empty', () => {
    expect(batchIndices(5, 2)).toEqual([[0, 1], [2, 3, 4]]);
    expect(batchIndices(3, 8)).toEqual([[0], [1], [2]]);
    for (const [n, b] of [[37, 4], [10, 3], [1, 1]]) expect(batchIndices(n, b).flat()).toEqual(Array.from({ length: n }, (_, i) => i));
  });
  const g = cwtGeometry(5000 * 600, 5000, { freqs: Array.from({ length: 37 }, (_, i) => 4 + i), nCycles: 7, zeroMean: false, decim: 16 });
  it('many channels: by channel; one channel on 2 workers: frequency batches', () => {
    expect(chooseStrategy({ geom: g, nFreqs: 37, channels: [32], workers: 2 }).strategy).toBe('channel');
    const one = chooseStrategy({ geom: g, nFreqs: 37, channels: [1], workers: 2 });
    expect(one.strategy).toBe('frequency');
    expect(one.batches % 2).toBe(0);
    expect(chooseStrategy({ geom: g, nFreqs: 37, channels: [3], workers: 2 }).strategy).toBe('frequency');
  });
  it('recordings are spread whole when that balances (even count), by channel when it does not', () => {
    const odd = chooseStrategy({ geom: g, nFreqs: 37, channels: [16, 16, 16], workers: 2 });
    expect(odd.estimates.recording).toBeGreaterThan(odd.estimates.channel!);
    expect(odd.strategy).toBe('channel');
    const even = chooseStrategy({ geom: g, nFreqs: 37, channels: [16, 16, 16, 16], workers: 2 });
    expect(even.estimates.recording).toBeLessThan(even.estimates.channel!);
    expect(chooseStrategy({ geom: g, nFreqs: 37, channels: [4], workers: 1 }).strategy).toBe('channel');
  });
});
