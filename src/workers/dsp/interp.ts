// Local interpolation for spike alignment: a natural cubic spline through the samples around a peak
// (wave_clus aligns spikes on a spline-upsampled waveform) and a cubic-convolution resampler
// (Keys 1981, a = -0.5) for extracting waveforms at fractional times. Both use only a few neighbouring
// samples, so results on a block with a margin equal results on the whole channel.

/** Second derivatives m of the natural cubic spline through ys[0..n) at x = 0..n-1 (c is scratch). */
function splineSecondDerivatives(ys: Float64Array, n: number, m: Float64Array, c: Float64Array): void {
  // Tridiagonal system 4 m_i + m_{i-1} + m_{i+1} = 6 (y_{i+1} - 2 y_i + y_{i-1}), m_0 = m_{n-1} = 0 (Thomas algorithm).
  m[0] = 0; m[n - 1] = 0;
  c[0] = 0;
  for (let i = 1; i < n - 1; i++) {
    const d = 6 * (ys[i + 1] - 2 * ys[i] + ys[i - 1]);
    const denom = 4 - c[i - 1];
    c[i] = 1 / denom;
    m[i] = (d - m[i - 1]) / denom;
  }
  for (let i = n - 3; i >= 1; i--) m[i] -= c[i] * m[i + 1];
}

function splineAt(ys: Float64Array, m: Float64Array, t: number, n: number): number {
  const k = Math.min(n - 2, Math.max(0, Math.floor(t)));
  const a = t - k, b = 1 - a;
  return b * ys[k] + a * ys[k + 1] + ((b * b * b - b) * m[k] + (a * a * a - a) * m[k + 1]) / 6;
}

export interface RefinedPeak {
  /** Fractional position of the extremum (absolute sample time). */
  time: number;
  /** Interpolated signed value at the extremum. */
  value: number;
}

/**
 * Sub-sample extremum near integer peak `peak` of the signal (x holds absolute samples [offset, offset + x.length)),
 * searched on a grid of 1/factor samples within +-1 sample, using a natural spline through peak +- half samples
 * clipped to [0, nTotal). `sign` is -1 for a negative peak, +1 for a positive one.
 */
export function refinePeak(x: Float32Array, offset: number, nTotal: number, peak: number, sign: number, factor: number, half = 4): RefinedPeak {
  const lo = Math.max(0, peak - half), hi = Math.min(nTotal - 1, peak + half);
  const n = hi - lo + 1;
  if (factor <= 1 || n < 3) return { time: peak, value: x[peak - offset] };
  const ys = new Float64Array(n), m = new Float64Array(n), c = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = x[lo + i - offset];
  splineSecondDerivatives(ys, n, m, c);
  let best = peak, bestV = x[peak - offset];
  for (let j = -factor + 1; j < factor; j++) {
    const t = peak - lo + j / factor;
    if (t < 0 || t > n - 1) continue;
    const v = splineAt(ys, m, t, n);
    if (sign * v > sign * bestV) { bestV = v; best = peak + j / factor; }
  }
  return { time: best, value: bestV };
}

/** Keys cubic-convolution weight for distance d (a = -0.5: exact for quadratics, C1 continuous). */
function keys(d: number): number {
  const a = Math.abs(d);
  if (a < 1) return (1.5 * a - 2.5) * a * a + 1;
  if (a < 2) return ((-0.5 * a + 2.5) * a - 4) * a + 2;
  return 0;
}

/** Value of the signal at fractional absolute time t (samples outside [0, nTotal) are clamped to the edge). */
export function cubicAt(x: Float32Array, offset: number, nTotal: number, t: number): number {
  const i0 = Math.floor(t);
  const f = t - i0;
  if (f === 0) return x[Math.min(nTotal - 1, Math.max(0, i0)) - offset];
  let s = 0;
  for (let k = -1; k <= 2; k++) {
    const i = Math.min(nTotal - 1, Math.max(0, i0 + k));
    s += keys(f - k) * x[i - offset];
  }
  return s;
}
