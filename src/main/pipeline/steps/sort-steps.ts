// The per-channel spike-sorting steps on top of the compute core: detect (threshold, waveforms),
// features (PCA, optional energy/amplitude), cluster (GMM with BIC model selection) and metrics.
// Detection reads the (referenced) filtered channel whole in fast mode or in blocks with margins
// in low-memory mode; the detector is local, so both give the same spikes and waveforms.

import type { DetectParams } from '../../../shared/params';
import { detectGeometry, detectSpikes, detectSpikesInBlock, noiseSigmaBlocked, noiseSigmaProfile, type Sigma } from '../../../workers/sort/detect';
import { extractWaveforms, extractWaveformsAligned } from '../../../workers/sort/waveforms';
import { pca } from '../../../workers/sort/pca';
import { gmmParameterCount, selectGmm } from '../../../workers/sort/gmm';
import { unitMetrics } from '../../../workers/sort/metrics';
import { readBundle, writeBundle, type Bundle } from '../bundle';
import type { StepContext } from './context';
import { ChannelFile, filteredWhole } from './filter-steps';

/** Fewer spikes than this on a channel: no clustering, no units. */
export const MIN_SPIKES = 10;

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
      arrays = { samples: sp.samples, subSamples: sp.subSamples, amplitudes: sp.amplitudes, waveforms: wf };
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
        arrays = { samples, subSamples: cat((q) => q.subSamples, Float64Array), amplitudes: cat((q) => q.amplitudes, Float32Array), waveforms: cat((q) => q.waveforms, Float32Array) };
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

export function featuresStep(ctx: StepContext): void {
  const fp = ctx.task.sort!.features;
  const det = bundleOf(ctx, 'detect');
  const n = det.info.nSpikes as number;
  const w = (det.info.pre as number) + (det.info.post as number);
  const wf = det.arrays.waveforms as Float32Array;
  const k = Math.min(fp.nPcs, w);
  const extra = (fp.energy ? 1 : 0) + (fp.amplitude ? 1 : 0);
  const d = k + extra;
  const features = new Float32Array(n * d);
  let components: Float64Array = new Float64Array(0), mean: Float64Array = new Float64Array(0);
  if (n >= Math.max(2, MIN_SPIKES)) {
    const model = pca(wf, n, w, k);
    components = model.components;
    mean = model.mean;
    const pcs = model.project(wf, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) features[r * d + c] = pcs[r * k + c];
    // blech_clust's extra features: log energy and arcsinh amplitude, z-scored so they weigh like a PC.
    const extras: Float64Array[] = [];
    if (fp.energy) extras.push(Float64Array.from({ length: n }, (_, r) => { let e = 0; for (let j = 0; j < w; j++) e += wf[r * w + j] ** 2; return Math.log(e / w + 1e-12); }));
    if (fp.amplitude) extras.push(Float64Array.from({ length: n }, (_, r) => Math.asinh((det.arrays.amplitudes as Float32Array)[r])));
    extras.forEach((col, ci) => {
      let m = 0, v = 0;
      for (let r = 0; r < n; r++) m += col[r];
      m /= n;
      for (let r = 0; r < n; r++) v += (col[r] - m) ** 2;
      const sd = Math.sqrt(v / Math.max(1, n - 1)) || 1;
      for (let r = 0; r < n; r++) features[r * d + k + ci] = (col[r] - m) / sd;
    });
  }
  ctx.progress('features', 1);
  save(ctx, 'features', { info: { n, d, nPcs: k }, arrays: { features, components, mean } });
}

export function clusterStep(ctx: StepContext): void {
  const cp = ctx.task.sort!.cluster;
  const ft = bundleOf(ctx, 'features');
  const n = ft.info.n as number, d = ft.info.d as number;
  const X = ft.arrays.features as Float32Array;
  let labels: Int32Array = new Int32Array(n).fill(-1);
  let k = 0;
  let bic: number[] = [];
  if (n >= MIN_SPIKES) {
    const fit = Math.min(n, cp.maxFitSpikes);
    if (cp.kMin > 1 && fit < 2 * gmmParameterCount(cp.kMin, d)) {
      labels = new Int32Array(n); // too few spikes for the smallest model: one unit
      k = 1;
    } else {
      // The seed depends on the channel only through the parameters, so any worker gives the same labels.
      const r = selectGmm(X, n, d, { ...cp, seed: cp.seed * 1000003 + ctx.task.channel });
      labels = r.labels;
      k = r.model.k;
      bic = [...r.bic];
    }
  }
  ctx.summary.units = k;
  ctx.progress('cluster', 1);
  save(ctx, 'cluster', { info: { k, bic: bic.map((b) => (Number.isFinite(b) ? b : null)) }, arrays: { labels } });
}

export function metricsStep(ctx: StepContext): void {
  const det = bundleOf(ctx, 'detect');
  const ft = bundleOf(ctx, 'features');
  const cl = bundleOf(ctx, 'cluster');
  const fs = ctx.source.meta.sampleRate;
  const durationS = ctx.source.meta.nSamples / fs;
  const labels = cl.arrays.labels as Int32Array;
  const k = cl.info.k as number;
  const w = (det.info.pre as number) + (det.info.post as number);
  const wf = det.arrays.waveforms as Float32Array;
  const samples = det.arrays.samples as Int32Array;
  const amps = det.arrays.amplitudes as Float32Array;
  const units: Record<string, unknown>[] = [];
  const means = new Float32Array(k * w);
  for (let u = 0; u < k; u++) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === u) idx.push(i);
    if (!idx.length) continue;
    const mw = new Float64Array(w);
    for (const i of idx) for (let j = 0; j < w; j++) mw[j] += wf[i * w + j];
    for (let j = 0; j < w; j++) means[u * w + j] = mw[j] / idx.length;
    const m = unitMetrics({
      samples: idx.map((i) => samples[i]), amplitudes: idx.map((i) => amps[i]), meanWaveform: means.subarray(u * w, (u + 1) * w),
      sigma: det.info.sigma as number, fs, durationS, features: ft.arrays.features as Float32Array, nFeat: ft.info.d as number, labels, unit: u,
    });
    units.push({ label: u, ...Object.fromEntries(Object.entries(m).map(([key, v]) => [key, Number.isFinite(v) ? v : null])) });
    ctx.progress('metrics', (u + 1) / k);
  }
  save(ctx, 'metrics', { info: { units }, arrays: { meanWaveforms: means } });
}
