// Inner loops of the SOS cascade (direct form II transposed, float64 state), shared by sosfilt,
// sosfiltfilt and the blocked filter in sos.ts / blocked.ts.
// Why this shape: a biquad is latency-bound, so up to four sections are fused in one loop with all
// coefficients and states in locals (the CPU overlaps the sections' recurrences), and every section is
// normalised to b0 = 1 with the product of the b0s applied once at the end (one multiply fewer per
// section; exact in real arithmetic). Cascades longer than four sections are processed chunk by chunk
// so the chunk stays in L1 while it passes through each group. A loop `step` of -1 runs backwards
// in place, which saves the reversal copies that scipy makes.
// The work buffer is a packed-double JS array, not a Float64Array: once any ArrayBuffer in the process
// has been detached (every postMessage transfer does that, and so does tsx's module loader), V8 adds
// detach checks to typed-array loops and this kernel drops from ~210 to ~140 Msamples/s per pass;
// plain double arrays are not affected.

/** A cascade prepared for the kernels. */
export interface SosPlan {
  nSections: number;
  /** True when every b0 != 0, so the sections are normalised to b0 = 1. */
  normalized: boolean;
  /** normalized: [b1, b2, a1, a2] per section; otherwise [b0, b1, b2, a1, a2, 0]. */
  coef: Float64Array;
  /** Product of all b0 (1 for the generic path): true output = gain * plan output. */
  gain: number;
  /** Running products of b0 up to and including each section: true state = cum[k] * plan state. */
  cum: Float64Array;
}

export function makePlan(sos: Float64Array): SosPlan {
  const n = sos.length / 6;
  let normalized = true;
  for (let s = 0; s < n; s++) if (sos[6 * s] === 0 || !Number.isFinite(1 / sos[6 * s])) normalized = false;
  const cum = new Float64Array(n);
  if (!normalized) {
    const coef = new Float64Array(6 * n);
    for (let s = 0; s < n; s++) {
      coef.set([sos[6 * s], sos[6 * s + 1], sos[6 * s + 2], sos[6 * s + 4], sos[6 * s + 5], 0], 6 * s);
      cum[s] = 1;
    }
    return { nSections: n, normalized, coef, gain: 1, cum };
  }
  const coef = new Float64Array(4 * n);
  let g = 1;
  for (let s = 0; s < n; s++) {
    const b0 = sos[6 * s];
    coef[4 * s] = sos[6 * s + 1] / b0;
    coef[4 * s + 1] = sos[6 * s + 2] / b0;
    coef[4 * s + 2] = sos[6 * s + 4];
    coef[4 * s + 3] = sos[6 * s + 5];
    g *= b0;
    cum[s] = g;
  }
  return { nSections: n, normalized, coef, gain: g, cum };
}

type Kernel = (buf: number[], first: number, count: number, step: number, c: Float64Array, co: number, z: Float64Array, zo: number, gOut: number) => void;

const k1: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], b2 = c[co + 1], a1 = c[co + 2], a2 = c[co + 3];
  let z1 = z[zo], z2 = z[zo + 1];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = b2 * x - a2 * u;
    buf[i] = u * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2;
};

const k2: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], b2 = c[co + 1], a1 = c[co + 2], a2 = c[co + 3];
  const c1 = c[co + 4], c2 = c[co + 5], d1 = c[co + 6], d2 = c[co + 7];
  let z1 = z[zo], z2 = z[zo + 1], w1 = z[zo + 2], w2 = z[zo + 3];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = b2 * x - a2 * u;
    const v = u + w1; w1 = c1 * u - d1 * v + w2; w2 = c2 * u - d2 * v;
    buf[i] = v * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2; z[zo + 2] = w1; z[zo + 3] = w2;
};

