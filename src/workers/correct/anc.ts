// Adaptive noise cancellation (FASTR's last, optional step): a normalised LMS filter predicts what is
// left of the artifact in the corrected signal from the artifact estimate (the subtracted templates)
// and removes it. The filter state carries over from one call to the next, so feeding consecutive
// stretches (low-memory sections) gives the same output as one call on the whole stretch.

export interface AncState {
  taps: number;
  mu: number;
  w: Float64Array;
  /** Last `taps` reference samples, newest first. */
  hist: Float64Array;
  power: number;
  /** Largest tap-line energy seen so far: regularises the step where the reference is ~0 (volume gaps). */
  peak: number;
}

export function ancState(taps: number, mu: number): AncState {
  return { taps, mu, w: new Float64Array(taps), hist: new Float64Array(taps), power: 0, peak: 0 };
}

/** In place: y[i] -= w . ref[i - taps + 1 .. i], adapting w sample by sample (NLMS). */
export function ancRun(s: AncState, ref: ArrayLike<number>, y: Float64Array): void {
  const { taps, w, hist } = s;
  // Reference scale invariance: the step is normalised by the energy in the tap line.
  for (let i = 0; i < y.length; i++) {
    const old = hist[taps - 1];
    for (let j = taps - 1; j > 0; j--) hist[j] = hist[j - 1];
    hist[0] = ref[i];
    s.power += ref[i] * ref[i] - old * old;
    if (s.power < 0) s.power = 0;
    if (s.power > s.peak) s.peak = s.power;
    let est = 0;
    for (let j = 0; j < taps; j++) est += w[j] * hist[j];
    const e = y[i] - est;
    // Plain NLMS divides by the tap energy, which explodes the weights when the reference is nearly
    // silent; a floor at 1e-2 of the peak energy keeps the step bounded (and deterministic per sample).
    const g = s.mu / (1e-12 + s.power + 1e-2 * s.peak);
    for (let j = 0; j < taps; j++) w[j] += g * e * hist[j];
    y[i] = e;
  }
}
