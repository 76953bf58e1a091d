// Second-order-section filtering over typed arrays, numerically equal to scipy.signal.sosfilt,
// sosfilt_zi and sosfiltfilt (float64 state, direct form II transposed). sosfiltfilt follows scipy's
// definition: odd extension by padlen = 3 * (2 * nSections + 1 - min(#b2 == 0, #a2 == 0)) samples,
// initial conditions sosfilt_zi scaled by the first padded sample, a forward pass, then a backward pass
// started from sosfilt_zi scaled by the last forward output, and the padding cut off.
// The loops live in sos-kernels.ts; filtfiltSegment is also the core of the blocked filter (blocked.ts).

import { SpikeDeskError } from '../../shared/errors';
import { makePlan, releaseWork, runCascade, workArray, type SosPlan } from './sos-kernels';

export type Samples = Float32Array | Float64Array;

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

/** Number of sections of a valid SOS array (n*6 values, a0 = 1, finite); throws BAD_PARAMETER otherwise. */
export function sosSections(sos: Float64Array): number {
  if (!(sos instanceof Float64Array) || sos.length % 6 !== 0) bad('filter sections must be a Float64Array of n*6 coefficients', 'build the filter with butterSos or bandpassSos');
  for (let i = 0; i < sos.length; i++) if (!Number.isFinite(sos[i])) bad('filter coefficients are not finite', 'check the filter corners against the sample rate');
  for (let o = 3; o < sos.length; o += 6) if (sos[o] !== 1) bad('every section needs a0 = 1', 'normalise each section by its a0');
  return sos.length / 6;
}

/** scipy's default sosfiltfilt pad length for this cascade. */
export function sosPadlen(sos: Float64Array): number {
  const n = sosSections(sos);
  let b2zero = 0, a2zero = 0;
  for (let s = 0; s < n; s++) {
    if (sos[6 * s + 2] === 0) b2zero++;
    if (sos[6 * s + 5] === 0) a2zero++;
  }
  return 3 * (2 * n + 1 - Math.min(b2zero, a2zero));
}

/** Steady-state section states for a unit step input, like scipy.signal.sosfilt_zi (layout n*2: [z1, z2] per section). */
export function sosfiltZi(sos: Float64Array): Float64Array {
  const n = sosSections(sos);
  const zi = new Float64Array(2 * n);
  let scale = 1;
  for (let s = 0; s < n; s++) {
    const [b0, b1, b2, , a1, a2] = sos.subarray(6 * s, 6 * s + 6);
    const den = 1 + a1 + a2;
    if (Math.abs(den) < 1e-300) bad('a filter section has a pole at z = 1, so it has no steady state', 'use a stable filter design');
    const y = (b0 + b1 + b2) / den;
    // DF2T steady state for input 1 and output y: z2 = b2 - a2 y, z1 = b1 - a1 y + z2.
    const z2 = b2 - a2 * y;
    zi[2 * s] = scale * (b1 - a1 * y + z2);
    zi[2 * s + 1] = scale * z2;
    scale *= y;
  }
  return zi;
}

/** Convert true section states into the plan's normalised states (and back with toPlan = false). */
function convertState(plan: SosPlan, z: Float64Array, toPlan: boolean): Float64Array {
  const out = new Float64Array(z.length);
  for (let s = 0; s < plan.nSections; s++) {
    const f = toPlan ? 1 / plan.cum[s] : plan.cum[s];
    out[2 * s] = z[2 * s] * f;
    out[2 * s + 1] = z[2 * s + 1] * f;
  }
  return out;
}

/**
 * Filter a Float64Array in place; zi (n*2, scipy layout) is the initial state and receives the final state.
 * Without zi the filter starts at rest.
 */
export function sosfiltInPlace(sos: Float64Array, buf: Float64Array, zi?: Float64Array): void {
  const n = sosSections(sos);
  if (zi && zi.length !== 2 * n) bad(`initial state has ${zi.length} values, expected ${2 * n}`, 'pass nSections*2 values');
  const plan = makePlan(sos);
  const z = zi ? convertState(plan, zi, true) : new Float64Array(2 * n);
  // Through the packed-double work array in chunks (see sos-kernels.ts on why not in the typed array).
  const chunk = 1 << 16;
  const w = workArray(Math.min(chunk, buf.length));
  for (let s = 0; s < buf.length; s += chunk) {
    const m = Math.min(chunk, buf.length - s);
    for (let i = 0; i < m; i++) w[i] = buf[s + i];
    runCascade(plan, w, 0, m, 1, z, plan.gain);
    for (let i = 0; i < m; i++) buf[s + i] = w[i];
  }
  if (zi) zi.set(convertState(plan, z, false));
}

