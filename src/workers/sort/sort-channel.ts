// The per-channel sorting chain, split into the stages the run engine caches separately
// (planner.ts: filter -> detect -> features -> cluster -> metrics). Each stage is a pure function of
// its inputs and parameters, so a tweaked clustering parameter re-runs only cluster and metrics.

import { SpikeDeskError } from '../../shared/errors';
import type { ClusterParams, DetectParams, FeatureParams, FilterParams, SortParams } from '../../shared/params';
import { bandpassSos } from '../dsp/butter';
import { sosfiltfiltF32 } from '../dsp/sos';
import { detectGeometry, detectSpikes } from './detect';
import { selectGmm } from './gmm';
import { unitMetrics, type UnitMetrics } from './metrics';
import { pca } from './pca';
import { symmetricEigen } from './linalg';
import { Rng } from '../rng';
import { extractWaveforms, extractWaveformsAligned } from './waveforms';
import { mergeUnimodal, pairKey, splitClusters, whitenRows, type SplitOptions } from './templates';
import { resolveOverlaps } from './overlaps';
import { refractoryVeto } from './refractory';
import { peel, type SignalReader } from './peel';
import { discriminantRefine } from './lda-refine';

export interface DetectStageResult {
  samples: Int32Array;
  subSamples: Float64Array;
  amplitudes: Float32Array;
  sigma: number;
  /** nSpikes x width waveforms, trough at index pre. */
  waveforms: Float32Array;
  width: number;
  pre: number;
  /** width x width covariance of spike-free noise snippets of the filtered signal (empty if unknown). */
  noiseCov: Float64Array;
}

export interface FeatureStageResult {
  features: Float32Array;
  nFeat: number;
  /**
   * Projection of a waveform v: components * (whitener * v - mean); whitener is width x width
   * (identity when empty). Kept so curation can place new waveforms in the same space.
   */
  whitener: Float64Array;
  /** True when the features are in noise-whitened units (a whitener was available). */
  whitened: boolean;
  components: Float64Array;
  mean: Float64Array;
}

/** Spikes the detector could not see, recovered by peeling (peel.ts), sorted by time. */
export interface PeeledSpikes {
  samples: Int32Array;
  labels: Int32Array;
  amplitudes: Float32Array;
  /** n x width filtered waveforms. */
  waveforms: Float32Array;
}

export interface ClusterStageResult {
  /** Unit per spike, 0..k-1 ordered by decreasing |mean amplitude|; -1 = outlier / unassigned. */
  labels: Int32Array;
  k: number;
  /** BIC per k tried (index 0 = kMin). */
  bic: Float64Array;
  /** Hidden spikes added by peeling (labels in 0..k-1); empty when peeling is off. */
  peeled: PeeledSpikes;
}

const NO_PEELED: PeeledSpikes = { samples: new Int32Array(0), labels: new Int32Array(0), amplitudes: new Float32Array(0), waveforms: new Float32Array(0) };

/** The filtered channel for peeling, with the detections' sub-sample times and the window's trough index. */
export interface PeelSignal { read: SignalReader; subSamples: Float64Array; pre: number }

export interface UnitSummary {
  unit: number;
  metrics: UnitMetrics;
}

export interface SortChannelResult extends ClusterStageResult {
  samples: Int32Array;
  amplitudes: Float32Array;
  features: Float32Array;
  nFeat: number;
  sigma: number;
  /** Mean filtered waveform per unit (index = unit id), width samples each. */
  waveformsMean: Float32Array[];
  width: number;
  pre: number;
  units: UnitSummary[];
}

export function filterStage(x: Float32Array, fs: number, p: FilterParams): Float32Array {
  const sos = bandpassSos(p, fs);
  return sos.length ? sosfiltfiltF32(sos, x) : Float32Array.from(x);
}

export function detectStage(filtered: Float32Array, fs: number, p: DetectParams): DetectStageResult {
  const det = detectSpikes(filtered, fs, p);
  const { pre, post } = detectGeometry(fs, p);
  const waveforms = p.alignUpsample > 1
    ? extractWaveformsAligned(filtered, det.subSamples, pre, post)
    : extractWaveforms(filtered, det.samples, pre, post);
  const noiseCov = noiseCovariance(filtered, det.samples, pre + post, p.noiseSnippets);
  return { samples: det.samples, subSamples: det.subSamples, amplitudes: det.amplitudes, sigma: det.sigma, waveforms, width: pre + post, pre, noiseCov };
}

