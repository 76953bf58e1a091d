// Checks shared by every Source.read(): the request window, and what to do with NaN/Inf samples
// (a typed NON_FINITE error by default, or replacement by 0 when the caller allows it).

import type { RecordingMeta } from '../../../shared/recording';
import { ioError } from './errors';

export type NonFinitePolicy = 'error' | 'zero';

export function checkRequest(meta: RecordingMeta, channels: number[], start: number, end: number): void {
  const n = meta.channels.length;
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= n) {
      throw ioError('BAD_REQUEST', meta.path, `Channel index ${c} is out of range (the recording has ${n} channels)`,
        `Use channel indices 0..${n - 1}.`);
    }
  }
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > meta.nSamples) {
    throw ioError('BAD_REQUEST', meta.path, `Sample window [${start}, ${end}) is outside the recording (0..${meta.nSamples})`,
      `Ask for whole samples between 0 and ${meta.nSamples}.`);
  }
}

/**
 * Enforce the NaN/Inf policy on a decoded channel. Returns how many samples were replaced.
 * `first` is the absolute sample index of out[0], so the error names the exact sample.
 */
export function checkFinite(out: Float32Array, policy: NonFinitePolicy, path: string, channelName: string,
  first: number): number {
  let replaced = 0;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (v - v !== 0) { // true only for NaN and +-Inf; cheaper than Number.isFinite in this loop
      if (policy === 'error') {
        throw ioError('NON_FINITE', path, `Channel '${channelName}' has a non-finite value (${v}) at sample ${first + i}`,
          'Repair the recording, or read such samples as 0 (command line: --non-finite zero; app: "Read NaN/Inf as 0" under the run report).');
      }
      out[i] = 0;
      replaced++;
    }
  }
  return replaced;
}

/** The arrays a read fills: the caller's (checked) or new ones. */
export function outputs(meta: RecordingMeta, channels: number[], n: number, out?: Float32Array[]): Float32Array[] {
  if (!out) return channels.map(() => new Float32Array(n));
  if (out.length !== channels.length || out.some((o) => !(o instanceof Float32Array) || o.length < n)) {
    throw ioError('BAD_REQUEST', meta.path, `The output arrays do not fit ${channels.length} channels of ${n} samples`,
      'Pass one Float32Array per channel, each at least as long as the window, or none.');
  }
  return out;
}
