// Threshold spike detection on a band-passed channel (Quiroga et al. 2004, as in wave_clus,
// blech_clust and SpikeInterface's 'by_channel' detector): noise sigma = median(|x|) / 0.6745 for the
// whole channel or per window of sigmaWindowS seconds, threshold = k * sigma with the chosen polarity.
// A sample is a spike when it crosses the threshold and is the extremum within +-deadTime samples
// (ties: the earliest wins) - a purely local rule, so a block read with detectMargin() samples of
// context gives exactly the spikes of the whole channel. Peaks above artifactSigma * sigma are
// dropped, as are spikes whose waveform window [peak - pre, peak + post) leaves the recording.
// With alignUpsample > 1 the sub-sample extremum is found on a local cubic spline.

import { SpikeDeskError } from '../../shared/errors';
import type { DetectParams } from '../../shared/params';
import { refinePeak } from '../dsp/interp';
import { medianAbsBlocked, type Float32Reader } from '../dsp/robust';

/** median(|x|) / MAD_TO_SIGMA estimates the standard deviation of Gaussian noise. */
export const MAD_TO_SIGMA = 0.6745;
/** Half-width (samples) of the spline used for sub-sample alignment. */
export const SPLINE_HALF = 4;

/** Per-window noise levels: window k covers samples [k * windowSamples, (k + 1) * windowSamples); the last window takes the rest. */
export interface SigmaProfile { windowSamples: number; values: Float64Array }
export type Sigma = number | SigmaProfile;

export interface Spikes {
  /** Peak sample indices (absolute), ascending. */
  samples: Int32Array;
  /** Signed peak values in the channel's unit (uV); interpolated when alignUpsample > 1. */
  amplitudes: Float32Array;
  /** Sub-sample peak times (absolute samples); equal to `samples` when alignUpsample = 1. */
  subSamples: Float64Array;
  /** The channel's sigma (for a profile: the median of its window values). */
  sigma: number;
}

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

/** sigma = median(|x|) / 0.6745 of a whole channel. */
export function noiseSigma(x: Float32Array): number {
  return noiseSigmaBlocked((s, e) => x.subarray(s, e), x.length);
}

/** The same sigma, reading the channel in blocks (low-memory mode); identical to noiseSigma. */
export function noiseSigmaBlocked(read: Float32Reader, n: number, blockSize = 1 << 20): number {
  return medianAbsBlocked(read, n, blockSize) / MAD_TO_SIGMA;
}

/**
 * Sigma per window of windowS seconds (blech_clust-style rolling noise level). A last window shorter
 * than half a window is merged into the previous one.
 */
export function noiseSigmaProfile(read: Float32Reader, n: number, fs: number, windowS: number): SigmaProfile {
  const w = Math.round(windowS * fs);
  if (!(w >= 1)) bad(`noise window ${windowS} s is shorter than a sample`, 'use a window of a few seconds, or 0 for one sigma per channel');
  let count = Math.max(1, Math.floor(n / w));
  if (n - count * w >= w / 2) count++;
  const values = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const s = k * w, e = k === count - 1 ? n : s + w;
    values[k] = medianAbsBlocked((a, b) => read(s + a, s + b), e - s) / MAD_TO_SIGMA;
  }
  return { windowSamples: w, values };
}

function sigmaScalar(sigma: Sigma): number {
  if (typeof sigma === 'number') return sigma;
  const v = Float64Array.from(sigma.values).sort();
  const k = v.length >> 1;
  return v.length % 2 ? v[k] : (v[k - 1] + v[k]) / 2;
}

/** Sample counts derived from the parameters and the sample rate. */
export function detectGeometry(fs: number, p: DetectParams): { dead: number; pre: number; post: number; margin: number } {
  const dead = Math.max(0, Math.round((p.deadTimeMs * fs) / 1000));
  const pre = Math.round((p.preMs * fs) / 1000);
  const post = Math.round((p.postMs * fs) / 1000);
  return { dead, pre, post, margin: Math.max(dead, p.alignUpsample > 1 ? SPLINE_HALF : 0) };
}

