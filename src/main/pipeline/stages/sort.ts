// The per-channel spike-sorting stages: detection (chunked with margins: the detector is local, the
// noise level a whole-channel pass before the chunks), PCA features, GMM clustering and unit metrics
// (whole-channel kernels over the typed outputs upstream).

import type { ClusterParams, DetectParams, FeatureParams } from '../../../shared/params';
import { detectGeometry, detectSpikesInBlock, noiseSigmaBlocked, noiseSigmaProfile, type Sigma } from '../../../workers/sort/detect';
import { extractWaveforms, extractWaveformsAligned } from '../../../workers/sort/waveforms';
import { clusterStage as clusterKernel, featureStage, mergePeeled, metricsStage as metricsKernel, noiseCovarianceOf, projectFeatures, type SpikeTable } from '../../../workers/sort/sort-channel';
import { codec, defineStage, type Reader } from '../stage';

/** Detection chunk (samples): any value gives the same spikes; this one bounds low-memory buffers. */
const DETECT_BLOCK = 1 << 18;

export interface DetectOutput {
  samples: Int32Array;
  subSamples: Float64Array;
  amplitudes: Float32Array;
  /** nSpikes x (pre + post), row-major. */
  waveforms: Float32Array;
  noiseCov: Float64Array;
  sigma: number;
  pre: number;
  post: number;
  nSpikes: number;
}

export interface FeaturesOutput {
  features: Float32Array;
  /** Log energy / peak amplitude appended to the principal components (to place new waveforms the same way). */
  energy: boolean;
  amplitude: boolean;
  components: Float64Array;
  mean: Float64Array;
  whitener: Float64Array;
  n: number;
  /** Features per spike. */
  d: number;
  whitened: boolean;
}

export interface ClusterOutput {
  /** Label per detection. */
  labels: Int32Array;
  k: number;
  /** BIC per k tried (null where not finite). */
  bic: (number | null)[];
  /** Hidden spikes found by peeling (sorted by time) with their labels, amplitudes, waveforms and features. */
  peelSamples: Int32Array;
  peelLabels: Int32Array;
  peelAmplitudes: Float32Array;
  peelWaveforms: Float32Array;
  peelFeatures: Float32Array;
}

export interface MetricsOutput {
  /** k x (pre + post) mean waveforms. */
  meanWaveforms: Float32Array;
  units: ({ label: number } & Record<string, number | null>)[];
}

interface Part { samples: Int32Array; subSamples: Float64Array; amplitudes: Float32Array; waveforms: Float32Array; sigma: number }

function waveformsAt(x: Float32Array, det: { samples: Int32Array; subSamples: Float64Array }, p: DetectParams, pre: number, post: number, offset: number, n: number): Float32Array {
  return p.alignUpsample > 1
    ? extractWaveformsAligned(x, det.subSamples, pre, post, offset, n)
    : extractWaveforms(x, det.samples, pre, post, offset);
}

function concat<T extends Int32Array | Float64Array | Float32Array>(parts: T[], C: { new (len: number): T }): T {
  const out = new C(parts.reduce((a, q) => a + q.length, 0));
  let o = 0;
  for (const q of parts) { out.set(q as never, o); o += q.length; }
  return out;
}

/** The (referenced) filtered channel; the subtraction makes a fresh array, never touching the input. */
function referenced(filter: Reader, ref: Reader | null): Reader {
  if (!ref) return filter;
  return (s, e) => {
    const x = Float32Array.from(filter(s, e));
    const r = ref(s, e);
    for (let i = 0; i < x.length; i++) x[i] -= r[i];
    return x;
  };
}

export const detectStage = defineStage<DetectParams, DetectOutput>({
  name: 'detect',
  version: 1,
  scope: 'chunked',
  inputs: [{ stage: 'filter' }, { stage: 'reference', optional: true }],
  output: { kind: 'bundle', codec: codec<DetectOutput>({ samples: 'i32', subSamples: 'f64', amplitudes: 'f32', waveforms: 'f32', noiseCov: 'f64', sigma: 'json', pre: 'json', post: 'json', nSpikes: 'json' }) },
  weight: 0.6,
  summarize: (o) => ({ nSpikes: o.nSpikes }),
  chunk: {
    signal: (r) => referenced(r('filter')!, r('reference')),
    grid(p, meta) {
      const { pre, post, margin } = detectGeometry(meta.sampleRate, p);
      // Context for the detector's dead time and for the (aligned) waveform windows.
      return { block: DETECT_BLOCK, margin: Math.max(margin, pre + 2, post + 3) };
    },
    prepare: (p, read, meta): Sigma => (p.sigmaWindowS > 0
      ? noiseSigmaProfile(read, meta.nSamples, meta.sampleRate, p.sigmaWindowS)
      : noiseSigmaBlocked(read, meta.nSamples)),
    kernel(p, x, a, s, e, sigma: Sigma, meta): Part {
      const { pre, post } = detectGeometry(meta.sampleRate, p);
      const sp = detectSpikesInBlock(x, a, meta.sampleRate, p, sigma, s, e, meta.nSamples);
      return { ...sp, waveforms: waveformsAt(x, sp, p, pre, post, a, meta.nSamples) };
    },
    finish(p, parts: Part[], sigma: Sigma, read, meta): DetectOutput {
      const { pre, post } = detectGeometry(meta.sampleRate, p);
      const samples = concat(parts.map((q) => q.samples), Int32Array);
      const sig = parts.length ? parts[parts.length - 1].sigma : typeof sigma === 'number' ? sigma : NaN;
      return {
        samples, subSamples: concat(parts.map((q) => q.subSamples), Float64Array), amplitudes: concat(parts.map((q) => q.amplitudes), Float32Array),
        waveforms: concat(parts.map((q) => q.waveforms), Float32Array),
        noiseCov: noiseCovarianceOf(read, meta.nSamples, samples, pre + post, p.noiseSnippets),
        sigma: sig, pre, post, nSpikes: samples.length,
      };
    },
  },
});

