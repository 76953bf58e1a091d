// The time model behind calibrated estimates: run time = overhead + rounds x cost(samples), where
// rounds = channels one worker processes one after another and cost(n) = b x n^p for a channel of
// n samples. p is fitted, not assumed 1: a sort's clustering fits at most maxFitSpikes spikes, so
// its cost grows slower than the recording (spike demo, loaded machine: slices of 2, 8 and 32 s of
// 2 channels took 2.7, 4.6 and 8.6 s, the full 180 s x 2 rounds 19.9 s, a third of the linear
// extrapolation); a correction is close to linear. Fitted to measured points: a probe's slices of
// the user's own recording, then every finished run of the same workflow shape.

export interface TimePoint {
  /** Samples per channel. */
  samples: number;
  /** Channels per worker, one after another: ceil(channels / parallel workers). */
  rounds: number;
  seconds: number;
  /** 'probe' for a slice run, 'run' for a finished real run (kept longer: it is the real thing). */
  from: 'probe' | 'run';
}

export interface TimeFit {
  overheadS: number;
  /** Seconds per round for a channel of n samples: perRound x n^power. */
  perRound: number;
  power: number;
}

/** Points kept per shape: the probe's (2-5) and the latest runs. */
export const MAX_POINTS = 8;
/**
 * The range of powers tried; outside it a fit follows noise, not the workflow. None is above 1: no
 * workflow's cost grows faster than the recording over the 3x a probe extrapolates (a sort's
 * clustering saturates at maxFitSpikes; a spectrogram's FFT adds a log factor of a few percent).
 * Slices approaching the sort's saturation look superlinear: on the spike demo slices of 32 and
 * 60 s took 0.79-1.21 and 1.82-2.56 s, and powers up to 1.2 fitted 1.2 every time and estimated
 * 1.4-1.8x the run (5 probes, this machine); capped at 1, 0.74-0.96 of it.
 */
const POWERS = Array.from({ length: 15 }, (_, i) => 0.3 + i * 0.05); // 0.3 .. 1.0

/** Weighted least squares of seconds = a + b x, with a >= 0 and b >= 0 (weights: relative error). */
function fitLine(x: number[], y: number[]): { a: number; b: number; sse: number } {
  const w = y.map((v) => 1 / Math.max(1e-3, v) ** 2);
  const sw = w.reduce((s, v) => s + v, 0);
  const mx = x.reduce((s, v, i) => s + w[i] * v, 0) / sw;
  const my = y.reduce((s, v, i) => s + w[i] * v, 0) / sw;
  const sxx = x.reduce((s, v, i) => s + w[i] * (v - mx) ** 2, 0);
  const sxy = x.reduce((s, v, i) => s + w[i] * (v - mx) * (y[i] - my), 0);
  let a: number, b: number;
  if (sxx > 0 && sxy / sxx >= 0 && my - (sxy / sxx) * mx >= 0) {
    b = sxy / sxx; a = my - b * mx;
  } else if (sxx > 0 && sxy < 0) {
    a = my; b = 0; // noise tilted the line downwards: no cost per sample can be read
  } else {
    a = 0; b = x.reduce((s, v, i) => s + w[i] * v * y[i], 0) / x.reduce((s, v, i) => s + w[i] * v * v, 0); // through the origin
  }
  const sse = x.reduce((s, v, i) => s + w[i] * (a + b * v - y[i]) ** 2, 0);
  return { a, b, sse };
}

/**
 * The best power over POWERS (with the overhead and per-round cost for it). With fewer than three
 * channel lengths the power cannot be told from the overhead: p = 1. With one length only, the
 * line goes through the origin (a pure per-sample cost).
 */
export function fitTime(points: TimePoint[]): TimeFit | null {
  const p = points.filter((q) => q.samples > 0 && q.rounds > 0 && Number.isFinite(q.seconds) && q.seconds >= 0);
  if (p.length === 0) return null;
  const lengths = new Set(p.map((q) => q.samples)).size;
  const y = p.map((q) => q.seconds);
  let best: (TimeFit & { sse: number }) | null = null;
  for (const power of lengths >= 3 ? POWERS : [1]) {
    const { a, b, sse } = fitLine(p.map((q) => q.rounds * q.samples ** power), y);
    // A small preference for p = 1 settles near-ties (noise) on the simplest model.
    const score = sse * (1 + 0.2 * Math.abs(power - 1));
    if (!best || score < best.sse) best = { overheadS: a, perRound: b, power, sse: score };
  }
  return { overheadS: best!.overheadS, perRound: best!.perRound, power: best!.power };
}

export function predict(fit: TimeFit, samples: number, rounds: number): number {
  return fit.overheadS + rounds * fit.perRound * samples ** fit.power;
}

/** Add a point; beyond MAX_POINTS the oldest probe point goes first, then the oldest run. */
export function addPoint(points: TimePoint[], p: TimePoint): TimePoint[] {
  const out = [...points, p];
  while (out.length > MAX_POINTS) {
    const i = out.findIndex((q) => q.from === 'probe');
    out.splice(i >= 0 ? i : 0, 1);
  }
  return out;
}
