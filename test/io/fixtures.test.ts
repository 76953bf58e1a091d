// Every reader against the committed fixtures written independently by gen_io.py.

import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { checkAgainst, expectError, expected, fixture } from './helpers';

describe('readers match the independently written fixtures', () => {
  for (const [name, e] of Object.entries(expected)) {
    it(`${name} (${e.path})`, async () => {
      const src = await openSource(fixture(e.path), e.options);
      try {
        if (e.nan) {
          const c = e.channels.indexOf(e.nan.channel);
          const err = await expectError(() => src.read([c], 0, e.nSamples), 'NON_FINITE');
          expect(err.message).toContain(`'${e.nan.channel}'`);
          expect(err.message).toContain(`sample ${e.nan.sample}`);
          // Windows without the bad sample read fine.
          expect(src.read([c], 0, e.nan.sample).length).toBe(1);
        }
        checkAgainst(src, e);
        // The same window read into reused, longer arrays gives the same values.
        const all = e.channels.map((_, i) => i);
        const w = e.window;
        const fresh = src.read(all, w.start, w.end);
        const into = all.map(() => new Float32Array(w.end - w.start + 5).fill(-1));
        src.read(all, w.start, w.end, into);
        into.forEach((a, c) => expect(Array.from(a.subarray(0, w.end - w.start))).toEqual(Array.from(fresh[c])));
      } finally {
        src.close();
      }
    });
  }

  it('nonFinite: zero replaces NaN by 0 and counts it', async () => {
    const e = expected.nwb_lfp;
    const src = await openSource(fixture(e.path), { ...e.options, nonFinite: 'zero' });
    const [ch] = src.read([1], 0, e.nSamples);
    expect(ch[e.nan!.sample]).toBe(0);
    expect((src as unknown as { replaced: number }).replaced).toBe(1);
    src.close();
  });
});