function detected(o: DetectOutput): { samples: Int32Array; amplitudes: Float32Array; waveforms: Float32Array; width: number; sigma: number; noiseCov: Float64Array } {
  return { samples: o.samples, amplitudes: o.amplitudes, waveforms: o.waveforms, width: o.pre + o.post, sigma: o.sigma, noiseCov: o.noiseCov };
}

export const featuresStage = defineStage<FeatureParams, FeaturesOutput>({
  name: 'features',
  version: 2,
  scope: 'channel',
  inputs: [{ stage: 'detect' }],
  output: { kind: 'bundle', codec: codec<FeaturesOutput>({ features: 'f32', energy: 'json', amplitude: 'json', components: 'f64', mean: 'f64', whitener: 'f64', n: 'json', d: 'json', whitened: 'json' }) },
  weight: 0.3,
  // Features, clustering (GMM, splits, overlaps, peeling) and metrics cost grows with the spikes,
  // from nothing on a silent channel to a quarter of a 16-channel run on one busy channel: they
  // run as a second task per channel, the busiest channels first, after the even filter + detect.
  taskCost: (s) => (typeof s.nSpikes === 'number' ? s.nSpikes : NaN),
  run(p, ctx) {
    const det = detected(ctx.input(detectStage));
    const f = featureStage(det, p);
    return { features: f.features, energy: p.energy, amplitude: p.amplitude, components: f.components, mean: f.mean, whitener: f.whitener, n: det.samples.length, d: f.nFeat, whitened: f.whitened };
  },
});

export const clusterStage = defineStage<ClusterParams, ClusterOutput>({
  name: 'cluster',
  version: 4, // 3: a channel with fewer detections than minUnitSpikes has no unit; 4: peeling penalty from the spike-free signal (peelFalseAlarm)
  scope: 'channel',
  // The filtered (referenced) signal: peeling subtracts the templates from it and detects again.
  inputs: [{ stage: 'features' }, { stage: 'detect' }, { stage: 'filter' }, { stage: 'reference', optional: true }],
  output: {
    kind: 'bundle',
    codec: codec<ClusterOutput>({ labels: 'i32', k: 'json', bic: 'json', peelSamples: 'i32', peelLabels: 'i32', peelAmplitudes: 'f32', peelWaveforms: 'f32', peelFeatures: 'f32' }),
  },
  weight: 0.6,
  summarize: (o) => ({ units: o.k, peeled: o.peelSamples.length }),
  run(p, ctx) {
    const ft = ctx.input(featuresStage);
    const d = ctx.input(detectStage);
    const read = referenced(ctx.reader('filter'), ctx.has('reference') ? ctx.reader('reference') : null);
    const c = clusterKernel(detected(d), { features: ft.features, nFeat: ft.d, whitened: ft.whitened, whitener: ft.whitener }, p, ctx.meta.sampleRate, ctx.meta.nSamples, { read, subSamples: d.subSamples, pre: d.pre });
    return {
      labels: c.labels, k: c.k, bic: [...c.bic].map((b) => (Number.isFinite(b) ? b : null)),
      peelSamples: c.peeled.samples, peelLabels: c.peeled.labels, peelAmplitudes: c.peeled.amplitudes, peelWaveforms: c.peeled.waveforms,
      peelFeatures: projectFeatures(ft, ft, c.peeled.waveforms, c.peeled.amplitudes, d.pre + d.post),
    };
  },
});

/** Every spike of a channel (detections and peeled spikes, by time) with its label. */
export function channelSpikes(det: DetectOutput, ft: FeaturesOutput, cl: ClusterOutput): SpikeTable {
  return mergePeeled({ ...det, features: ft.features }, cl.labels, {
    samples: cl.peelSamples, labels: cl.peelLabels, amplitudes: cl.peelAmplitudes, waveforms: cl.peelWaveforms, features: cl.peelFeatures,
  }, det.pre + det.post, ft.d);
}

export const metricsStage = defineStage<Record<string, never>, MetricsOutput>({
  name: 'metrics',
  version: 3, // 3: amplitude cutoff
  scope: 'channel',
  inputs: [{ stage: 'cluster' }, { stage: 'features' }, { stage: 'detect' }],
  output: { kind: 'bundle', codec: codec<MetricsOutput>({ meanWaveforms: 'f32', units: 'json' }) },
  weight: 0.2,
  run(_p, ctx) {
    const d = ctx.input(detectStage);
    const ft = ctx.input(featuresStage);
    const cl = ctx.input(clusterStage);
    const all = channelSpikes(d, ft, cl);
    const det = { ...detected(d), ...all };
    const m = metricsKernel(det, { features: all.features, nFeat: ft.d }, { labels: all.labels, k: cl.k }, ctx.meta.sampleRate, ctx.meta.nSamples);
    const means = new Float32Array(cl.k * det.width);
    m.waveformsMean.forEach((w, u) => means.set(w, u * det.width));
    const units = m.units.map((u) => ({
      label: u.unit, ...Object.fromEntries(Object.entries(u.metrics).map(([key, v]) => [key, Number.isFinite(v) ? v : null])),
    }));
    return { meanWaveforms: means, units };
  },
});