/**
 * Covariance of up to maxSnippets width-long snippets at seeded random positions that hold no
 * detected spike (nor one within a window on either side). It describes the coloured background
 * the waveforms sit in; whitening by it makes distances in feature space noise-calibrated.
 */
export function noiseCovariance(x: Float32Array, spikes: Int32Array, width: number, maxSnippets: number): Float64Array {
  return noiseCovarianceOf((a, b) => x.subarray(a, b), x.length, spikes, width, maxSnippets);
}

/** noiseCovariance over a channel of n samples read on demand (a chunked run never holds it whole). */
export function noiseCovarianceOf(read: (start: number, end: number) => Float32Array, n: number, spikes: Int32Array, width: number, maxSnippets: number): Float64Array {
  const rng = new Rng(0x5eed);
  const cov = new Float64Array(width * width);
  let got = 0;
  for (let tries = 0; tries < maxSnippets * 4 && got < maxSnippets && n > 3 * width; tries++) {
    const s = width + rng.int(n - 3 * width);
    // Binary search for the first spike at or after s - width.
    let lo = 0, hi = spikes.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (spikes[m] < s - width) lo = m + 1; else hi = m; }
    if (lo < spikes.length && spikes[lo] < s + 2 * width) continue;
    const x = read(s, s + width);
    for (let i = 0; i < width; i++) {
      const xi = x[i];
      for (let j = i; j < width; j++) cov[i * width + j] += xi * x[j];
    }
    got++;
  }
  // Too few clean snippets (a tiny or saturated channel) give no usable estimate: report none.
  if (got < 2 * width) return new Float64Array(0);
  for (let i = 0; i < width; i++) for (let j = i; j < width; j++) {
    cov[i * width + j] /= got;
    cov[j * width + i] = cov[i * width + j];
  }
  return cov;
}

/** Symmetric inverse square root of a covariance, eigenvalues floored at floor * their mean. */
export function whitener(cov: Float64Array, d: number, floor: number): Float64Array {
  const { values, vectors } = symmetricEigen(cov, d);
  let mean = 0;
  for (let i = 0; i < d; i++) mean += values[i] / d;
  const w = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = 1 / Math.sqrt(Math.max(values[k], floor * mean, 1e-20));
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) w[i * d + j] += vectors[k * d + i] * s * vectors[k * d + j];
  }
  return w;
}

/** First nPcs principal components of the waveforms, optionally log energy and peak amplitude. */
export function featureStage(det: Pick<DetectStageResult, 'waveforms' | 'width' | 'amplitudes' | 'noiseCov'>, p: FeatureParams): FeatureStageResult {
  const n = det.amplitudes.length, w = det.width;
  let wf = det.waveforms;
  // Whitening by the noise covariance makes feature distances noise-calibrated under coloured
  // noise (it raised ground-truth accuracy markedly; see ground-truth.test.ts).
  const W = det.noiseCov.length === w * w ? whitener(det.noiseCov, w, p.whitenFloor) : new Float64Array(0);
  if (n >= 2 && W.length) {
    wf = new Float32Array(n * w);
    for (let r = 0; r < n; r++) {
      const o = r * w;
      for (let i = 0; i < w; i++) {
        let s = 0;
        for (let j = 0; j < w; j++) s += W[i * w + j] * det.waveforms[o + j];
        wf[o + i] = s;
      }
    }
  }
  const nPcs = Math.min(p.nPcs, w);
  const nFeat = nPcs + (p.energy ? 1 : 0) + (p.amplitude ? 1 : 0);
  const features = new Float32Array(n * nFeat);
  if (n < 2) return { features, nFeat, whitener: W, whitened: W.length > 0, components: new Float64Array(nPcs * w), mean: new Float64Array(w) };
  const model = pca(wf, n, w, nPcs);
  const scores = model.project(wf, n);
  for (let r = 0; r < n; r++) {
    let f = r * nFeat;
    for (let c = 0; c < nPcs; c++) features[f++] = scores[r * nPcs + c];
    if (p.energy) {
      let e = 0;
      for (let j = 0; j < w; j++) e += det.waveforms[r * w + j] ** 2;
      features[f++] = Math.log(e / w + 1e-12);
    }
    if (p.amplitude) features[f++] = det.amplitudes[r];
  }
  return { features, nFeat, whitener: W, whitened: W.length > 0 && !p.energy && !p.amplitude, components: model.components, mean: model.mean };
}