/** scipy.signal.sosfilt(sos, x, zi=zi): returns the output and the final state zf. */
export function sosfilt(sos: Float64Array, x: Samples, zi?: Float64Array): { y: Float64Array; zf: Float64Array } {
  const y = Float64Array.from(x);
  const zf = zi ? Float64Array.from(zi) : new Float64Array(sosSections(sos) * 2);
  sosfiltInPlace(sos, y, zf);
  return { y, zf };
}

/** Drop the cached work array (e.g. when a worker goes idle). */
export function releaseFilterScratch(): void {
  releaseWork();
}

/**
 * Zero-phase filtering of a segment x with scipy's edge handling on the sides that are true recording
 * edges (padLeft/padRight = padlen) and, on inner sides (pad 0), steady-state initial conditions for the
 * segment's end value, whose transient the caller's margin absorbs. Writes x[keepStart..keepEnd) of the
 * result into out at outOffset.
 */
export function filtfiltSegment(
  plan: SosPlan, ziPlan: Float64Array, x: Samples, padLeft: number, padRight: number,
  keepStart: number, keepEnd: number, out: Samples, outOffset: number,
): void {
  const n = x.length;
  const total = padLeft + n + padRight;
  const w = workArray(total);
  padInto(w, x, padLeft, padRight);
  const ns = plan.nSections;
  const z = new Float64Array(2 * ns);
  for (let k = 0; k < 2 * ns; k++) z[k] = ziPlan[k] * w[0];
  runCascade(plan, w, 0, total, 1, z);
  // The plan output is the true output / gain; starting the backward pass from the same scaled value
  // keeps everything linear, so the final result is gain^2 times the plan output.
  const yl = w[total - 1];
  for (let k = 0; k < 2 * ns; k++) z[k] = ziPlan[k] * yl;
  runCascade(plan, w, total - 1, total, -1, z, plan.gain * plan.gain);
  copyOut(w, padLeft + keepStart, keepEnd - keepStart, out, outOffset);
}

// The copy loops live in their own small functions: inside filtfiltSegment the first one was
// optimized on-stack before the rest of the function had run, and that cached OSR code then bailed
// out on every later segment (--trace-deopt: 20 deopts per 8-channel sort).

/** w[padLeft..padLeft+n) = x, with scipy's odd extension of padLeft / padRight samples on either side. */
function padInto(w: number[], x: Samples, padLeft: number, padRight: number): void {
  const n = x.length;
  const x0 = x[0], xl = x[n - 1];
  copyIn(w, padLeft, x, n);
  for (let j = 1; j <= padLeft; j++) w[padLeft - j] = 2 * x0 - x[j];
  for (let j = 1; j <= padRight; j++) w[padLeft + n - 1 + j] = 2 * xl - x[n - 1 - j];
}

/** w[at..at+n) = x[0..n): nothing after the loop, so code optimized on-stack in it never bails out. */
function copyIn(w: number[], at: number, x: Samples, n: number): void {
  for (let i = 0; i < n; i++) w[at + i] = x[i];
}

function copyOut(w: number[], from: number, m: number, out: Samples, outOffset: number): void {
  for (let i = 0; i < m; i++) out[outOffset + i] = w[from + i];
}

/** Plan and plan-space sosfilt_zi for repeated segment filtering. */
export function prepareFiltfilt(sos: Float64Array): { plan: SosPlan; ziPlan: Float64Array; padlen: number } {
  const padlen = sosPadlen(sos);
  const plan = makePlan(sos);
  const ziPlan = plan.nSections > 0 ? convertState(plan, sosfiltZi(sos), true) : new Float64Array(0);
  return { plan, ziPlan, padlen };
}

function checkLength(n: number, padlen: number): void {
  if (n <= padlen) {
    bad(`the signal has ${n} samples, but zero-phase filtering needs more than the pad length ${padlen}`,
      'filter a longer stretch of data or use a lower filter order');
  }
}

function filtfiltInto<T extends Samples>(sos: Float64Array, x: Samples, out: T): T {
  const { plan, ziPlan, padlen } = prepareFiltfilt(sos);
  if (plan.nSections === 0) { out.set(x); return out; }
  checkLength(x.length, padlen);
  filtfiltSegment(plan, ziPlan, x, padlen, padlen, 0, x.length, out, 0);
  return out;
}

/** scipy.signal.sosfiltfilt(sos, x) with the default odd padding; float64 result. */
export function sosfiltfilt(sos: Float64Array, x: Samples): Float64Array {
  return filtfiltInto(sos, x, new Float64Array(x.length));
}

/**
 * The hot-path variant: Float32 samples in (uV), float64 arithmetic, Float32 out. `out` (same length)
 * avoids an allocation and may be x itself for in-place filtering.
 */
export function sosfiltfiltF32(sos: Float64Array, x: Float32Array, out?: Float32Array): Float32Array {
  if (out && out.length !== x.length) bad(`output has ${out.length} samples for ${x.length} input samples`, 'pass an output of the same length');
  return filtfiltInto(sos, x, out ?? new Float32Array(x.length));
}
