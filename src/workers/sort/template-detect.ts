// A second detection pass with the units' own templates (issue 13): the amplitude threshold sees
// one sample of a spike, so at high noise a unit's spikes whose trough the noise lifted above the
// threshold are never detected (18 % of true spikes on the tuning seeds' difficult 0.20 sets). After
// clustering, every unit's whitened matched filter (peel.ts's model: median template m_c, filter
// W'W m_c) runs over the residual of the filtered signal (the assigned and peeled spikes subtracted)
// and a spike is added where
//  - the matched-filter output g in noise SDs, z = g / |W m_c|, exceeds the threshold whose
//    false-alarm rate on whitened Gaussian noise is the named rate per second and unit
//    (ClusterParams.templateDetectRate; a stated rate, not a fitted constant), and
//  - the template explains the window better than noise does (2 g - |W m_c|^2 > 0: likelihood
//    ratio > 1 at equal priors, the rule the background rejection uses),
// as the best unit of the best lag within +-searchLag, not closer than minLag to a detection nor
// within a unit's refractory period of that unit's spikes. Background made of other neurons' spikes
// is not Gaussian, so the real false-alarm rate is higher; the accepted spikes are reported as
// peeled spikes (a unit's added spikes can be told from its detections).

import { subtractAt, unitFilters, type PeelInput, type Peeled, type SignalReader } from './peel';

export interface TemplateDetectOptions {
  /** False alarms per second and unit on whitened Gaussian noise (ClusterParams.templateDetectRate). */
  rate: number;
  sampleRate: number;
  /** Candidates are local maxima over +-searchLag samples. */
  searchLag: number;
  /** Candidates closer than this (samples) to a detection or peeled spike are that spike. */
  minLag: number;
  /** A unit's spikes closer than this (samples) are not both its own. */
  refractory: number;
  amplitudeQuantile: number;
  medianRows: number;
  /** Samples per block of the search (memory only; results do not depend on it beyond float order). */
  block?: number;
}

/** Upper-tail normal quantile: z with Q(z) = p (bisection on erfc; p in (0, 0.5)). */
export function normalUpperQuantile(p: number): number {
  let lo = 0, hi = 40;
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (lo + hi);
    if (0.5 * erfc(m / Math.SQRT2) > p) lo = m; else hi = m;
  }
  return 0.5 * (lo + hi);
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * Spikes the threshold detector missed, found with the units' templates. known: the peeled spikes
 * (subtracted and avoided like detections). Returns the new spikes by time.
 */
