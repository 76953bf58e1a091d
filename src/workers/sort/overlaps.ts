// Overlap resolution and background rejection after clustering, on noise-whitened waveforms (where
// squared distances are chi-square distributed under the noise model: -2 log-likelihood up to a
// constant). Every event is explained by its cluster's template (sub-sample shift tolerant), by
// another template at an integer shift (a misaligned spike), or by the sum of two templates at
// independent shifts (a spike overlapped by another unit's spike), as Kilosort and SpyKING CIRCUS
// explain events by template sums. The extra hypotheses are discrete choices among M alternatives;
// each pays 2 ln M (the -2 log of a uniform prior over them), so noise alone seldom prefers them.
// - Clusters most of whose events are better explained by the other templates (overlap clusters,
//   misaligned copies) are dissolved into them (wave_clus's "force" to the nearest template).
// - Events whose best explanation has another primary unit move to it.
// - Events that "no spike at the centre" (noise alone, or a unit's spike off-centre: a second
//   detection of one spike) explains at least as well as their unit (likelihood ratio <= 1, equal
//   priors) go to the noise cluster (-1). Under the whitened-noise model a true spike of a template
//   with norm D (noise SDs) fails this with probability Q(D / 2): <= 1e-3 for D >= 6.2.

import { buildTemplates, shiftDistance2, type Templates } from './templates';

export interface OverlapOptions {
  /** Largest integer shift (samples) of the primary template: the detector's alignment error. */
  primaryShift: number;
  /** Largest |shift| (samples) of the secondary template of a pair. */
  secondaryShift: number;
  /** Secondary spikes closer than this (samples) to the primary are not a separate spike. */
  minPairLag: number;
  /** Fraction of a cluster's events that must be better explained elsewhere to dissolve it. */
  dissolveFraction: number;
  /** Send events that noise explains at least as well as their unit to the noise cluster. */
  rejectBackground: boolean;
  /** Sub-sample shift of the own template (ClusterParams.templateMaxShift). */
  maxShift: number;
  /**
   * When > 0, also reject events whose log-likelihood ratio (unit against no spike) falls below
   * their unit's own distribution of it at this one-sided false-alarm rate (normal quantile of the
   * robust median / MAD spread; ClusterParams.backgroundFalseAlarm).
   */
  backgroundFalseAlarm?: number;
}

/** Upper-tail standard normal quantile z with Q(z) = p (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantileUpper(p: number): number {
  const q0 = Math.min(Math.max(1 - p, 1e-300), 1 - 1e-16);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (q0 < lo) { const q = Math.sqrt(-2 * Math.log(q0)); return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
  if (q0 > 1 - lo) { const q = Math.sqrt(-2 * Math.log(1 - q0)); return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
  const q = q0 - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Shifted {
  k: number;
  nS: number; // shifts -S..S of the secondary table
  S: number;
  /** (c, s) -> whitened template shifted by s samples, w values each. */
  tab: Float64Array;
  energy: Float64Array;
}

/** Raw (unwhitened) means of the clusters. */
function rawMeans(x: Float32Array, w: number, labels: Int32Array, k: number): { m: Float64Array; count: Float64Array } {
  const m = new Float64Array(k * w), count = new Float64Array(k);
  for (let r = 0; r < labels.length; r++) {
    const c = labels[r];
    if (c < 0) continue;
    count[c]++;
    for (let j = 0; j < w; j++) m[c * w + j] += x[r * w + j];
  }
  for (let c = 0; c < k; c++) if (count[c]) for (let j = 0; j < w; j++) m[c * w + j] /= count[c];
  return { m, count };
}

function shiftedTable(m: Float64Array, k: number, w: number, W: Float64Array, S: number): Shifted {
  const nS = 2 * S + 1;
  const tab = new Float64Array(k * nS * w), energy = new Float64Array(k * nS);
  const v = new Float64Array(w);
  const white = W.length === w * w;
  for (let c = 0; c < k; c++) for (let si = 0; si < nS; si++) {
    const s = si - S;
    // Template moved later by s samples; zero outside the window.
    for (let j = 0; j < w; j++) { const src = j - s; v[j] = src >= 0 && src < w ? m[c * w + src] : 0; }
    const o = (c * nS + si) * w;
    let e = 0;
    for (let i = 0; i < w; i++) {
      let sum = 0;
      if (white) for (let j = 0; j < w; j++) sum += W[i * w + j] * v[j]; else sum = v[i];
      tab[o + i] = sum;
      e += sum * sum;
    }
    energy[c * nS + si] = e;
  }
  return { k, nS, S, tab, energy };
}

