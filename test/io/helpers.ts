// Shared test helpers: the committed fixtures and their expected values (from gen_io.py).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { SpikeDeskError } from '../../src/shared/errors';
import type { Source } from '../../src/main/io/source';
import type { IoOpenOptions } from '../../src/main/io/common/options';

export const FIX = path.resolve(__dirname, '../fixtures/io');

export interface Expected {
  path: string;
  format: string;
  channels: string[];
  sampleRate: number;
  nSamples: number;
  events: { sample: number; duration: number; label: string }[];
  head: { start: number; end: number; data: number[][] };
  window: { start: number; end: number; data: number[][] };
  options?: IoOpenOptions;
  groups?: string[];
  nan?: { channel: string; sample: number };
}

export const expected: Record<string, Expected> = JSON.parse(fs.readFileSync(path.join(FIX, 'expected.json'), 'utf8'));

export function fixture(rel: string): string {
  return path.join(FIX, rel);
}

/** Compare a Source against the oracle: metadata, the first samples and a window. */
export function checkAgainst(src: Source, e: Expected, tol = 1e-4): void {
  expect(src.meta.format).toBe(e.format);
  expect(src.meta.channels.map((c) => c.name)).toEqual(e.channels);
  expect(src.meta.sampleRate).toBeCloseTo(e.sampleRate, 6);
  expect(src.meta.nSamples).toBe(e.nSamples);
  expect(src.meta.events).toEqual(e.events);
  if (e.groups) expect(src.meta.channels.map((c) => c.group)).toEqual(e.groups);
  const all = e.channels.map((_, i) => i);
  for (const w of [e.head, e.window]) {
    const got = src.read(all, w.start, w.end);
    got.forEach((ch, c) => {
      w.data[c].forEach((v, i) => {
        if (Math.abs(ch[i] - v) > tol * Math.max(1, Math.abs(v))) {
          throw new Error(`${e.path} channel ${c} sample ${w.start + i}: got ${ch[i]}, expected ${v}`);
        }
      });
    });
  }
}

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `spikedesk-io-${tag}-`));
}

/** Run `fn` and return the SpikeDeskError it throws (fails the test otherwise). */
export async function expectError(fn: () => unknown, code?: string): Promise<SpikeDeskError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeDeskError);
    const err = e as SpikeDeskError;
    if (code) expect(err.code).toBe(code);
    expect(err.message.length).toBeGreaterThan(5);
    expect(err.fix && err.fix.length).toBeTruthy();
    return err;
  }
  throw new Error('expected a SpikeDeskError, nothing was thrown');
}

/** Read every channel and every sample (in a few blocks), as the fuzz test and workers do. */
export function readAll(src: Source, block = 1000): Float32Array[] {
  const n = src.meta.nSamples;
  const chans = src.meta.channels.map((_, i) => i);
  const out = chans.map(() => new Float32Array(n));
  for (let s = 0; s < n; s += block) {
    const got = src.read(chans, s, Math.min(n, s + block));
    got.forEach((g, c) => out[c].set(g, s));
  }
  return out;
}
