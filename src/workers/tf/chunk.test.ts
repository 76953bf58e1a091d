// The chunked kernel equals the whole-channel transform for any chunking and frequency subset.
import { describe, expect, it } from 'vitest';
import { cwtGeometry, morletPower } from './cwt';
import { tfAssemble, tfChunk, tfGrid, tfOutputFor, type TfKernelParams } from './chunk';

/** Chunks assembled from separate parts, or (inPlace, as the tf stage runs) written into one output. */
function chunked(p: TfKernelParams, x: Float32Array, sfreq: number, block: number, inPlace = false): ReturnType<typeof tfAssemble> {
  const { margin } = tfGrid(p, x.length, sfreq);
  const into = inPlace ? tfOutputFor(p, x.length, sfreq) : undefined;
  const parts = [];
  for (let s = 0; s < x.length; s += block) {
    const e = Math.min(x.length, s + block);
    const a = Math.max(0, s - margin), b = Math.min(x.length, e + margin);
    parts.push(tfChunk(p, x.subarray(a, b), a, s, e, x.length, sfreq, into));
  }
  return into ?? tfAssemble(p, parts, x.length, sfreq);
}

describe('chunked Morlet kernel', () => {
  const sfreq = 500;
  const x = Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i * 0.07) + (Math.cos(i * 0.31 + 1) * ((i * 7919) % 13)) / 13);
  const base: TfKernelParams = { freqs: [5, 8, 13, 21], nCycles: [4, 5, 6, 7], zeroMean: false, decim: 6, phase: true };
  const S = cwtGeometry(x.length, sfreq, base).S;

  it('the grid chunk is whole blocks and cuts a short channel in a few chunks', () => {
    const { block } = tfGrid(base, x.length, sfreq);
    expect(block % S).toBe(0);
    expect(Math.ceil(x.length / block)).toBeGreaterThan(1);
  });

  it('whole channel, 1-block and 3-block chunks, and frequency batches agree bit for bit', () => {
    const ref = morletPower(x, sfreq, base, true);
    const whole = chunked(base, x, sfreq, tfGrid(base, x.length, sfreq).block);
    expect(whole.power).toEqual(Float32Array.from(ref.power));
    expect(whole.phase).toEqual(Float32Array.from(ref.phase!));
    expect(chunked(base, x, sfreq, S)).toEqual(whole);
    expect(chunked(base, x, sfreq, 3 * S)).toEqual(whole);
    for (const block of [S, 3 * S, tfGrid(base, x.length, sfreq).block]) expect(chunked(base, x, sfreq, block, true), `in place, block ${block}`).toEqual(whole);
    expect(chunked({ ...base, phase: false }, x, sfreq, 2 * S, true)).toEqual({ ...whole, phase: null });
    const nOut = whole.nOut;
    for (const rows of [[0, 2], [1], [3]]) {
      const part = chunked({ ...base, freqIndices: rows }, x, sfreq, 2 * S);
      rows.forEach((r, i) => expect(part.power.subarray(i * nOut, (i + 1) * nOut)).toEqual(whole.power.subarray(r * nOut, (r + 1) * nOut)));
      expect(chunked({ ...base, freqIndices: rows }, x, sfreq, 2 * S, true)).toEqual(part);
    }
  });

  it('reuse: the previous output arrays while uncollected, zeroed; a new one for another size or phase setting', () => {
    const a = tfOutputFor(base, x.length, sfreq, true);
    a.power.fill(7);
    a.phase!.fill(7);
    const b = tfOutputFor(base, x.length, sfreq, true);
    expect(b.power).toBe(a.power);
    expect(b.power.every((v) => v === 0) && b.phase!.every((v) => v === 0)).toBe(true);
    expect(tfOutputFor({ ...base, phase: false }, x.length, sfreq, true).power).not.toBe(a.power);
    expect(tfOutputFor(base, x.length - S, sfreq, true).power).not.toBe(a.power);
    expect(tfOutputFor(base, x.length, sfreq).power).not.toBe(tfOutputFor(base, x.length, sfreq).power);
  });
});
