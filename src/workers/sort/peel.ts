// Peeling (issue 13): spikes hidden under a larger spike are recovered by subtracting the assigned
// templates from the filtered signal and detecting again in the residual, as Kilosort and SpyKING
// CIRCUS do. The detector cannot see them: a spike within its dead time of a bigger one is no
// separate extremum, so at ~20 Hz per unit a few percent of every unit's spikes are never detected.
//
// Around every assigned detection (the only places a hidden spike can be), every unit's template
// is slid over the residual at integer lags up to searchLag. Placing template c at t lowers the
// squared noise-whitened residual by 2 <r, W'W m_c> - |W m_c|^2 (r: residual window at t); a spike
// is added when the best such decrease beats the penalty for having chosen it among all (unit, lag)
// alternatives of the region, 2 ln M (the -2 log of a uniform prior over them, as overlaps.ts prices
// its extra hypotheses), so whitened noise alone seldom produces one. Lags closer than minLag to
// any detection are the same event, and a unit's own spikes closer than its refractory period are
// not two spikes of it. Accepted spikes are subtracted and the search repeats (maxPerRegion times).


export type SignalReader = (start: number, end: number) => Float32Array;

export interface PeelOptions {
  /** Largest |lag| (samples) from an assigned detection at which a hidden spike is searched. */
  searchLag: number;
  /** Candidates closer than this (samples) to any detection are that detection, not a new spike. */
  minLag: number;
  /** A unit's spikes closer than this (samples) are not both its own (refractory period). */
  refractory: number;
  /** Hidden spikes added per region of overlapping search windows at most. */
  maxPerRegion: number;
  /**
   * A detection is subtracted with its least-squares amplitude capped at this upper quantile of
   * the amplitudes of its unit's detections (0 = no cap): an overlapping spike inflates the fit,
   * and subtracting more than the unit ever shows would carve a hole where the hidden spike is.
   */
  amplitudeQuantile: number;
  /** Rows per unit the median template is taken over at most, every m-th row beyond (ClusterParams.peelMedianRows). */
  medianRows: number;
  /**
   * Rate of false hidden spikes per region on this channel's own spike-free signal
   * (ClusterParams.peelFalseAlarm): the penalty is raised to the gain that spike-free stretches
   * exceed that often. 0 = the white-noise penalty alone.
   */
  falseAlarm?: number;
}

export interface PeelInput {
  samples: Int32Array;
  /** Sub-sample trough times (the waveforms are aligned on them); samples when not upsampled. */
  subSamples: Float64Array;
  waveforms: Float32Array;
  width: number;
  pre: number;
  labels: Int32Array;
  k: number;
  /** w x w noise whitener (symmetric); empty = identity. */
  whitener: Float64Array;
}

export interface Peeled {
  samples: Int32Array;
  labels: Int32Array;
  /** Trough value of the hidden spike: the signal minus the other spikes' templates, at its time. */
  amplitudes: Float32Array;
  /** n x width filtered waveforms at the new times (as recorded: the overlapping spike included). */
  waveforms: Float32Array;
}

/**
 * Median waveform per unit (k x w) over its labelled rows (at most maxRows of them): robust to the minority of events that
 * carry an overlapping spike, which a mean would smear into the template (and subtract later).
 */
function unitMedians(x: Float32Array, w: number, labels: Int32Array, k: number, maxRows: number): { m: Float64Array; count: Float64Array } {
  const m = new Float64Array(k * w), count = new Float64Array(k);
  const rows: number[][] = Array.from({ length: k }, () => []);
  for (let r = 0; r < labels.length; r++) if (labels[r] >= 0) { count[labels[r]]++; rows[labels[r]].push(r); }
  for (let c = 0; c < k; c++) {
    const step = Math.max(1, Math.ceil(rows[c].length / maxRows));
    const use = rows[c].filter((_, i) => i % step === 0);
    if (!use.length) continue;
    const col = new Float64Array(use.length);
    for (let j = 0; j < w; j++) {
      use.forEach((r, i) => { col[i] = x[r * w + j]; });
      col.sort();
      const h = use.length >> 1;
      m[c * w + j] = use.length % 2 ? col[h] : 0.5 * (col[h - 1] + col[h]);
    }
  }
  return { m, count };
}