/**
 * GMM over [kMin, kMax] chosen by BIC, then evidence-based refinement on the whole noise-whitened
 * waveform (needs the features stage's noise whitener; skipped on tiny channels without one):
 * 1. split a cluster when its best 2-way cut is multimodal along the cut's discriminant, and merge
 *    two clusters when their union is unimodal along theirs (ISO-SPLIT's isocut, isocut.ts) unless
 *    their cross spike pairs inside the refractory period say two neurons (refractory.ts); then
 *    discriminant refinement of all clusters on the raw waveform samples (lda-refine.ts);
 * 2. overlap resolution (overlaps.ts): clusters explained by the other templates (overlaps,
 *    misaligned copies) are dissolved into them, events move to the unit that best explains them
 *    alone or summed with a second template, and events that noise explains at least as well as
 *    their unit, or whose likelihood ratio against noise lies below the lower tail of their unit's
 *    true spikes at the false-alarm rate p.backgroundFalseAlarm, go to the noise cluster (-1);
 * 3. a final re-split of every cluster, kept on refractory evidence (p.resplitFinal) or, with
 *    p.resplitFinalDip, when the cut's halves are multimodal along their discriminant.
 * Units are renumbered by decreasing |mean amplitude| (unit 0 is the biggest); clusters under
 * p.minUnitSpikes are dropped to -1.
 */
