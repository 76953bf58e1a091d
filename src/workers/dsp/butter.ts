// Butterworth filter design as second-order sections (SOS), laid out like scipy.signal.butter(output='sos'):
// a Float64Array of nSections * 6 values [b0, b1, b2, a0 = 1, a1, a2].
// Even-order high-/low-passes come from fili's CalcCascades (its `order` counts biquads); odd orders use
// fili's single-biquad coefficients with the Butterworth pole Qs plus one bilinear first-order section
// (fili has no first-order sections). fili's band-pass/band-stop are not Butterworth, so a band-pass is a
// high-pass chained with a low-pass, and the Butterworth band-stop is designed here from its analog poles
// (lowpass-to-bandstop transform, then bilinear transform with pre-warping; Oppenheim & Schafer ch. 7).
// The notch equals scipy.signal.iirnotch(f0, Q=30) via fili's cookbook band-stop with a matched Q.
// Verified against scipy frequency responses in butter.test.ts (fixtures from test/fixtures/gen/).

import fili from 'fili';
import type { FiliBiquad } from 'fili';
import { SpikeDeskError } from '../../shared/errors';
import { validateFilter, type FilterParams } from '../../shared/params';

export type ButterKind = 'highpass' | 'lowpass' | 'bandstop';

/** Quality factor of the mains notch (bandwidth = f0 / 30, as scipy.signal.iirnotch's usual choice). */
export const NOTCH_Q = 30;

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

function checkCorner(f: number, fs: number, what: string): void {
  if (!(fs > 0) || !Number.isFinite(fs)) bad(`sample rate ${fs} Hz is not positive`, 'give the recording sample rate in Hz');
  if (!(f > 0 && f < fs / 2)) bad(`${what} ${f} Hz is outside (0, ${fs / 2}) Hz`, `choose a frequency between 0 and Nyquist (${fs / 2} Hz)`);
}

function pushBiquad(out: number[], q: FiliBiquad): void {
  out.push(q.b[0] * q.k, q.b[1] * q.k, q.b[2] * q.k, 1, q.a[0], q.a[1]);
}

/** Bilinear first-order section with pre-warping at fc, used for odd orders. */
function firstOrder(kind: 'highpass' | 'lowpass', fc: number, fs: number): number[] {
  const k = Math.tan((Math.PI * fc) / fs);
  const a1 = (k - 1) / (k + 1);
  return kind === 'lowpass'
    ? [k / (1 + k), k / (1 + k), 0, 1, a1, 0]
    : [1 / (1 + k), -1 / (1 + k), 0, 1, a1, 0];
}

function passSos(kind: 'highpass' | 'lowpass', order: number, fc: number, fs: number): number[] {
  const out: number[] = [];
  const pairs = Math.floor(order / 2);
  if (order % 2 === 0) {
    const cascade = new fili.CalcCascades()[kind]({ order: pairs, characteristic: 'butterworth', Fs: fs, Fc: fc });
    for (const q of cascade) pushBiquad(out, q);
    return out;
  }
  // Odd order: the real pole goes first (as in scipy), then the conjugate pairs at angles k*pi/N
  // from the negative real axis, whose quality factors are 1 / (2 cos(k*pi/N)).
  out.push(...firstOrder(kind, fc, fs));
  const coeffs = new fili.IirCoeffs();
  for (let k = 1; k <= pairs; k++) {
    pushBiquad(out, coeffs[kind]({ Fs: fs, Fc: fc, Q: 1 / (2 * Math.cos((k * Math.PI) / order)) }));
  }
  return out;
}

/** Butterworth band-stop of the given order (2*order poles), one biquad per conjugate pole pair. */
function bandstopSos(order: number, f1: number, f2: number, fs: number): number[] {
  const fs2 = 2 * fs;
  const w1 = fs2 * Math.tan((Math.PI * f1) / fs);
  const w2 = fs2 * Math.tan((Math.PI * f2) / fs);
  const bw = w2 - w1;
  const w0sq = w1 * w2;
  const poles: Array<[number, number]> = [];
  for (let k = 1; k <= order; k++) {
    const th = (Math.PI * (2 * k + order - 1)) / (2 * order);
    const pr = Math.cos(th);
    const pi = Math.sin(th);
    // Roots of p s^2 - bw s + p w0^2 = 0: s = (bw +- sqrt(bw^2 - 4 p^2 w0^2)) / (2p).
    const p2r = pr * pr - pi * pi;
    const p2i = 2 * pr * pi;
    const [sr, si] = csqrt(bw * bw - 4 * p2r * w0sq, -4 * p2i * w0sq);
    for (const sign of [1, -1]) {
      const [ar, ai] = cdiv(bw + sign * sr, sign * si, 2 * pr, 2 * pi);
      // Bilinear transform z = (2fs + s) / (2fs - s).
      poles.push(cdiv(fs2 + ar, ai, fs2 - ar, -ai));
    }
  }
  const cosw0 = Math.cos(2 * Math.atan(Math.sqrt(w0sq) / fs2));
  const upper = poles.filter(([, im]) => im > 1e-14);
  const real = poles.filter(([, im]) => Math.abs(im) <= 1e-14).map(([re]) => re).sort((a, b) => a - b);
  const dens: Array<[number, number]> = upper.map(([re, im]) => [-2 * re, re * re + im * im]);
  for (let i = 0; i + 1 < real.length; i += 2) dens.push([-(real[i] + real[i + 1]), real[i] * real[i + 1]]);
  const out: number[] = [];
  for (const [a1, a2] of dens) {
    // Unit gain at DC for every section: the band-stop passes DC with gain 1.
    const g = (1 + a1 + a2) / (2 - 2 * cosw0);
    out.push(g, -2 * cosw0 * g, g, 1, a1, a2);
  }
  return out;
}