/** Context samples a block needs on each side of its valid range for exact whole-channel results. */
export function detectMargin(fs: number, p: DetectParams): number {
  return detectGeometry(fs, p).margin;
}

/**
 * Detect spikes in a block: x holds absolute samples [offset, offset + x.length) of a channel of nTotal
 * samples; only peaks in [validStart, validEnd) are returned. The block must include detectMargin()
 * samples around the valid range (or reach the recording edge there).
 */
export function detectSpikesInBlock(
  x: Float32Array, offset: number, fs: number, p: DetectParams, sigma: Sigma,
  validStart: number, validEnd: number, nTotal: number = offset + x.length,
): Spikes {
  if (!(fs > 0)) bad(`sample rate ${fs} Hz is not positive`, 'give the recording sample rate');
  if (!(p.threshold > 0)) bad(`threshold ${p.threshold} sigma is not positive`, 'use 3-8 (5 is usual)');
  if (!Number.isInteger(p.alignUpsample) || p.alignUpsample < 1) bad('alignment upsampling must be a positive integer', 'use 1 (off) or 5');
  const sig0 = sigmaScalar(sigma);
  if (!(sig0 > 0) || !Number.isFinite(sig0)) bad(`noise level ${sig0} is not positive`, 'the channel looks flat or empty; exclude it');
  const { dead, pre, post, margin } = detectGeometry(fs, p);
  if (offset > Math.max(0, validStart - margin) || offset + x.length < Math.min(nTotal, validEnd + margin)) {
    bad(`block [${offset}, ${offset + x.length}) lacks the ${margin}-sample context around [${validStart}, ${validEnd})`, 'read the block with detectMargin() samples on each side');
  }
  const sgn = p.polarity === 'pos' ? 1 : -1;
  const both = p.polarity === 'both';
  // The detection value v(i): the signal in the direction of the polarity (|x| for both).
  const v = (i: number): number => { const a = x[i - offset]; return both ? Math.abs(a) : sgn * a; };
  const profile = typeof sigma === 'number' ? null : sigma;
  const sigmaAt = (i: number): number => profile
    ? profile.values[Math.min(profile.values.length - 1, Math.floor(i / profile.windowSamples))] : (sigma as number);

  const samples: number[] = [], amps: number[] = [], subs: number[] = [];
  const lo = Math.max(validStart, pre, 0);
  const hi = Math.min(validEnd, nTotal - post + 1);
  for (let i = lo; i < hi; i++) {
    const vi = v(i);
    const s = sigmaAt(i);
    if (!(vi > p.threshold * s)) continue;
    let isPeak = true;
    for (let j = Math.max(0, i - dead); j < i && isPeak; j++) if (v(j) >= vi) isPeak = false;
    for (let j = i + 1, e = Math.min(nTotal - 1, i + dead); j <= e && isPeak; j++) if (v(j) > vi) isPeak = false;
    if (!isPeak) continue;
    // No later sample within the dead time can be a peak now (each would have to exceed this one).
    if (vi <= p.artifactSigma * s) {
      const pkSign = both ? Math.sign(x[i - offset]) || 1 : sgn;
      const r = refinePeak(x, offset, nTotal, i, pkSign, p.alignUpsample, SPLINE_HALF);
      samples.push(i); amps.push(r.value); subs.push(r.time);
    }
    i += dead;
  }
  return { samples: Int32Array.from(samples), amplitudes: Float32Array.from(amps), subSamples: Float64Array.from(subs), sigma: sig0 };
}

/** Detect spikes on a whole channel; sigma defaults to the channel's (or its rolling profile when sigmaWindowS > 0). */
export function detectSpikes(x: Float32Array, fs: number, p: DetectParams, sigma?: Sigma): Spikes {
  const read = (s: number, e: number) => x.subarray(s, e);
  const sg = sigma ?? (p.sigmaWindowS > 0 ? noiseSigmaProfile(read, x.length, fs, p.sigmaWindowS) : noiseSigma(x));
  return detectSpikesInBlock(x, 0, fs, p, sg, 0, x.length, x.length);
}
