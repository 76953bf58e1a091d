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
// - That test alone rejects almost nothing that crossed the threshold: a background event has a
//   trough at the centre, so "no spike" explains it badly too (tuning seeds, difficult 0.15 / 0.20:
//   0-2 events of 600-1200 per recording rejected). The background accepted into a unit sits in the
//   lower tail of the unit's likelihood ratio instead (its amplitude along the template: median
//   0.73-0.85 of the unit's, bench/sort-background.ts), so events below the lower tail of the
//   unit's true spikes at a stated false-alarm rate go to the noise cluster too, in units where
//   background is the majority below that cut (rejectLowTail).

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
   * the lower tail of their unit's true spikes at this false-alarm rate (rejectLowTail;
   * ClusterParams.backgroundFalseAlarm).
   */
  backgroundFalseAlarm?: number;
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

/** Quantile of ascending values with linear interpolation between order statistics (numpy's default). */
export function quantileSorted(s: ArrayLike<number>, p: number): number {
  const h = (s.length - 1) * p, lo = Math.floor(h), hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** P(X >= x) for X ~ Binomial(n, p) (sum of the pmf, in logs). */
export function binomialUpperTail(n: number, x: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  let lf = 0; // log C(n, k), built up from k = 0
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) lf += Math.log((n - k + 1) / k);
    if (k >= x) sum += Math.exp(lf + k * Math.log(p) + (n - k) * Math.log(1 - p));
  }
  return Math.min(1, sum);
}

/**
 * Background test at a stated false-alarm rate alpha (ClusterParams.backgroundFalseAlarm): per unit
 * of at least minSpikes events, the statistic is each event's log-likelihood ratio, unit (its
 * template, alone or with a secondary) against no spike at the centre (e.none - e.ownFit, the
 * event's amplitude along its template); events below the lower alpha-quantile of the unit's true
 * spikes' distribution of it go to -1. That quantile is taken from the unit's own upper tail,
 * reflected about its median (2 median - upper alpha-quantile): on a true spike the ratio is its
 * template's energy plus twice the noise projected on the template, symmetric when the noise is
 * (exactly normal under the whitened-noise model), while accepted background sits below (a noise
 * peak crossing the threshold has the trough, not the unit's shape), so the upper tail is free of
 * it. A normal model of the median / MAD spread is not used: the ratio's tails are heavier than
 * normal (background spikes riding on a unit's spikes), so its lower alpha-quantile cut about five
 * times alpha of the true spikes (bench/sort-background.ts). Background in the unit pulls the
 * median down, so the rate on true spikes is at most alpha when the tails are symmetric; amplitudes
 * that shrink in bursts make the lower tail heavier and the rate higher. The cut is made only in a
 * unit where the events below it are more than twice those above the reflected cut (the true
 * spikes expected below it), significant at alpha (one-sided binomial test of the share below
 * among the events beyond either cut against 2/3): where background is the majority below the cut,
 * so rejecting gains more than it costs at equal costs. In a unit without background (one far above
 * the detection threshold) the cut would only cost alpha of its spikes, and its structured misfits
 * (overlaps, jitter) make the lower tail somewhat heavier than the upper. Returns the count.
 */
export function rejectLowTail(labels: Int32Array, k: number, e: Pick<Explanation, 'none' | 'ownFit'>, alpha: number, minSpikes: number): number {
  let rejected = 0;
  const byUnit: number[][] = Array.from({ length: k }, () => []);
  for (let r = 0; r < labels.length; r++) if (labels[r] >= 0) byUnit[labels[r]].push(r);
  for (const idx of byUnit) {
    if (idx.length < Math.max(2, minSpikes)) continue;
    const llr = Float64Array.from(idx, (r) => e.none[r] - e.ownFit[r]);
    const sorted = Float64Array.from(llr).sort();
    const m = quantileSorted(sorted, 0.5), hi = quantileSorted(sorted, 1 - alpha), cut = 2 * m - hi;
    // Expected true spikes below the cut: as many as lie above the reflected cut. Reject only when
    // the rest (background) is the majority below it (equal costs, as the test above): else the
    // cut would only cost true spikes (a unit far above the threshold has no background there).
    let below = 0, above = 0;
    for (const v of llr) { if (v < cut) below++; else if (v > hi) above++; }
    // Of the events beyond either cut, a true-spike half below would make below ~ Binomial(N, 1/2);
    // a background majority below needs more than 2/3 of them there, significant at alpha.
    if (binomialUpperTail(below + above, below, 2 / 3) > alpha) continue;
    idx.forEach((r, q) => { if (llr[q] < cut) { labels[r] = -1; rejected++; } });
  }
  return rejected;
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
    if (alpha > 0) rejected += rejectLowTail(labels, k, e, alpha, minSpikes);
  }
  return { dissolved, moved, rejected };
}