export interface Explanation {
  /** Squared whitened residual of the event's own cluster template (sub-sample shift). */
  own: Float64Array;
  /** Best penalised residual among the other hypotheses, and its primary unit. */
  alt: Float64Array;
  altUnit: Int32Array;
  /** Best residual with the own template as primary: alone, or with a secondary (penalised). */
  ownBest: Float64Array;
  /** The same, unpenalised (for the background test). */
  ownFit: Float64Array;
  /** Residual of "no spike of a unit at the centre": noise alone or a spike off-centre (penalised). */
  none: Float64Array;
}

/** Explain every labelled event (see the file comment); k clusters, rows y whitened. */
export function explainEvents(x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, o: OverlapOptions, live: Uint8Array): Explanation {
  const n = labels.length;
  const { m } = rawMeans(x, w, labels, k);
  const T: Templates = buildTemplates(x, w, labels, k, W, o.maxShift);
  const S = o.secondaryShift, P = o.primaryShift;
  const sec = shiftedTable(m, k, w, W, S);
  const nS = sec.nS;
  // Cross products <primary(p, s1), secondary(d, s2)>.
  const nP = 2 * P + 1;
  const cross = new Float64Array(k * nP * k * nS);
  for (let p = 0; p < k; p++) for (let a = 0; a < nP; a++) {
    if (!live[p]) continue;
    const po = (p * nS + (a - P + S)) * w;
    for (let d = 0; d < k; d++) for (let b = 0; b < nS; b++) {
      if (!live[d]) continue;
      const dof = (d * nS + b) * w;
      let s = 0;
      for (let j = 0; j < w; j++) s += sec.tab[po + j] * sec.tab[dof + j];
      cross[((p * nP + a) * k + d) * nS + b] = s;
    }
  }
  const nLive = live.reduce((s, v) => s + v, 0);
  const penSingle = 2 * Math.log(Math.max(1, nLive * nP));
  const penPair = 2 * Math.log(Math.max(1, nLive * nP * nLive * nS));
  const penOff = 2 * Math.log(Math.max(1, nLive * nS));
  const own = new Float64Array(n), alt = new Float64Array(n).fill(Infinity), ownBest = new Float64Array(n), ownFit = new Float64Array(n), none = new Float64Array(n);
  const altUnit = new Int32Array(n).fill(-1);
  const G = new Float64Array(k * nS);
  for (let r = 0; r < n; r++) {
    const c = labels[r];
    if (c < 0) continue;
    const yo = r * w;
    let yy = 0;
    for (let j = 0; j < w; j++) yy += y[yo + j] * y[yo + j];
    for (let d = 0; d < k; d++) {
      if (!live[d]) continue;
      for (let b = 0; b < nS; b++) {
        const to = (d * nS + b) * w;
        let s = 0;
        for (let j = 0; j < w; j++) s += y[yo + j] * sec.tab[to + j];
        G[d * nS + b] = s;
      }
    }
    own[r] = shiftDistance2(y, yo, T, c);
    let bestOwn = own[r], fitOwn = own[r];
    for (let p = 0; p < k; p++) {
      if (!live[p]) continue;
      for (let a = 0; a < nP; a++) {
        const pi = p * nS + (a - P + S);
        const r1 = yy - 2 * G[pi] + sec.energy[pi];
        if (p !== c && r1 + penSingle < alt[r]) { alt[r] = r1 + penSingle; altUnit[r] = p; }
        const s1 = a - P;
        for (let d = 0; d < k; d++) {
          if (!live[d]) continue;
          for (let b = 0; b < nS; b++) {
            if (Math.abs(b - S - s1) < o.minPairLag) continue;
            const di = d * nS + b;
            const r2 = r1 - 2 * (G[di] - cross[((p * nP + a) * k + d) * nS + b]) + sec.energy[di];
            if (p === c) { if (r2 + penPair < bestOwn) bestOwn = r2 + penPair; if (r2 < fitOwn) fitOwn = r2; } else if (r2 + penPair < alt[r]) { alt[r] = r2 + penPair; altUnit[r] = p; }
          }
        }
      }
    }
    // "No spike of a unit here": noise alone, or a unit's spike away from the centre (a second
    // detection of a spike already counted, e.g. on its after-hyperpolarisation), penalised as a choice.
    let nothing = yy;
    for (let d = 0; d < k; d++) {
      if (!live[d]) continue;
      for (let b = 0; b < nS; b++) {
        if (Math.abs(b - S) < o.minPairLag) continue;
        const di = d * nS + b;
        const r0 = yy - 2 * G[di] + sec.energy[di] + penOff;
        if (r0 < nothing) nothing = r0;
      }
    }
    none[r] = nothing;
    ownBest[r] = bestOwn;
    ownFit[r] = fitOwn;
  }
  return { own, alt, altUnit, ownBest, ownFit, none };
}

