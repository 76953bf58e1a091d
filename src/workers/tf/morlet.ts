// Complex Morlet wavelets defined as MNE's mne.time_frequency.morlet (sigma=None): for frequency f
// and n cycles, sigma_t = n / (2 pi f); samples t = i / sfreq for |t| < 5 sigma_t (an odd length with
// a sample at t = 0); W = (exp(2 pi i f t) - [zero_mean] exp(-2 (pi f sigma_t)^2)) * exp(-t^2 / 2 sigma_t^2),
// scaled so that ||W|| = sqrt(2) (the real part has unit norm, as Tallon-Baudry 1997 / MNE).
// Written from MNE's documented definition; parity is checked against MNE in morlet.test.ts.

import { SpikeDeskError } from '../../shared/errors';

export interface Wavelet {
  freq: number;
  /** Real and imaginary parts, length 2 * half + 1, centred at index `half`. */
  re: Float64Array;
  im: Float64Array;
  half: number;
}

/** n_cycles per frequency: one value for all, or one per frequency (MNE's rule). */
export function cyclesFor(freqs: readonly number[], nCycles: number | readonly number[]): number[] {
  if (typeof nCycles === 'number') return freqs.map(() => nCycles);
  if (nCycles.length === 1) return freqs.map(() => nCycles[0]);
  if (nCycles.length !== freqs.length) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `n_cycles has ${nCycles.length} values for ${freqs.length} frequencies`, fix: 'give one n_cycles value, or one per frequency' });
  }
  return [...nCycles];
}

/** Half length (samples each side of t = 0) of the wavelet at `freq`, as MNE's arange(0, 5 sigma, 1/sfreq). */
export function waveletHalf(sfreq: number, freq: number, nCycles: number): number {
  const sigmaT = nCycles / (2.0 * Math.PI * freq);
  return Math.max(1, Math.ceil((5.0 * sigmaT) / (1.0 / sfreq))) - 1;
}

export function morletWavelet(sfreq: number, freq: number, nCycles: number, zeroMean: boolean): Wavelet {
  if (!(freq > 0)) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `frequency ${freq} Hz is not positive`, fix: 'use frequencies above 0 Hz' });
  if (!(nCycles > 0)) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `n_cycles ${nCycles} is not positive`, fix: 'use e.g. 7 cycles' });
  const sigmaT = nCycles / (2.0 * Math.PI * freq);
  const half = waveletHalf(sfreq, freq, nCycles);
  const len = 2 * half + 1;
  const re = new Float64Array(len);
  const im = new Float64Array(len);
  const dt = 1.0 / sfreq;
  const offset = zeroMean ? Math.exp(-2 * (Math.PI * freq * sigmaT) ** 2) : 0;
  let norm = 0;
  for (let j = 0; j < len; j++) {
    const t = (j - half) * dt;
    const env = Math.exp(-(t * t) / (2.0 * sigmaT * sigmaT));
    const ph = 2.0 * Math.PI * freq * t;
    re[j] = (Math.cos(ph) - offset) * env;
    im[j] = Math.sin(ph) * env;
    norm += re[j] * re[j] + im[j] * im[j];
  }
  const scale = 1 / (Math.sqrt(0.5) * Math.sqrt(norm));
  for (let j = 0; j < len; j++) {
    re[j] *= scale;
    im[j] *= scale;
  }
  return { freq, re, im, half };
}

export function morletWavelets(sfreq: number, freqs: readonly number[], nCycles: number | readonly number[], zeroMean: boolean): Wavelet[] {
  const cycles = cyclesFor(freqs, nCycles);
  return freqs.map((f, i) => morletWavelet(sfreq, f, cycles[i], zeroMean));
}
