// Morlet time-frequency transform by frequency-domain convolution (overlap-save).
//
// The output equals MNE's tfr_array_morlet (mode 'same': y[t] = sum_j W[j] x[t + half - j], zeros
// outside the signal), computed in blocks of S output samples on one fixed grid: block b covers outputs
// [b S, (b + 1) S) and reads input [b S - K, b S - K + N) where K is the longest wavelet's half length
// and N >= S + 2K is a power of two. Each wavelet is stored pre-shifted so that the circular
// convolution's first S outputs are exactly the block's outputs. The grid depends only on the full
// parameter set (never on which frequencies or blocks a task computes), so by-channel, by-frequency-batch
// and time-chunked (low-memory) runs compute every output sample with the same arithmetic: bit-identical.
//
// Decimation keeps every decim-th output from the first (MNE's decim). When decim has a power-of-two
// factor p, the block's spectrum is folded to N / p bins before the inverse FFT, which yields exactly
// every p-th output (DFT identity y[p m] = IFFT_{N/p}(sum_r Z[k + r N/p]) / p), so decimated runs
// do 1/p of the inverse-FFT work instead of computing and discarding samples.
//
// FFT: fft.js (radix-4, MIT, the most used JavaScript FFT on npm). It measured 2.9x faster than the
// project's radix-2 FFT (src/workers/correct/fft.ts) for complex transforms of 65536 points, and its
// real-input transform halves the forward cost (bench/tf.bench.ts prints both).

import FFT from 'fft.js';
import { SpikeDeskError } from '../../shared/errors';
import { cyclesFor, morletWavelet, waveletHalf } from './morlet';

export interface MorletParams {
  /** Frequencies in Hz (> 0, below Nyquist). */
  freqs: number[];
  /** Cycles per wavelet: one value, or one per frequency. */
  nCycles: number | number[];
  zeroMean: boolean;
  /** Keep every decim-th output sample from the first (1 = all). */
  decim: number;
}

/** Block size in units of the longest wavelet: larger blocks waste less on overlap but leave cache. */
export const BLOCK_PER_WAVELET = 4;

export interface CwtGeometry {
  n: number;
  sfreq: number;
  decim: number;
  /** Output samples (ceil(n / decim)). */
  nOut: number;
  /** FFT size of a block, a power of two. */
  N: number;
  /** Outputs per block (input samples advanced per block), a multiple of decim. */
  S: number;
  /** Half length of the longest wavelet. */
  K: number;
  nBlocks: number;
  /** Power-of-two factor of decim folded in the spectrum (inverse FFT size N / fold). */
  fold: number;
}

export function validateMorlet(p: MorletParams, sfreq: number): void {
  const bad = (message: string, fix: string): never => { throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix }); };
  if (!Array.isArray(p.freqs) || p.freqs.length === 0) bad('no frequencies given', 'give e.g. --freqs 4:40:1');
  for (const f of p.freqs) if (!(f > 0 && f < sfreq / 2)) bad(`frequency ${f} Hz is outside 0..Nyquist (${sfreq / 2} Hz)`, `use frequencies between 0 and ${sfreq / 2} Hz`);
  const cycles = cyclesFor(p.freqs, p.nCycles);
  for (const c of cycles) if (!(c > 0 && c <= 100)) bad(`n_cycles ${c} is outside 0..100`, 'use e.g. 7 cycles');
  if (!Number.isInteger(p.decim) || p.decim < 1 || p.decim > 10000) bad(`decim ${p.decim} is not an integer from 1 to 10000`, 'use 1 (no decimation) or e.g. 10');
}

export function pow2Factor(d: number): number {
  let p = 1;
  while (d % (p * 2) === 0) p *= 2;
  return p;
}

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