/**
 * Dissolve clusters explained by the others (smallest first), then move every event whose best
 * explanation has another primary, then send unexplained events to -1. In place; returns counts.
 */
export function resolveOverlaps(x: Float32Array, y: Float32Array, w: number, labels: Int32Array, k: number, W: Float64Array, o: OverlapOptions, minSpikes: number): { dissolved: number; moved: number; rejected: number } {
  let dissolved = 0, moved = 0, rejected = 0;
  const live = new Uint8Array(k);
  const count = (): Float64Array => { const c = new Float64Array(k); for (const l of labels) if (l >= 0) c[l]++; return c; };
  let cnt = count();
  for (let c = 0; c < k; c++) live[c] = cnt[c] > 0 ? 1 : 0;
  const tried = new Uint8Array(k);
  for (;;) {
    if (live.reduce((s, v) => s + v, 0) < 2) break;
    const e = explainEvents(x, y, w, labels, k, W, o, live);
    // Smallest untried live cluster whose events are mostly explained elsewhere.
    const order = Array.from({ length: k }, (_, c) => c).filter((c) => live[c] && !tried[c]).sort((a, b) => cnt[a] - cnt[b] || a - b);
    let done = false;
    for (const c of order) {
      let better = 0;
      for (let r = 0; r < labels.length; r++) if (labels[r] === c && e.alt[r] < e.own[r]) better++;
      tried[c] = 1;
      // Clusters too small to be a unit are always dissolved (their events still go to a template).
      if (better < o.dissolveFraction * cnt[c] && cnt[c] >= minSpikes) continue;
      for (let r = 0; r < labels.length; r++) if (labels[r] === c) labels[r] = e.altUnit[r];
      live[c] = 0;
      dissolved++;
      done = true;
      break;
    }
    cnt = count();
    if (done) { tried.fill(0); continue; }
    break;
  }
  if (live.reduce((s, v) => s + v, 0) >= 2) {
    const e = explainEvents(x, y, w, labels, k, W, o, live);
    for (let r = 0; r < labels.length; r++) {
      if (labels[r] >= 0 && e.altUnit[r] >= 0 && e.alt[r] < e.ownBest[r]) { labels[r] = e.altUnit[r]; moved++; }
    }
  }
  if (o.rejectBackground) {
    const e = explainEvents(x, y, w, labels, k, W, o, live);
    // Likelihood ratio of the unit (its template, alone or with a secondary) against no spike of it
    // (the event is noise): equal priors, so background when ||y||^2 <= the unit's residual.
    for (let r = 0; r < labels.length; r++) {
      if (labels[r] >= 0 && e.none[r] <= e.ownFit[r]) { labels[r] = -1; rejected++; }
    }
    const alpha = o.backgroundFalseAlarm ?? 0;
    if (alpha > 0) {
      // A unit's own events give the statistic's spread (the whitened noise model understates it:
      // background spikes riding on the events); events in its lower tail at the stated rate go.
      const z = normalQuantileUpper(alpha);
      for (let c = 0; c < k; c++) {
        const idx: number[] = [];
        for (let r = 0; r < labels.length; r++) if (labels[r] === c) idx.push(r);
        if (idx.length < minSpikes) continue;
        const llr = idx.map((r) => e.none[r] - e.ownFit[r]);
        const m = median(llr), sd = 1.4826 * median(llr.map((v) => Math.abs(v - m)));
        idx.forEach((r, q) => { if (llr[q] < m - z * sd) { labels[r] = -1; rejected++; } });
      }
    }
  }
  return { dissolved, moved, rejected };
}