/** Keys (1981) cubic convolution kernel, a = -0.5 (as dsp/interp.ts resamples waveforms). */
function keys(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return 1.5 * t * t * t - 2.5 * t * t + 1;
  if (t < 2) return -0.5 * t * t * t + 2.5 * t * t - 4 * t + 2;
  return 0;
}

/** Template value at fractional index u (zero outside its window). */
function templateAt(tpl: Float64Array, u: number): number {
  const i0 = Math.floor(u), f = u - i0;
  if (f === 0) return i0 >= 0 && i0 < tpl.length ? tpl[i0] : 0;
  let s = 0;
  for (let q = -1; q <= 2; q++) { const i = i0 + q; if (i >= 0 && i < tpl.length) s += keys(f - q) * tpl[i]; }
  return s;
}

/** Subtract a x template tpl (trough at index pre) placed with its trough at time t from buf (absolute offset off). */
function subtractAt(buf: Float64Array, off: number, tpl: Float64Array, pre: number, t: number, a = 1): void {
  const w = tpl.length;
  const start = Math.max(off, Math.ceil(t - pre - 2)), end = Math.min(off + buf.length - 1, Math.floor(t - pre + w + 1));
  for (let s = start; s <= end; s++) buf[s - off] -= a * templateAt(tpl, s - t + pre);
}

/** Find and add hidden spikes; the detections and their labels are not changed. */
export function peel(read: SignalReader, nSamples: number, d: PeelInput, o: PeelOptions): Peeled {
  const { width: w, pre, k, labels } = d;
  const n = labels.length;
  const out = { samples: [] as number[], labels: [] as number[], amplitudes: [] as number[], waveforms: [] as Float32Array[] };
  const done = (): Peeled => {
    const order = out.samples.map((_, i) => i).sort((a, b) => out.samples[a] - out.samples[b] || out.labels[a] - out.labels[b]);
    const wf = new Float32Array(order.length * w);
    order.forEach((i, r) => wf.set(out.waveforms[i], r * w));
    return {
      samples: Int32Array.from(order, (i) => out.samples[i]), labels: Int32Array.from(order, (i) => out.labels[i]),
      amplitudes: Float32Array.from(order, (i) => out.amplitudes[i]), waveforms: wf,
    };
  };
  if (n === 0 || k === 0 || !(o.searchLag > 0) || !(o.maxPerRegion > 0)) return done();
  const { m, count } = unitMedians(d.waveforms, w, labels, k, o.medianRows);
  const tpl = Array.from({ length: k }, (_, c) => m.subarray(c * w, (c + 1) * w));
  // Matched filters W'W m_c and whitened energies |W m_c|^2 (W symmetric).
  const white = d.whitener.length === w * w;
  const filt = new Float64Array(k * w), energy = new Float64Array(k);
  const wm = new Float64Array(w);
  for (let c = 0; c < k; c++) {
    if (!count[c]) continue;
    for (let i = 0; i < w; i++) { let s = 0; if (white) for (let j = 0; j < w; j++) s += d.whitener[i * w + j] * m[c * w + j]; else s = m[c * w + i]; wm[i] = s; energy[c] += s * s; }
    for (let i = 0; i < w; i++) { let s = 0; if (white) for (let j = 0; j < w; j++) s += d.whitener[i * w + j] * wm[j]; else s = wm[i]; filt[c * w + i] = s; }
  }
  const live = Array.from({ length: k }, (_, c) => c).filter((c) => count[c] > 0);
  // Amplitude cap of each unit: upper quantile of <wf, W'W m_c> / |W m_c|^2 over its detections.
  const aHi = new Float64Array(k).fill(Infinity);
  if (o.amplitudeQuantile > 0) {
    const amps: number[][] = Array.from({ length: k }, () => []);
    for (let r = 0; r < n; r++) {
      const c = labels[r];
      if (c < 0 || !(energy[c] > 0)) continue;
      let g = 0;
      for (let j = 0; j < w; j++) g += d.waveforms[r * w + j] * filt[c * w + j];
      amps[c].push(g / energy[c]);
    }
    for (const c of live) {
      const a = amps[c].sort((u, v) => u - v);
      if (!a.length) continue;
      aHi[c] = a[Math.ceil((1 - o.amplitudeQuantile) * (a.length - 1))];
    }
  }
  const L = o.searchLag;
  const nullGains = o.falseAlarm ? noiseGains(read, nSamples, d.samples, w, pre, L, filt, energy, live) : new Float64Array(0);
  const ctx: RegionContext = { read, nSamples, d, o, w, pre, n, labels, tpl, filt, energy, aHi, live, out, nullGains };
  // Regions: runs of assigned detections whose search windows overlap.
  const assigned = Array.from({ length: n }, (_, i) => i).filter((i) => labels[i] >= 0);
  let a = 0;
  while (a < assigned.length) {
    let b = a;
    while (b + 1 < assigned.length && d.samples[assigned[b + 1]] - L <= d.samples[assigned[b]] + L) b++;
    const lo = Math.max(pre, d.samples[assigned[a]] - L), hi = Math.min(nSamples - (w - pre), d.samples[assigned[b]] + L + 1);
    a = b + 1;
    if (hi <= lo) continue;
    peelRegion(ctx, lo, hi);
  }
  return done();
}