const k3: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], b2 = c[co + 1], a1 = c[co + 2], a2 = c[co + 3];
  const c1 = c[co + 4], c2 = c[co + 5], d1 = c[co + 6], d2 = c[co + 7];
  const e1 = c[co + 8], e2 = c[co + 9], f1 = c[co + 10], f2 = c[co + 11];
  let z1 = z[zo], z2 = z[zo + 1], w1 = z[zo + 2], w2 = z[zo + 3], r1 = z[zo + 4], r2 = z[zo + 5];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = b2 * x - a2 * u;
    const v = u + w1; w1 = c1 * u - d1 * v + w2; w2 = c2 * u - d2 * v;
    const p = v + r1; r1 = e1 * v - f1 * p + r2; r2 = e2 * v - f2 * p;
    buf[i] = p * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2; z[zo + 2] = w1; z[zo + 3] = w2; z[zo + 4] = r1; z[zo + 5] = r2;
};

const k4: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], b2 = c[co + 1], a1 = c[co + 2], a2 = c[co + 3];
  const c1 = c[co + 4], c2 = c[co + 5], d1 = c[co + 6], d2 = c[co + 7];
  const e1 = c[co + 8], e2 = c[co + 9], f1 = c[co + 10], f2 = c[co + 11];
  const g1 = c[co + 12], g2 = c[co + 13], h1 = c[co + 14], h2 = c[co + 15];
  let z1 = z[zo], z2 = z[zo + 1], w1 = z[zo + 2], w2 = z[zo + 3];
  let r1 = z[zo + 4], r2 = z[zo + 5], t1 = z[zo + 6], t2 = z[zo + 7];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = b2 * x - a2 * u;
    const v = u + w1; w1 = c1 * u - d1 * v + w2; w2 = c2 * u - d2 * v;
    const p = v + r1; r1 = e1 * v - f1 * p + r2; r2 = e2 * v - f2 * p;
    const q = p + t1; t1 = g1 * p - h1 * q + t2; t2 = g2 * p - h2 * q;
    buf[i] = q * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2; z[zo + 2] = w1; z[zo + 3] = w2;
  z[zo + 4] = r1; z[zo + 5] = r2; z[zo + 6] = t1; z[zo + 7] = t2;
};

// Symmetric numerators (b2 = b0, i.e. zeros on the unit circle: every Butterworth high-/low-pass,
// band-stop and notch section) save one multiply per section: z2 = x - a2 * y.
const k1s: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], a1 = c[co + 2], a2 = c[co + 3];
  let z1 = z[zo], z2 = z[zo + 1];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = x - a2 * u;
    buf[i] = u * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2;
};

const k2s: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], a1 = c[co + 2], a2 = c[co + 3];
  const c1 = c[co + 4], d1 = c[co + 6], d2 = c[co + 7];
  let z1 = z[zo], z2 = z[zo + 1], w1 = z[zo + 2], w2 = z[zo + 3];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = x - a2 * u;
    const v = u + w1; w1 = c1 * u - d1 * v + w2; w2 = u - d2 * v;
    buf[i] = v * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2; z[zo + 2] = w1; z[zo + 3] = w2;
};

const k3s: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], a1 = c[co + 2], a2 = c[co + 3];
  const c1 = c[co + 4], d1 = c[co + 6], d2 = c[co + 7];
  const e1 = c[co + 8], f1 = c[co + 10], f2 = c[co + 11];
  let z1 = z[zo], z2 = z[zo + 1], w1 = z[zo + 2], w2 = z[zo + 3], r1 = z[zo + 4], r2 = z[zo + 5];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = x - a2 * u;
    const v = u + w1; w1 = c1 * u - d1 * v + w2; w2 = u - d2 * v;
    const p = v + r1; r1 = e1 * v - f1 * p + r2; r2 = v - f2 * p;
    buf[i] = p * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2; z[zo + 2] = w1; z[zo + 3] = w2; z[zo + 4] = r1; z[zo + 5] = r2;
};