function csqrt(re: number, im: number): [number, number] {
  const m = Math.hypot(re, im);
  const r = Math.sqrt((m + re) / 2);
  const i = Math.sqrt(Math.max(0, (m - re) / 2));
  return [r, im < 0 ? -i : i];
}

function cdiv(ar: number, ai: number, br: number, bi: number): [number, number] {
  const d = br * br + bi * bi;
  return [(ar * br + ai * bi) / d, (ai * br - ar * bi) / d];
}

/**
 * Butterworth SOS equal (in frequency response) to scipy.signal.butter(order, cutoff, kind, fs=fs, output='sos').
 * `order` is the filter order (not fili's biquad count); band-stop takes [lowHz, highHz].
 */
export function butterSos(kind: ButterKind, order: number, cutoffHz: number | [number, number], fs: number): Float64Array {
  if (!Number.isInteger(order) || order < 1 || order > 20) bad(`filter order ${order} is not an integer from 1 to 20`, 'use an order from 1 to 10 (2-5 is usual)');
  if (kind === 'bandstop') {
    if (!Array.isArray(cutoffHz)) bad('a band-stop needs two corner frequencies', 'give [lowHz, highHz]');
    const [f1, f2] = cutoffHz;
    checkCorner(f1, fs, 'band-stop lower corner');
    checkCorner(f2, fs, 'band-stop upper corner');
    if (!(f1 < f2)) bad(`band-stop ${f1}-${f2} Hz is empty`, 'make the lower corner smaller than the upper corner');
    return Float64Array.from(bandstopSos(order, f1, f2, fs));
  }
  if (kind !== 'highpass' && kind !== 'lowpass') bad(`unknown filter kind "${kind as string}"`, 'use highpass, lowpass or bandstop');
  if (typeof cutoffHz !== 'number') bad(`a ${kind} takes one corner frequency`, 'give a single number in Hz');
  checkCorner(cutoffHz, fs, `${kind} corner`);
  return Float64Array.from(passSos(kind, order, cutoffHz, fs));
}

/** Second-order notch identical to scipy.signal.iirnotch(f0, q, fs) (-3 dB bandwidth f0 / q). */
export function notchSos(f0: number, fs: number, q = NOTCH_Q): Float64Array {
  checkCorner(f0, fs, 'notch frequency');
  if (!(q > 0)) bad(`notch quality factor ${q} is not positive`, `use e.g. ${NOTCH_Q}`);
  const w0 = (2 * Math.PI * f0) / fs;
  // iirnotch's pole radius comes from tan(bw/2) with bw = w0/q; the cookbook uses sin(w0)/(2Q'),
  // so Q' = sin(w0) / (2 tan(w0 / (2q))) gives the same coefficients.
  const qCookbook = Math.sin(w0) / (2 * Math.tan(w0 / (2 * q)));
  const out: number[] = [];
  pushBiquad(out, new fili.IirCoeffs().bandstop({ Fs: fs, Fc: f0, Q: qCookbook }));
  return Float64Array.from(out);
}

/** Concatenate SOS arrays into one cascade. */
export function concatSos(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/**
 * The spike-band cascade of FilterParams: a high-pass of `order` (lowHz > 0), then a low-pass of
 * `order` (0 < highHz < Nyquist), then an optional notch. An empty SOS means "no filtering".
 */
export function bandpassSos(p: FilterParams, fs: number): Float64Array {
  validateFilter(p, fs);
  const parts: Float64Array[] = [];
  if (p.lowHz > 0) parts.push(butterSos('highpass', p.order, p.lowHz, fs));
  if (p.highHz > 0 && p.highHz < fs / 2) parts.push(butterSos('lowpass', p.order, p.highHz, fs));
  if (p.notchHz > 0) parts.push(notchSos(p.notchHz, fs));
  return concatSos(...parts);
}

/** Complex frequency response of an SOS cascade at the given frequencies (Hz), like scipy.signal.sosfreqz. */
export function sosResponse(sos: Float64Array, freqsHz: ArrayLike<number>, fs: number): { re: Float64Array; im: Float64Array } {
  const n = freqsHz.length;
  const re = new Float64Array(n).fill(1);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * freqsHz[i]) / fs;
    const c1 = Math.cos(w), s1 = Math.sin(w), c2 = Math.cos(2 * w), s2 = Math.sin(2 * w);
    for (let o = 0; o + 5 < sos.length; o += 6) {
      // H = (b0 + b1 e^-jw + b2 e^-2jw) / (a0 + a1 e^-jw + a2 e^-2jw)
      const [nr, ni] = [sos[o] + sos[o + 1] * c1 + sos[o + 2] * c2, -(sos[o + 1] * s1 + sos[o + 2] * s2)];
      const [dr, di] = [sos[o + 3] + sos[o + 4] * c1 + sos[o + 5] * c2, -(sos[o + 4] * s1 + sos[o + 5] * s2)];
      const [hr, hi] = cdiv(nr, ni, dr, di);
      const r = re[i] * hr - im[i] * hi;
      im[i] = re[i] * hi + im[i] * hr;
      re[i] = r;
    }
  }
  return { re, im };
}
