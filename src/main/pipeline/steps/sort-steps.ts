// The per-channel spike-sorting steps: the compute core's stage functions (sort-channel.ts) with
// each result stored as a cache bundle. Detection reads the (referenced) filtered channel whole in
// fast mode, or in blocks with margins in low-memory mode; the detector is local and the noise
// snippets are read on demand, so both modes give the same spikes, waveforms and noise covariance.

import type { DetectParams } from '../../../shared/params';
import { detectGeometry, detectSpikes, detectSpikesInBlock, noiseSigmaBlocked, noiseSigmaProfile, type Sigma } from '../../../workers/sort/detect';
import { extractWaveforms, extractWaveformsAligned } from '../../../workers/sort/waveforms';
import { clusterStage, featureStage, metricsStage, noiseCovariance } from '../../../workers/sort/sort-channel';
import { readBundle, writeBundle, type Bundle } from '../bundle';
import type { StepContext } from './context';
import { ChannelFile, filteredWhole } from './filter-steps';

/** Noise snippets for the whitening covariance (as detectStage uses). */
const NOISE_SNIPPETS = 3000;

/**
 * A read-only view of a filtered channel file that indexes like a Float32Array, for the few
 * thousand random noise snippets of noiseCovariance without holding the channel in memory.
 */
function lazyChannel(read: (s: number, e: number) => Float32Array, n: number): Float32Array {
  const W = 4096;
  let w0 = -1;
  let win: Float32Array = new Float32Array(0);
  return new Proxy(new Float32Array(0), {
    get(_t, prop) {
      if (prop === 'length') return n;
      if (typeof prop === 'string') {
        const i = Number(prop);
        if (Number.isInteger(i)) {
          if (i < w0 || i >= w0 + win.length) { w0 = Math.max(0, Math.min(i - 64, n - W)); win = read(w0, Math.min(n, w0 + W)); }
          return win[i - w0];
        }
      }
      return undefined;
    },
  });
}

function bundleOf(ctx: StepContext, stage: 'detect' | 'features' | 'cluster'): Bundle {
  const m = ctx.memo.get(stage) as Bundle | undefined;
  return m ?? readBundle(ctx.task.files[stage]!);
}

function save(ctx: StepContext, stage: 'detect' | 'features' | 'cluster' | 'metrics', b: Bundle): void {
  writeBundle(ctx.task.files[stage]!, b);
  ctx.memo.set(stage, b);
}

function waveformsAt(x: Float32Array, det: { samples: Int32Array; subSamples: Float64Array }, p: DetectParams, pre: number, post: number, offset: number, n: number): Float32Array {
  return p.alignUpsample > 1
    ? extractWaveformsAligned(x, det.subSamples, pre, post, offset, n)
    : extractWaveforms(x, det.samples, pre, post, offset);
}