export function cwtGeometry(n: number, sfreq: number, p: MorletParams): CwtGeometry {
  validateMorlet(p, sfreq);
  const cycles = cyclesFor(p.freqs, p.nCycles);
  let K = 0;
  for (let i = 0; i < p.freqs.length; i++) K = Math.max(K, waveletHalf(sfreq, p.freqs[i], cycles[i]));
  if (2 * K + 1 > n) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `the longest wavelet (${((2 * K + 1) / sfreq).toFixed(2)} s) is longer than the signal (${(n / sfreq).toFixed(2)} s)`, fix: 'use fewer cycles or higher frequencies, or a longer recording' });
  }
  const d = p.decim;
  // At least BLOCK_PER_WAVELET wavelet lengths and a few decimated outputs, at most what the signal needs.
  let N = nextPow2(Math.max(BLOCK_PER_WAVELET * (2 * K + 1), 2 * K + 4 * d));
  N = Math.min(N, Math.max(nextPow2(n + 2 * K), nextPow2(2 * K + d)));
  const S = Math.floor((N - 2 * K) / d) * d;
  if (S < d) throw new SpikeDeskError({ code: 'INTERNAL', message: `no block size for ${n} samples (K ${K}, decim ${d})` });
  let fold = pow2Factor(d);
  while (fold > 1 && N / fold < 4) fold /= 2;
  return { n, sfreq, decim: d, nOut: Math.ceil(n / d), N, S, K, nBlocks: Math.max(1, Math.ceil(n / S)), fold };
}

/** FFT objects are costly to build (twiddle tables); one per size per worker. */
const ffts = new Map<number, FFT>();
function fftOf(size: number): FFT {
  let f = ffts.get(size);
  if (!f) { f = new FFT(size); ffts.set(size, f); }
  return f;
}

/** Pre-shifted wavelet spectra for a subset of frequencies (indices into the full list). */
export interface MorletBank {
  geom: CwtGeometry;
  indices: number[];
  /** Interleaved complex spectra, length 2N each. */
  spectra: Float64Array[];
}

export function makeBank(geom: CwtGeometry, p: MorletParams, indices: number[] = p.freqs.map((_, i) => i)): MorletBank {
  const { N, K, sfreq } = geom;
  const cycles = cyclesFor(p.freqs, p.nCycles);
  const f = fftOf(N);
  const spectra = indices.map((fi) => {
    const w = morletWavelet(sfreq, p.freqs[fi], cycles[fi], p.zeroMean);
    const buf = new Float64Array(2 * N);
    for (let j = 0; j < w.re.length; j++) {
      const q = (((j - w.half - K) % N) + N) % N;
      buf[2 * q] = w.re[j];
      buf[2 * q + 1] = w.im[j];
    }
    const out = new Float64Array(2 * N);
    f.transform(out, buf);
    return out;
  });
  return { geom, indices, spectra };
}

/** Reads samples [start, end) of the channel (0 <= start <= end <= n). */
export type SampleReader = (start: number, end: number) => ArrayLike<number>;

export interface TfOutput {
  /** Power rows, one per bank frequency, each `rowLength` long; output o goes to row[o - outOffset]. */
  power: Float32Array | Float64Array;
  /** Phase (radians, atan2) in the same layout, when wanted. */
  phase?: Float32Array | Float64Array;
  rowLength: number;
  outOffset: number;
}

/** Output index range [o0, o1) covered by blocks [b0, b1). */
export function outputRange(g: CwtGeometry, b0: number, b1: number): [number, number] {
  return [Math.min(g.nOut, (b0 * g.S) / g.decim), Math.min(g.nOut, (b1 * g.S) / g.decim)];
}

/**
 * Bytes of block spectra held at once. The wavelet bank (one N-point complex spectrum per frequency,
 * 1 MB each at N = 65536) is larger than the L3 cache; visiting it once per block made every block
 * stream the whole bank from memory and, with two workers, evict each other's FFT buffers. Blocks are
 * therefore transformed in groups: each wavelet spectrum is loaded once per group and applied to every
 * block of the group. 4 MB keeps a worker's working set (group spectra + FFT buffers + one wavelet)
 * near 8 MB, so two workers fit this machine's 32 MB L3 together. The arithmetic of every output value
 * is unchanged (only the loop order is), so results are bit-identical for any group size.
 */
export const GROUP_BYTES = 4 << 20;

