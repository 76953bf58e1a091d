// The trace file of a Phy folder when the recording is not raw binary: an interleaved int16 copy
// of the sorted channels' filtered samples, streamed from the session cache's per-channel float32
// files (ch0000.f32 ...) in blocks, written atomically. int16 is what phy expects of a .dat (its
// default dtype) and is half the size of float32; the scale (uV per count) is chosen from the data
// so nothing clips and the rounding stays far below the noise, and params.py records it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { AtomicFileWriter } from '../io/atomic';

export function filteredChannelFile(dir: string, c: number): string {
  return path.join(dir, `ch${String(c).padStart(4, '0')}.f32`);
}

const BLOCK = 1 << 16;
const INT16_MAX = 32767;
/** Rounding noise of a count is 1/sqrt(12) counts rms; with the noise at least this many counts it adds < 0.3 % to it. */
const MIN_NOISE_COUNTS = 4;
/** Samples per channel looked at for the noise level (an even stride over the whole channel). */
const NOISE_SAMPLES = 200_000;

export interface FilteredDat {
  file: string;
  /** Microvolts per int16 count: a power of ten, 1 unless the data is too large or too quiet for it. */
  uvPerBit: number;
  /** Samples beyond the int16 range (0 unless a channel holds non-finite values). */
  clipped: number;
}

function readBlock(fd: number, col: Float32Array, start: number, m: number): void {
  fs.readSync(fd, new Uint8Array(col.buffer, 0, m * 4), 0, m * 4, start * 4);
}

/**
 * The scale: 1 uV per count (phy then shows uV, like the templates and amplitudes) unless the
 * largest sample would not fit (coarser, by powers of ten) or the noise is under MIN_NOISE_COUNTS
 * counts (finer, while the largest sample still fits).
 */
export function chooseScale(peakUv: number, noiseUv: number): number {
  let k = 0; // g = 10^k (an integer exponent keeps the scale exact in params.py: 0.1, not 0.1000000001)
  while (peakUv / 10 ** k > INT16_MAX && k < 9) k++;
  while (noiseUv / 10 ** k < MIN_NOISE_COUNTS && peakUv / 10 ** (k - 1) <= INT16_MAX && k > -6) k--;
  return 10 ** k;
}

/** Largest |sample| of the channels and the median channel's noise level (median |x| / 0.6745 of a strided subsample). */
function levels(fds: number[], nSamples: number): { peak: number; noise: number } {
  const col = new Float32Array(BLOCK);
  let peak = 0;
  const noises: number[] = [];
  const stride = Math.max(1, Math.floor(nSamples / NOISE_SAMPLES));
  for (const fd of fds) {
    const sub: number[] = [];
    for (let s = 0; s < nSamples; s += BLOCK) {
      const m = Math.min(BLOCK, nSamples - s);
      readBlock(fd, col, s, m);
      for (let i = 0; i < m; i++) {
        const a = Math.abs(col[i]);
        if (a > peak && Number.isFinite(a)) peak = a;
        if ((s + i) % stride === 0) sub.push(a);
      }
    }
    sub.sort((x, y) => x - y);
    noises.push(sub.length ? sub[sub.length >> 1] / 0.6745 : 0);
  }
  noises.sort((x, y) => x - y);
  return { peak, noise: noises.length ? noises[noises.length >> 1] : 0 };
}

export function writeFilteredDat(file: string, dir: string, channels: number[], nSamples: number): FilteredDat {
  const fds = channels.map((c) => fs.openSync(filteredChannelFile(dir, c), 'r'));
  let w: AtomicFileWriter | null = null;
  try {
    const { peak, noise } = levels(fds, nSamples);
    const uvPerBit = chooseScale(peak, noise);
    w = AtomicFileWriter.open(file);
    const C = channels.length;
    const col = new Float32Array(BLOCK);
    const frame = new Int16Array(BLOCK * C);
    let clipped = 0;
    for (let s = 0; s < nSamples; s += BLOCK) {
      const m = Math.min(BLOCK, nSamples - s);
      fds.forEach((fd, k) => {
        readBlock(fd, col, s, m);
        for (let i = 0; i < m; i++) {
          const q = Math.round(col[i] / uvPerBit);
          const v = Number.isFinite(q) ? Math.max(-INT16_MAX, Math.min(INT16_MAX, q)) : 0;
          if (v !== q) clipped++;
          frame[i * C + k] = v;
        }
      });
      w.write(new Uint8Array(frame.buffer, 0, m * C * 2));
    }
    w.commit();
    return { file, uvPerBit, clipped };
  } catch (e) {
    w?.abort();
    throw e;
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}