export function templateDetect(read: SignalReader, nSamples: number, d: PeelInput, known: Peeled, o: TemplateDetectOptions): Peeled {
  const { width: w, pre, labels } = d;
  const empty: Peeled = { samples: new Int32Array(0), labels: new Int32Array(0), amplitudes: new Float32Array(0), waveforms: new Float32Array(0) };
  if (!labels.length || !d.k || !(o.rate > 0)) return empty;
  const { tpl, filt, energy, aHi, aLo, live } = unitFilters(d, o.medianRows, o.amplitudeQuantile);
  if (!live.length) return empty;
  const z0 = normalUpperQuantile(Math.min(0.4, o.rate / o.sampleRate));
  // Every known spike by time: (time, unit, sub-sample time); unit -1 = a detection left unassigned.
  const spikes: Array<[number, number, number]> = [];
  for (let i = 0; i < labels.length; i++) spikes.push([d.samples[i], labels[i], d.subSamples[i]]);
  for (let i = 0; i < known.samples.length; i++) spikes.push([known.samples[i], known.labels[i], known.samples[i]]);
  spikes.sort((a, b) => a[0] - b[0]);
  const times = Int32Array.from(spikes, (s) => s[0]);
  const lower = (t: number): number => { let l = 0, h = times.length; while (l < h) { const m = (l + h) >> 1; if (times[m] < t) l = m + 1; else h = m; } return l; };
  const out = { samples: [] as number[], labels: [] as number[], amplitudes: [] as number[], waveforms: [] as Float32Array[] };
  const B = o.block ?? 1 << 16, L = o.searchLag;
  let lastAccepted = -Infinity;
  for (let b0 = pre; b0 < nSamples - (w - pre); b0 += B) {
    const b1 = Math.min(b0 + B, nSamples - (w - pre));
    const off = Math.max(0, b0 - pre - 2 * w - 4), end = Math.min(nSamples, b1 + 2 * w + 4);
    const raw = read(off, end);
    const res = Float64Array.from(raw);
    // Subtract the assigned and peeled spikes reaching the buffer (least-squares amplitude, capped).
    for (let q = lower(off - w - 2); q < times.length && times[q] <= end + w + 2; q++) {
      const [t, c, st] = spikes[q];
      if (c < 0 || !(energy[c] > 0) || t - pre - 1 < off || t - pre + w + 1 > end) continue;
      let g = 0;
      for (let j = 0; j < w; j++) g += res[t - pre - off + j] * filt[c * w + j];
      const amp = Math.max(0, Math.min(aHi[c], g / energy[c]));
      if (amp > 0) subtractAt(res, off, tpl[c], pre, st, amp);
    }
    // Best admissible unit and score per lag.
    const n = b1 - b0 + 2 * L;
    const score = new Float64Array(n).fill(-Infinity), unit = new Int32Array(n).fill(-1);
    scoreLags(res, off, b0 - L, n, w, pre, nSamples, filt, energy, live, z0, score, unit);
    for (let t = b0; t < b1; t++) {
      const i = t - (b0 - L), s = score[i];
      if (!(s > 0)) continue;
      let peak = true;
      for (let q = Math.max(0, i - L); q <= Math.min(n - 1, i + L) && peak; q++) if (score[q] > s || (score[q] === s && q < i)) peak = false;
      if (!peak || t - lastAccepted < L) continue;
      const c = unit[i];
      // The least-squares amplitude must be one the unit's detections show (their lower quantile):
      // a background spike that merely resembles the template fits it at a fraction of its size.
      if (!(s / 2 + energy[c] / 2 >= aLo[c] * energy[c])) continue;
      let clash = false;
      for (let q = lower(t - Math.max(o.minLag, o.refractory)); q < times.length && times[q] < t + Math.max(o.minLag, o.refractory) && !clash; q++) {
        const dt = Math.abs(times[q] - t);
        if (dt < o.minLag || (spikes[q][1] === c && dt < o.refractory)) clash = true;
      }
      for (let q = out.samples.length - 1; q >= 0 && t - out.samples[q] < o.refractory && !clash; q--) if (out.labels[q] === c) clash = true;
      if (clash) continue;
      lastAccepted = t;
      out.samples.push(t); out.labels.push(c); out.amplitudes.push(res[t - off]);
      out.waveforms.push(Float32Array.from(raw.subarray(t - pre - off, t - pre - off + w)));
    }
  }
  const wf = new Float32Array(out.samples.length * w);
  out.waveforms.forEach((x, r) => wf.set(x, r * w));
  return { samples: Int32Array.from(out.samples), labels: Int32Array.from(out.labels), amplitudes: Float32Array.from(out.amplitudes), waveforms: wf };
}

/**
 * score[i] = max over units of 2 g - E at lag t0 + i among units whose z = g / sqrt(E) passes z0
 * (-Infinity if none), unit[i] its unit. A function of its own so V8 optimizes the hot loop whole.
 */
function scoreLags(
  res: Float64Array, off: number, t0: number, n: number, w: number, pre: number, nSamples: number,
  filt: Float64Array, energy: Float64Array, live: number[], z0: number, score: Float64Array, unit: Int32Array,
): void {
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const ro = t - pre - off;
    if (t < pre || t + w - pre > nSamples || ro < 0 || ro + w > res.length) continue;
    for (const c of live) {
      const fo = c * w;
      let g = 0;
      for (let j = 0; j < w; j++) g += res[ro + j] * filt[fo + j];
      const e = energy[c];
      if (g <= z0 * Math.sqrt(e)) continue;
      const s = 2 * g - e;
      if (s > score[i]) { score[i] = s; unit[i] = c; }
    }
  }
}