/** Computes blocks [b0, b1) for every frequency of the bank into `out`. */
export function transformBlocks(bank: MorletBank, read: SampleReader, b0: number, b1: number, out: TfOutput, onBlock?: (b: number) => void, groupBytes = GROUP_BYTES): void {
  const g = bank.geom;
  const { N, S, K, n, decim, fold } = g;
  const M = N / fold;
  const stride = decim / fold;
  const fN = fftOf(N);
  const fM = fftOf(M);
  const G = Math.max(1, Math.min(b1 - b0, Math.floor(groupBytes / (16 * N))));
  const seg = new Float64Array(N);
  const Xs: Float64Array[] = [];
  for (let i = 0; i < G; i++) Xs.push(new Float64Array(2 * N));
  const Z = new Float64Array(2 * M);
  const y = new Float64Array(2 * M);
  const inv = 1 / fold;
  for (let g0 = b0; g0 < b1; g0 += G) {
    const g1 = Math.min(b1, g0 + G);
    for (let b = g0; b < g1; b++) {
      const s0 = b * S - K;
      const a = Math.max(0, s0);
      const e = Math.min(n, s0 + N);
      seg.fill(0);
      if (e > a) {
        const v = read(a, e);
        for (let i = 0; i < e - a; i++) seg[a - s0 + i] = v[i];
      }
      const X = Xs[b - g0];
      fN.realTransform(X, seg);
      fN.completeSpectrum(X);
    }
    for (let r = 0; r < bank.spectra.length; r++) {
      const W = bank.spectra[r];
      const row = r * out.rowLength - out.outOffset;
      for (let b = g0; b < g1; b++) {
        const X = Xs[b - g0];
        const T = b * S;
        if (fold === 1) multiply(X, W, Z, N);
        else multiplyFold(X, W, Z, N, M);
        fM.inverseTransform(y, Z);
        const nLocal = Math.min(S, n - T);
        // Local outputs 0, decim, 2 decim ... < nLocal sit at y[m] for m = 0, stride, 2 stride ...
        for (let loc = 0, m = 0, o = T / decim; loc < nLocal; loc += decim, m += stride, o++) {
          const re = y[2 * m] * inv, im = y[2 * m + 1] * inv;
          out.power[row + o] = re * re + im * im;
          if (out.phase) out.phase[row + o] = Math.atan2(im, re);
        }
      }
    }
    if (onBlock) for (let b = g0; b < g1; b++) onBlock(b);
  }
}

/** Z = X * W (interleaved complex, N points). */
function multiply(X: Float64Array, W: Float64Array, Z: Float64Array, N: number): void {
  for (let k = 0; k < 2 * N; k += 2) {
    const xr = X[k], xi = X[k + 1], wr = W[k], wi = W[k + 1];
    Z[k] = xr * wr - xi * wi;
    Z[k + 1] = xr * wi + xi * wr;
  }
}

/**
 * Z = X * W folded to M = N / fold bins (sum of the aliases), for decimated outputs. Alias by alias
 * (contiguous inner loop, no wrap test): each Z[q] still receives its terms in ascending k, so the sums
 * are the same bit for bit as one pass over k.
 */
function multiplyFold(X: Float64Array, W: Float64Array, Z: Float64Array, N: number, M: number): void {
  Z.fill(0);
  const m2 = 2 * M;
  for (let base = 0; base < 2 * N; base += m2) {
    for (let q = 0; q < m2; q += 2) {
      const k = base + q;
      const xr = X[k], xi = X[k + 1], wr = W[k], wi = W[k + 1];
      Z[q] += xr * wr - xi * wi;
      Z[q + 1] += xr * wi + xi * wr;
    }
  }
}

/** Whole-signal transform of one channel (used by tests and small inputs): rows = bank frequencies. */
export function morletPower(x: ArrayLike<number>, sfreq: number, p: MorletParams, phase = false): { geom: CwtGeometry; power: Float64Array; phase?: Float64Array } {
  const geom = cwtGeometry(x.length, sfreq, p);
  const bank = makeBank(geom, p);
  const power = new Float64Array(p.freqs.length * geom.nOut);
  const ph = phase ? new Float64Array(power.length) : undefined;
  const read: SampleReader = (s, e) => Array.prototype.slice.call(x, s, e) as number[];
  // (a copy per block is fine here: this entry is for tests and small signals)
  transformBlocks(bank, read, 0, geom.nBlocks, { power, phase: ph, rowLength: geom.nOut, outOffset: 0 });
  return { geom, power, phase: ph };
}