export function clusterStage(
  det: Pick<DetectStageResult, 'samples' | 'amplitudes' | 'waveforms' | 'width'>,
  feat: Pick<FeatureStageResult, 'features' | 'nFeat' | 'whitened' | 'whitener'>, p: ClusterParams, fs: number, nSamples: number,
  signal?: PeelSignal,
): ClusterStageResult {
  const n = det.samples.length;
  if (n === 0) return { labels: new Int32Array(0), k: 0, bic: new Float64Array(0), peeled: NO_PEELED };
  // Too few to cluster: one unit, if it is a unit at all (under minUnitSpikes it is not, as for
  // any cluster: a channel with no neuron still has a few threshold crossings).
  if (n < p.minSpikesToCluster) return { ...renumber(new Int32Array(n), 1, det.amplitudes, p.minUnitSpikes), bic: new Float64Array(0), peeled: NO_PEELED };
  const sel = selectGmm(feat.features, n, feat.nFeat, {
    kMin: p.kMin, kMax: p.kMax, restarts: p.restarts, maxIter: p.maxIter, seed: p.seed,
    maxFitSpikes: p.maxFitSpikes, outlierMahalanobis: p.outlierMahalanobis,
  });
  const labels = sel.labels;
  let k = sel.model.k;
  const w = det.width;
  let W: Float64Array = new Float64Array(0);
  if (feat.whitener.length === w * w) {
    // The features stage's whitener (one eigendecomposition per channel, not two; absent on tiny
    // channels without a noise covariance, where the refinement is skipped).
    W = feat.whitener;
    const y = whitenRows(det.waveforms, n, w, W);
    // Pairs closer than the detector's dead time cannot occur: the smallest gap between detections.
    let lo = Infinity;
    for (let i = 1; i < n; i++) lo = Math.min(lo, det.samples[i] - det.samples[i - 1]);
    const hi = (p.refractoryMs * fs) / 1000;
    const times = (idx: number[]) => Int32Array.from(idx, (i) => det.samples[i]).sort();
    const unimodal = { dipThreshold: p.dipThreshold, maxShift: p.templateMaxShift, binSize: p.isocutBinSize };
    /** "Two neurons" by the halves' refractory test (refractory.ts) at a likelihood ratio above minRatio. */
    const twoNeurons = (minRatio = 1, symmetric = false) => (a: number[], b: number[]) => refractoryVeto(times(a), times(b), lo, hi, nSamples, minRatio, symmetric);
    const veto = hi > lo ? twoNeurons() : undefined;
    // Pairs of clusters separated on refractory evidence after the merge step (cannot-link).
    const apart = new Set<string>();
    if (p.dipThreshold > 0) {
      const split = splitOptions(p);
      k = splitClusters(det.waveforms, y, w, labels, k, W, split, p.splitRefractory ? veto : undefined);
      const premerge = Int32Array.from(labels);
      const merges = mergeUnimodal(det.waveforms, y, w, labels, k, W, unimodal, veto);
      if (p.resplitMerged && p.splitRefractory && veto && merges.length) {
        // Clusters the merge grew by at least one unit-sized cluster (pieces under minUnitSpikes
        // are no unit) have enough spikes now for the refractory test to see two similar units the
        // pairwise merges could not: cut each once more, keep a cut only on refractory evidence,
        // and keep its halves apart from then on (else later merges rejoin them, directly or
        // through a third cluster).
        const size = new Float64Array(k), grew = new Uint8Array(k);
        for (let i = 0; i < n; i++) if (premerge[i] >= 0) size[premerge[i]]++;
        for (const [a, b] of merges) { if (size[b] >= p.minUnitSpikes || grew[b]) grew[a] = 1; size[a] += size[b]; size[b] = 0; }
        const resplit = Array.from({ length: k }, (_, c) => c).filter((c) => grew[c] && size[c] > 0);
        if (resplit.length) {
          const k0 = k, parent = Int32Array.from(labels);
          k = splitClusters(det.waveforms, y, w, labels, k, W, { ...split, resplit }, veto);
          for (let i = 0; i < n; i++) if (labels[i] >= k0) apart.add(pairKey(parent[i], labels[i]));
        }
      }
    }
    if (p.discriminantPasses > 0) discriminantRefine(det.waveforms, n, w, labels, k, p.discriminantPasses, p.ldaShrinkage);
    if (p.overlapMs > 0) {
      const ms = fs / 1000;
      resolveOverlaps(det.waveforms, y, w, labels, k, W, {
        primaryShift: Math.max(1, Math.round(p.alignToleranceMs * ms)), secondaryShift: Math.max(1, Math.round(p.overlapMs * ms)),
        minPairLag: Math.max(1, Math.round(p.minPairLagMs * ms)), dissolveFraction: p.dissolveFraction, rejectBackground: p.rejectBackground,
        maxShift: p.templateMaxShift, backgroundFalseAlarm: p.backgroundFalseAlarm,
      }, p.minUnitSpikes);
      // The refractory test again on the union of each still-unimodal pair, now that overlap
      // resolution has moved other units' spikes (which sit within the refractory period of the
      // cluster's own) out of both: pieces of one unit kept apart only by that contamination merge.
      if (veto && p.dipThreshold > 0) mergeUnimodal(det.waveforms, y, w, labels, k, W, unimodal, veto, apart);
    }
    if (p.resplitFinal && p.splitRefractory && veto && p.dipThreshold > 0) {
      // The final clusters, cleaned by overlap resolution (other units' spikes inside a cluster's
      // refractory period are gone) and at full size, hold refractory evidence the earlier,
      // smaller and contaminated clusters did not: cut each once more and keep a cut only when its
      // halves' refractory test says two neurons (ClusterParams.resplitFinal).
      // Every cluster is tried here, not only merge-grown ones, so a cut needs a likelihood ratio of
      // at least resplitEvidence (one stray violating pair reaches at most 1.21), counting only the
      // minority order of cross pairs (p.resplitSymmetric): a cut of one unit that follows the
      // distortion two close spikes cause each other piles its contaminated pairs up in one order.
      const all = Array.from({ length: k }, (_, c) => c);
      k = splitClusters(det.waveforms, y, w, labels, k, W, { ...splitOptions(p), resplit: all, resplitDip: p.resplitFinalDip }, twoNeurons(p.resplitEvidence, p.resplitSymmetric));
    }
  }
  const out = renumber(labels, k, det.amplitudes, p.minUnitSpikes);
  let peeled = NO_PEELED;
  if (signal && p.peelMax > 0 && p.overlapMs > 0 && W.length) {
    const ms = fs / 1000;
    const searchLag = Math.max(1, Math.round(p.overlapMs * ms));
    peeled = peel(signal.read, nSamples, {
      samples: det.samples, subSamples: signal.subSamples, waveforms: det.waveforms, width: w, pre: signal.pre, labels: out.labels, k: out.k, whitener: W,
    }, {
      searchLag, minLag: Math.max(1, Math.round(p.minPairLagMs * ms)),
      // Without a refractory period set, a unit gets no second spike anywhere in the search window.
      refractory: p.refractoryMs > 0 ? Math.max(1, Math.round(p.refractoryMs * ms)) : searchLag + 1,
      maxPerRegion: p.peelMax, amplitudeQuantile: p.peelAmplitudeQuantile, medianRows: p.peelMedianRows, falseAlarm: p.peelFalseAlarm,
    });
  }
  return { ...out, bic: sel.bic, peeled };
}