/** What peelRegion reads (one object of a fixed shape for all regions of a channel). */
interface RegionContext {
  read: SignalReader; nSamples: number; d: PeelInput; o: PeelOptions; w: number; pre: number; n: number;
  labels: Int32Array; tpl: Float64Array[]; filt: Float64Array; energy: Float64Array; aHi: Float64Array;
  live: number[]; out: { samples: number[]; labels: number[]; amplitudes: number[]; waveforms: Float32Array[] };
  /** Best gain over the units at positions of spike-free signal, descending (noiseGains). */
  nullGains: Float64Array;
}

/**
 * Search one region [lo, hi) for hidden spikes and append them to ctx.out. Its own function (not a
 * loop body inside peel): peel is one long call per channel, so V8 could only optimize it on-stack,
 * and recompiled it ~8 times per sort; a per-region call is optimized once, as a whole.
 */
function peelRegion(ctx: RegionContext, lo: number, hi: number): void {
  const { read, nSamples, d, o, w, pre, n, labels, tpl, filt, energy, aHi, live, out, nullGains } = ctx;
  // Buffer: the candidates' windows reach w samples beyond the region, and every spike whose
  // template reaches those lies wholly within another w + 2.
  const off = Math.max(0, lo - 2 * w - 4), end = Math.min(nSamples, hi + 2 * w + 4);
  const raw = read(off, end);
  const res = Float64Array.from(raw);
  // Subtract every assigned spike reaching the buffer (detections sorted by time).
  let first = 0, hiIdx = n;
  { let l = 0, h = n; while (l < h) { const mid = (l + h) >> 1; if (d.samples[mid] < off - w - 2) l = mid + 1; else h = mid; } first = l; }
  { let l = first, h = n; while (l < h) { const mid = (l + h) >> 1; if (d.samples[mid] <= end + w + 2) l = mid + 1; else h = mid; } hiIdx = l; }
  const near: number[] = [];
  for (let j = first; j < hiIdx; j++) near.push(d.samples[j]);
  // Matching pursuit over the assigned detections, biggest templates first: each is subtracted
  // with its least-squares amplitude on what the earlier ones left (clamped to [0, the unit's
  // upper amplitude]), so a second detection on a spike already subtracted (a cluster of tails)
  // takes almost nothing away instead of carving a spike-like hole into the residual.
  const evs: number[] = [];
  for (let j = first; j < hiIdx; j++) if (labels[j] >= 0 && d.samples[j] - pre - 1 >= off && d.samples[j] - pre + w + 1 <= end) evs.push(j);
  evs.sort((u, v) => energy[labels[v]] - energy[labels[u]] || u - v);
  for (const j of evs) {
    const c = labels[j];
    if (!(energy[c] > 0)) continue;
    const ro = d.samples[j] - pre - off;
    let g = 0;
    for (let q = 0; q < w; q++) g += res[ro + q] * filt[c * w + q];
    const amp = Math.max(0, Math.min(aHi[c], g / energy[c]));
    if (amp > 0) subtractAt(res, off, tpl[c], pre, d.subSamples[j], amp);
  }
  const own: Array<[number, number]> = []; // (time, unit) of spikes in and around the region
  for (let j = first; j < hiIdx; j++) if (labels[j] >= 0) own.push([d.samples[j], labels[j]]);
  const M = live.length * (hi - lo);
  // The white-noise penalty, raised where this channel's spike-free signal (background spikes,
  // coloured or heavy-tailed noise) beats it more often than falseAlarm per region of this size.
  const q = Math.floor((nullGains.length * (o.falseAlarm ?? 0)) / Math.max(1, hi - lo));
  const penalty = Math.max(2 * Math.log(Math.max(1, M)), q >= 1 ? nullGains[q - 1] : -Infinity);
  const added: number[] = [];
  for (let round = 0; round < o.maxPerRegion; round++) {
    let best = -Infinity, bt = -1, bc = -1;
    for (let t = lo; t < hi; t++) {
      let skip = false;
      for (const s of near) if (Math.abs(s - t) < o.minLag) { skip = true; break; }
      for (const s of added) if (Math.abs(s - t) < o.minLag) { skip = true; break; }
      if (skip) continue;
      const ro = t - pre - off;
      for (const c of live) {
        let g = 0;
        const fo = c * w;
        for (let j = 0; j < w; j++) g += res[ro + j] * filt[fo + j];
        const gain = 2 * g - energy[c];
        if (gain <= best) continue;
        let refr = false;
        for (const [s, u] of own) if (u === c && Math.abs(s - t) < o.refractory) { refr = true; break; }
        if (!refr) { best = gain; bt = t; bc = c; }
      }
    }
    if (!(best > penalty)) break;
    const amp = res[bt - off];
    subtractAt(res, off, tpl[bc], pre, bt);
    added.push(bt);
    own.push([bt, bc]);
    out.samples.push(bt); out.labels.push(bc); out.amplitudes.push(amp);
    out.waveforms.push(Float32Array.from(raw.subarray(bt - pre - off, bt - pre - off + w)));
  }
}