export function detectStep(ctx: StepContext): void {
  const { task, source } = ctx;
  const p = task.sort!.detect;
  const fs = source.meta.sampleRate;
  const n = source.meta.nSamples;
  const { pre, post, margin } = detectGeometry(fs, p);
  const ref = task.files.reference ? new ChannelFile(task.files.reference) : null;
  let info: Record<string, unknown>;
  let arrays: Bundle['arrays'];
  try {
    if (task.blockSamples === 0) {
      // Copy only when referencing: the filtered channel in memory stays as cached.
      const x = ref ? Float32Array.from(filteredWhole(ctx)) : filteredWhole(ctx);
      if (ref) { const r = ref.read(0, n); for (let i = 0; i < n; i++) x[i] -= r[i]; }
      ctx.progress('detect', 0.3);
      const sp = detectSpikes(x, fs, p);
      const wf = waveformsAt(x, sp, p, pre, post, 0, n);
      info = { sigma: sp.sigma, pre, post, nSpikes: sp.samples.length };
      const noiseCov = noiseCovariance(x, sp.samples, pre + post, NOISE_SNIPPETS);
      arrays = { samples: sp.samples, subSamples: sp.subSamples, amplitudes: sp.amplitudes, waveforms: wf, noiseCov };
    } else {
      const file = new ChannelFile(task.files.filter!);
      const read = (s: number, e: number): Float32Array => {
        const x = file.read(s, e);
        if (ref) { const r = ref.read(s, e); for (let i = 0; i < x.length; i++) x[i] -= r[i]; }
        return x;
      };
      try {
        const B = task.blockSamples;
        const sigma: Sigma = p.sigmaWindowS > 0 ? noiseSigmaProfile(read, n, fs, p.sigmaWindowS) : noiseSigmaBlocked(read, n, B);
        ctx.progress('detect', 0.3);
        // Context for the detector's dead time and for the (aligned) waveform windows.
        const M = Math.max(margin, pre + 2, post + 3);
        const parts: { samples: Int32Array; subSamples: Float64Array; amplitudes: Float32Array; waveforms: Float32Array }[] = [];
        let sig0 = typeof sigma === 'number' ? sigma : NaN;
        for (let s = 0; s < n; s += B) {
          const e = Math.min(n, s + B);
          const a = Math.max(0, s - M), b = Math.min(n, e + M);
          const x = read(a, b);
          const sp = detectSpikesInBlock(x, a, fs, p, sigma, s, e, n);
          sig0 = sp.sigma;
          parts.push({ ...sp, waveforms: waveformsAt(x, sp, p, pre, post, a, n) });
          ctx.progress('detect', 0.3 + (0.7 * e) / n);
        }
        const cat = <T extends Int32Array | Float64Array | Float32Array>(pick: (q: typeof parts[number]) => T, C: { new (len: number): T }): T => {
          const out = new C(parts.reduce((acc, q) => acc + pick(q).length, 0));
          let o = 0;
          for (const q of parts) { out.set(pick(q) as never, o); o += pick(q).length; }
          return out;
        };
        const samples = cat((q) => q.samples, Int32Array);
        info = { sigma: sig0, pre, post, nSpikes: samples.length };
        const noiseCov = noiseCovariance(lazyChannel(read, n), samples, pre + post, NOISE_SNIPPETS);
        arrays = { samples, subSamples: cat((q) => q.subSamples, Float64Array), amplitudes: cat((q) => q.amplitudes, Float32Array), waveforms: cat((q) => q.waveforms, Float32Array), noiseCov };
      } finally {
        file.close();
      }
    }
  } finally {
    ref?.close();
  }
  ctx.summary.nSpikes = info.nSpikes;
  save(ctx, 'detect', { info, arrays });
}

function detectOf(ctx: StepContext): { samples: Int32Array; amplitudes: Float32Array; waveforms: Float32Array; width: number; sigma: number; noiseCov: Float64Array } {
  const det = bundleOf(ctx, 'detect');
  return {
    samples: det.arrays.samples as Int32Array, amplitudes: det.arrays.amplitudes as Float32Array, waveforms: det.arrays.waveforms as Float32Array,
    width: (det.info.pre as number) + (det.info.post as number), sigma: det.info.sigma as number, noiseCov: det.arrays.noiseCov as Float64Array,
  };
}

function featuresOf(ctx: StepContext): { features: Float32Array; nFeat: number; whitened: boolean } {
  const ft = bundleOf(ctx, 'features');
  return { features: ft.arrays.features as Float32Array, nFeat: ft.info.d as number, whitened: ft.info.whitened as boolean };
}

export function featuresStep(ctx: StepContext): void {
  const det = detectOf(ctx);
  const f = featureStage(det, ctx.task.sort!.features);
  ctx.progress('features', 1);
  save(ctx, 'features', {
    info: { n: det.samples.length, d: f.nFeat, whitened: f.whitened },
    arrays: { features: f.features, components: f.components, mean: f.mean, whitener: f.whitener },
  });
}

export function clusterStep(ctx: StepContext): void {
  const det = detectOf(ctx);
  const meta = ctx.source.meta;
  const c = clusterStage(det, featuresOf(ctx), ctx.task.sort!.cluster, meta.sampleRate, meta.nSamples);
  ctx.summary.units = c.k;
  ctx.progress('cluster', 1);
  save(ctx, 'cluster', { info: { k: c.k, bic: [...c.bic].map((b) => (Number.isFinite(b) ? b : null)) }, arrays: { labels: c.labels } });
}

export function metricsStep(ctx: StepContext): void {
  const det = detectOf(ctx);
  const cl = bundleOf(ctx, 'cluster');
  const meta = ctx.source.meta;
  const labels = cl.arrays.labels as Int32Array;
  const k = cl.info.k as number;
  const m = metricsStage(det, featuresOf(ctx), { labels, k }, meta.sampleRate, meta.nSamples);
  const means = new Float32Array(k * det.width);
  m.waveformsMean.forEach((w, u) => means.set(w, u * det.width));
  const units = m.units.map((u) => ({
    label: u.unit, ...Object.fromEntries(Object.entries(u.metrics).map(([key, v]) => [key, Number.isFinite(v) ? v : null])),
  }));
  ctx.progress('metrics', 1);
  save(ctx, 'metrics', { info: { units }, arrays: { meanWaveforms: means } });
}