/** splitClusters' options from the cluster parameters. */
function splitOptions(p: ClusterParams): SplitOptions {
  return {
    dipThreshold: p.dipThreshold, minSpikes: p.minUnitSpikes, nPcs: p.splitPcs, seed: p.seed, restarts: p.restarts, refine: p.splitRefine,
    maxShift: p.templateMaxShift, binSize: p.isocutBinSize, shrinkage: p.ldaShrinkage, altCuts: p.splitRefractory,
  };
}

/** Features of new waveforms in the feature stage's space (as featureStage computes them). */
export function projectFeatures(
  model: Pick<FeatureStageResult, 'whitener' | 'components' | 'mean'>, p: Pick<FeatureParams, 'energy' | 'amplitude'>,
  waveforms: Float32Array, amplitudes: Float32Array, w: number,
): Float32Array {
  const n = amplitudes.length, nPcs = Math.floor(model.components.length / w);
  const nFeat = nPcs + (p.energy ? 1 : 0) + (p.amplitude ? 1 : 0);
  const out = new Float32Array(n * nFeat);
  const v = new Float64Array(w);
  const white = model.whitener.length === w * w;
  for (let r = 0; r < n; r++) {
    const o = r * w;
    for (let i = 0; i < w; i++) {
      let s = 0;
      if (white) for (let j = 0; j < w; j++) s += model.whitener[i * w + j] * waveforms[o + j]; else s = waveforms[o + i];
      v[i] = s - model.mean[i];
    }
    let f = r * nFeat;
    for (let c = 0; c < nPcs; c++) { let s = 0; for (let j = 0; j < w; j++) s += v[j] * model.components[c * w + j]; out[f++] = s; }
    if (p.energy) { let e = 0; for (let j = 0; j < w; j++) e += waveforms[o + j] ** 2; out[f++] = Math.log(e / w + 1e-12); }
    if (p.amplitude) out[f++] = amplitudes[r];
  }
  return out;
}

export interface SpikeTable { samples: Int32Array; labels: Int32Array; amplitudes: Float32Array; waveforms: Float32Array; features: Float32Array }

/**
 * Detections and peeled spikes in one table ordered by time (a detection before a peeled spike at
 * the same sample), the form every consumer of a sort result reads.
 */
export function mergePeeled(det: Omit<SpikeTable, 'labels'>, labels: Int32Array, peeled: PeeledSpikes & { features: Float32Array }, w: number, nFeat: number): SpikeTable {
  const n = det.samples.length, m = peeled.samples.length;
  if (!m) return { samples: det.samples, labels, amplitudes: det.amplitudes, waveforms: det.waveforms, features: det.features };
  const N = n + m;
  const out: SpikeTable = { samples: new Int32Array(N), labels: new Int32Array(N), amplitudes: new Float32Array(N), waveforms: new Float32Array(N * w), features: new Float32Array(N * nFeat) };
  let i = 0, j = 0;
  for (let r = 0; r < N; r++) {
    const fromDet = j >= m || (i < n && det.samples[i] <= peeled.samples[j]);
    const src = fromDet ? det : peeled, q = fromDet ? i++ : j++;
    out.samples[r] = src.samples[q];
    out.labels[r] = fromDet ? labels[q] : peeled.labels[q];
    out.amplitudes[r] = src.amplitudes[q];
    out.waveforms.set(src.waveforms.subarray(q * w, (q + 1) * w), r * w);
    out.features.set(src.features.subarray(q * nFeat, (q + 1) * nFeat), r * nFeat);
  }
  return out;
}