/** Positions of spike-free signal noiseGains evaluates at most (spread evenly over the channel). */
const NULL_POSITIONS = 100_000;
/** Samples noiseGains reads at once at most. */
const NULL_BLOCK = 1 << 16;

/**
 * The best gain over the units (2 <x, W'W m_c> - |W m_c|^2, as a hidden spike is scored) at
 * positions of spike-free signal, descending: the stretches with no detection within a window plus
 * the search lag, at most NULL_POSITIONS of them taken at an even stride over the whole channel.
 * The null distribution a hidden spike's gain is tested against: whitening makes Gaussian noise
 * white, but not the background spikes and bursts real (and Quiroga-style) noise is made of.
 */
function noiseGains(read: SignalReader, nSamples: number, det: Int32Array, w: number, pre: number, L: number,
  filt: Float64Array, energy: Float64Array, live: number[]): Float64Array {
  const guard = w + L + 2;
  const gaps: Array<[number, number]> = [];
  let total = 0;
  for (let i = 0; i <= det.length; i++) {
    const a = Math.max(pre + 2, i > 0 ? det[i - 1] + guard : 0), b = Math.min(nSamples - w - 2, i < det.length ? det[i] - guard : nSamples);
    if (b > a) { gaps.push([a, b]); total += b - a; }
  }
  const stride = Math.max(1, Math.ceil(total / NULL_POSITIONS));
  // Reads stay small (a low-memory run reads from a file, and a gap can last minutes): a block of at
  // most NULL_BLOCK samples, or each window alone when the stride leaves most samples unused.
  const span = stride > 8 * w ? 1 : Math.max(1, Math.floor((NULL_BLOCK - w) / stride) + 1);
  const out: number[] = [];
  let phase = 0; // positions continue the stride across gaps
  for (const [a, b] of gaps) {
    const first = a + ((stride - phase) % stride);
    phase = (phase + (b - a)) % stride;
    for (let t0 = first; t0 < b; t0 += span * stride) {
      const t1 = Math.min(b, t0 + span * stride); // positions t0, t0 + stride, ... below t1
      const x = read(t0 - pre, t1 - 1 - pre + w);
      for (let t = t0; t < t1; t += stride) {
        const ro = t - t0;
        let best = -Infinity;
        for (const c of live) {
          let g = 0;
          const fo = c * w;
          for (let j = 0; j < w; j++) g += x[ro + j] * filt[fo + j];
          best = Math.max(best, 2 * g - energy[c]);
        }
        out.push(best);
      }
    }
  }
  return Float64Array.from(out).sort().reverse();
}