const k4s: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b1 = c[co], a1 = c[co + 2], a2 = c[co + 3];
  const c1 = c[co + 4], d1 = c[co + 6], d2 = c[co + 7];
  const e1 = c[co + 8], f1 = c[co + 10], f2 = c[co + 11];
  const g1 = c[co + 12], h1 = c[co + 14], h2 = c[co + 15];
  let z1 = z[zo], z2 = z[zo + 1], w1 = z[zo + 2], w2 = z[zo + 3];
  let r1 = z[zo + 4], r2 = z[zo + 5], t1 = z[zo + 6], t2 = z[zo + 7];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const u = x + z1; z1 = b1 * x - a1 * u + z2; z2 = x - a2 * u;
    const v = u + w1; w1 = c1 * u - d1 * v + w2; w2 = u - d2 * v;
    const p = v + r1; r1 = e1 * v - f1 * p + r2; r2 = v - f2 * p;
    const q = p + t1; t1 = g1 * p - h1 * q + t2; t2 = p - h2 * q;
    buf[i] = q * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2; z[zo + 2] = w1; z[zo + 3] = w2;
  z[zo + 4] = r1; z[zo + 5] = r2; z[zo + 6] = t1; z[zo + 7] = t2;
};

/** Unnormalised single section (some b0 == 0): the textbook DF2T step. */
const kGeneric: Kernel = (buf, first, count, step, c, co, z, zo, gOut) => {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let z1 = z[zo], z2 = z[zo + 1];
  for (let k = 0, i = first; k < count; k++, i += step) {
    const x = buf[i];
    const y = b0 * x + z1; z1 = b1 * x - a1 * y + z2; z2 = b2 * x - a2 * y;
    buf[i] = y * gOut;
  }
  z[zo] = z1; z[zo + 1] = z2;
};

const FUSED: Kernel[] = [k1, k1, k2, k3, k4];
const FUSED_SYM: Kernel[] = [k1s, k1s, k2s, k3s, k4s];
const CHUNK = 4096;

function groupKernel(plan: SosPlan, s: number, g: number): Kernel {
  for (let k = s; k < s + g; k++) if (plan.coef[4 * k + 1] !== 1) return FUSED[g];
  return FUSED_SYM[g];
}

/**
 * Run the cascade in place over `count` samples of buf starting at `first` and moving by `step` (+1 or -1),
 * writing gOut times the plan output (the state is not scaled). z holds the plan-space state (2 per
 * section) and is updated.
 */
export function runCascade(plan: SosPlan, buf: number[], first: number, count: number, step: 1 | -1, z: Float64Array, gOut = 1): void {
  const n = plan.nSections;
  if (n === 0 || count <= 0) return;
  if (plan.normalized && n <= 4) {
    groupKernel(plan, 0, n)(buf, first, count, step, plan.coef, 0, z, 0, gOut);
    return;
  }
  const kernels = plan.normalized ? Array.from({ length: Math.ceil(n / 4) }, (_, q) => groupKernel(plan, 4 * q, Math.min(4, n - 4 * q))) : [];
  for (let done = 0; done < count; done += CHUNK) {
    const len = Math.min(CHUNK, count - done);
    const start = first + step * done;
    if (plan.normalized) {
      for (let q = 0; q < kernels.length; q++) {
        kernels[q](buf, start, len, step, plan.coef, 16 * q, z, 8 * q, q === kernels.length - 1 ? gOut : 1);
      }
    } else {
      for (let s = 0; s < n; s++) kGeneric(buf, start, len, step, plan.coef, 6 * s, z, 2 * s, s === n - 1 ? gOut : 1);
    }
  }
}

const WORK_MAX = 1 << 24; // samples; longer requests get a fresh array
let work: number[] = [];

/**
 * A packed-double work array of at least `len` elements, shared within the process (workers are
 * single-threaded and all users are synchronous). Contents are unspecified.
 */
export function workArray(len: number): number[] {
  if (len > WORK_MAX) return freshWork(len);
  if (work.length < len) {
    const grow = Math.min(WORK_MAX, Math.max(len, 2 * work.length));
    // push() of doubles keeps the elements kind PACKED_DOUBLE (never holey, never boxed).
    for (let i = work.length; i < grow; i++) work.push(0.5);
  }
  return work;
}

function freshWork(len: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < len; i++) a.push(0.5);
  return a;
}

/** Drop the shared work array (e.g. when a worker goes idle). */
export function releaseWork(): void {
  work = [];
}