function renumber(labels: Int32Array, k: number, amplitudes: Float32Array, minUnitSpikes: number): { labels: Int32Array; k: number } {
  const sum = new Float64Array(k), cnt = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) { sum[labels[i]] += Math.abs(amplitudes[i]); cnt[labels[i]]++; }
  // A handful of spikes is not a unit (overlap residue, artifacts): leave them unassigned.
  const alive = Array.from({ length: k }, (_, c) => c).filter((c) => cnt[c] >= minUnitSpikes);
  alive.sort((a, b) => sum[b] / cnt[b] - sum[a] / cnt[a] || a - b);
  const map = new Int32Array(k).fill(-1);
  alive.forEach((c, i) => { map[c] = i; });
  return { labels: Int32Array.from(labels, (l) => (l >= 0 ? map[l] : -1)), k: alive.length };
}

/** Mean waveform per unit. */
export function meanWaveforms(waveforms: Float32Array, width: number, labels: Int32Array, k: number): Float32Array[] {
  const acc = Array.from({ length: k }, () => new Float64Array(width));
  const cnt = new Float64Array(k);
  for (let r = 0; r < labels.length; r++) {
    const u = labels[r];
    if (u < 0) continue;
    cnt[u]++;
    const a = acc[u];
    for (let j = 0; j < width; j++) a[j] += waveforms[r * width + j];
  }
  return acc.map((a, u) => Float32Array.from(a, (v) => (cnt[u] ? v / cnt[u] : 0)));
}

export function metricsStage(
  det: Pick<DetectStageResult, 'samples' | 'amplitudes' | 'sigma' | 'waveforms' | 'width'>,
  feat: Pick<FeatureStageResult, 'features' | 'nFeat'>, cl: Pick<ClusterStageResult, 'labels' | 'k'>,
  fs: number, nSamples: number,
): { units: UnitSummary[]; waveformsMean: Float32Array[] } {
  const waveformsMean = meanWaveforms(det.waveforms, det.width, cl.labels, cl.k);
  const units: UnitSummary[] = [];
  for (let u = 0; u < cl.k; u++) {
    const idx: number[] = [];
    for (let i = 0; i < cl.labels.length; i++) if (cl.labels[i] === u) idx.push(i);
    units.push({
      unit: u,
      metrics: unitMetrics({
        samples: Int32Array.from(idx, (i) => det.samples[i]), amplitudes: Float32Array.from(idx, (i) => det.amplitudes[i]),
        meanWaveform: waveformsMean[u], sigma: det.sigma, fs, durationS: nSamples / fs,
        features: feat.features, nFeat: feat.nFeat, labels: cl.labels, unit: u,
      }),
    });
  }
  return { units, waveformsMean };
}

/** The whole chain on one raw channel (uV). */
export function sortChannel(x: Float32Array, fs: number, params: SortParams): SortChannelResult {
  if (!(fs > 0) || x.length === 0) {
    throw new SpikeDeskError({ code: 'BAD_SAMPLES', message: `cannot sort ${x.length} samples at ${fs} Hz`, fix: 'check the channel and the sample rate' });
  }
  const filtered = filterStage(x, fs, params.filter);
  const det = detectStage(filtered, fs, params.detect);
  const feat = featureStage(det, params.features);
  const cl = clusterStage(det, feat, params.cluster, fs, x.length, { read: (s, e) => filtered.subarray(s, e), subSamples: det.subSamples, pre: det.pre });
  const all = mergePeeled({ ...det, features: feat.features }, cl.labels, { ...cl.peeled, features: projectFeatures(feat, params.features, cl.peeled.waveforms, cl.peeled.amplitudes, det.width) }, det.width, feat.nFeat);
  const m = metricsStage({ ...det, ...all }, { features: all.features, nFeat: feat.nFeat }, { labels: all.labels, k: cl.k }, fs, x.length);
  return {
    samples: all.samples, amplitudes: all.amplitudes, features: all.features, nFeat: feat.nFeat, sigma: det.sigma,
    labels: all.labels, k: cl.k, bic: cl.bic, peeled: cl.peeled, waveformsMean: m.waveformsMean, width: det.width, pre: det.pre, units: m.units,
  };
}
