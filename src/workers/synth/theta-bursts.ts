// Theta bursts for the EEG demo: Hann-windowed 6 Hz oscillations, about 1.5 s long, in one channel
// group (the first `groupSize` channels, a frontal-midline-like region of interest), so the
// time-frequency view has real structure to show. Kept apart from the EEG-fMRI generator (owned by the
// correction workflow): it is added to a generated recording's clean EEG, so the corrected and clean
// data both contain it. Every value is a pure function of (seed, channel, sample), so blocks re-read identically.

import { Rng } from '../rng';

export interface ThetaBurstOptions {
  seed: number;
  fs: number;
  nSamples: number;
  /** Channels 0..groupSize-1 carry the bursts (per-channel gain 0.6..1). */
  groupSize?: number;
  freqHz?: number;
  peakUv?: number;
  durationS?: number;
  /** Mean gap between bursts (uniform 0.6x..1.4x); the first burst starts at firstS. */
  meanGapS?: number;
  firstS?: number;
}

export interface ThetaBursts {
  /** Burst onsets (s) and the channels that carry them. */
  onsetsS: number[];
  durationS: number;
  freqHz: number;
  channels: number[];
  /** Adds the bursts of channel c to out (samples [start, start + out.length)). */
  addTo(c: number, start: number, out: Float32Array): void;
}

export const THETA_DEMO = { groupSize: 8, freqHz: 6, peakUv: 30, durationS: 1.5, meanGapS: 7, firstS: 2 };

export function thetaBursts(o: ThetaBurstOptions): ThetaBursts {
  const groupSize = o.groupSize ?? THETA_DEMO.groupSize;
  const f = o.freqHz ?? THETA_DEMO.freqHz;
  const peak = o.peakUv ?? THETA_DEMO.peakUv;
  const dur = o.durationS ?? THETA_DEMO.durationS;
  const gap = o.meanGapS ?? THETA_DEMO.meanGapS;
  const rng = new Rng(o.seed * 7919 + 16);
  const total = o.nSamples / o.fs;
  const onsetsS: number[] = [];
  for (let t = o.firstS ?? THETA_DEMO.firstS; t + dur < total; t += dur + gap * (0.6 + 0.8 * rng.uniform())) onsetsS.push(t);
  const gain = Array.from({ length: groupSize }, () => 0.6 + 0.4 * rng.uniform());
  const phase = onsetsS.map(() => 2 * Math.PI * rng.uniform());
  const len = Math.round(dur * o.fs);
  return {
    onsetsS, durationS: dur, freqHz: f, channels: gain.map((_, i) => i),
    addTo(c, start, out) {
      if (c >= groupSize) return;
      const end = start + out.length;
      onsetsS.forEach((t0, k) => {
        const s0 = Math.round(t0 * o.fs);
        const a = Math.max(start, s0), b = Math.min(end, s0 + len);
        for (let i = a; i < b; i++) {
          const u = (i - s0) / len;
          const env = 0.5 - 0.5 * Math.cos(2 * Math.PI * u);
          out[i - start] += peak * gain[c] * env * Math.sin((2 * Math.PI * f * (i - s0)) / o.fs + phase[k]);
        }
      });
    },
  };
}
