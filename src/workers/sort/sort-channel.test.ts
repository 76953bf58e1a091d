import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, mergeParams, type SortParams } from '../../shared/params';
import { generateSpikeRecording } from '../synth/spikes';
import { clusterStage, detectStage, featureStage, filterStage, mergePeeled, metricsStage, noiseCovariance, projectFeatures, sortChannel, whitener } from './sort-channel';
import { symmetricEigen } from './linalg';

const params: SortParams = mergeParams(DEFAULT_SORT, { detect: { threshold: 4, alignUpsample: 5 } });

describe('sortChannel', () => {
  const rec = generateSpikeRecording({ seed: 21, nChannels: 2, durationS: 12, unitsPerChannel: [2, 0], burstProb: 0, similarPairProb: 0, snrRange: [8, 16] });
  const x = rec.channel(0);

  it('equals the composition of its cached stages and is deterministic', () => {
    const a = sortChannel(x, rec.sampleRate, params);
    const f = filterStage(x, rec.sampleRate, params.filter);
    const d = detectStage(f, rec.sampleRate, params.detect);
    const ft = featureStage(d, params.features);
    const c = clusterStage(d, ft, params.cluster, rec.sampleRate, x.length, { read: (s, e) => f.subarray(s, e), subSamples: d.subSamples, pre: d.pre });
    // Detections plus the hidden spikes peeling recovered, by time.
    const all = mergePeeled({ ...d, features: ft.features }, c.labels, { ...c.peeled, features: projectFeatures(ft, params.features, c.peeled.waveforms, c.peeled.amplitudes, d.width) }, d.width, ft.nFeat);
    const m = metricsStage({ ...d, ...all }, { features: all.features, nFeat: ft.nFeat }, { labels: all.labels, k: c.k }, rec.sampleRate, x.length);
    expect(Array.from(a.labels)).toEqual(Array.from(all.labels));
    expect(Array.from(a.samples)).toEqual(Array.from(all.samples));
    expect(a.samples.length).toBe(d.samples.length + c.peeled.samples.length);
    // Peeled spikes are placed in feature space as the feature stage places detections.
    const again = projectFeatures(ft, params.features, d.waveforms, d.amplitudes, d.width);
    let err = 0, scale = 0;
    for (let i = 0; i < again.length; i++) { err = Math.max(err, Math.abs(again[i] - ft.features[i])); scale = Math.max(scale, Math.abs(ft.features[i])); }
    expect(err).toBeLessThan(1e-4 * scale);
    expect(a.units.map((u) => u.metrics.nSpikes)).toEqual(m.units.map((u) => u.metrics.nSpikes));
    const b = sortChannel(Float32Array.from(x), rec.sampleRate, params);
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Array.from(b.features)).toEqual(Array.from(a.features));
  });

  it('finds both units, orders them by amplitude and reports metrics', () => {
    const r = sortChannel(x, rec.sampleRate, params);
    expect(r.k).toBe(2);
    expect(r.units[0].metrics.snr).toBeGreaterThan(r.units[1].metrics.snr);
    for (const u of r.units) {
      expect(u.metrics.nSpikes).toBeGreaterThan(20);
      expect(u.metrics.isiViolation1ms).toBeLessThan(0.01);
      expect(u.metrics.presenceRatio).toBe(1);
    }
    expect(r.waveformsMean[0][r.pre]).toBeLessThan(0);
    expect(r.features.length).toBe(r.samples.length * r.nFeat);
  });

  it('handles a channel without spikes and rejects an empty one', () => {
    const quiet = new Float32Array(30000);
    const r = sortChannel(quiet.map((_, i) => Math.sin(i) * 1e-3), rec.sampleRate, params);
    expect(r.samples.length).toBeLessThan(5);
    expect(() => sortChannel(new Float32Array(0), 30000, params)).toThrow(/cannot sort/);
  });

  it('too few detections to cluster make one unit only from minUnitSpikes on (a channel without a neuron has a few crossings)', () => {
    const w = 8;
    const stage = (n: number) => clusterStage(
      { samples: Int32Array.from({ length: n }, (_, i) => 1000 * (i + 1)), amplitudes: new Float32Array(n).fill(-80), waveforms: new Float32Array(n * w), width: w },
      { features: new Float32Array(n * 3), nFeat: 3, whitened: false, whitener: new Float64Array(0) }, params.cluster, 30000, 30000 * 60);
    const p = params.cluster;
    expect(p.minUnitSpikes).toBeLessThan(p.minSpikesToCluster);
    const few = stage(p.minUnitSpikes - 1);
    expect(few.k).toBe(0);
    expect(Array.from(few.labels).every((l) => l === -1)).toBe(true);
    const one = stage(p.minUnitSpikes);
    expect(one.k).toBe(1);
    expect(Array.from(one.labels).every((l) => l === 0)).toBe(true);
  });
});

describe('noise whitening', () => {
  it('whitener(C) C whitener(C) is the identity for a well-conditioned covariance', () => {
    const d = 4;
    const C = Float64Array.from([4, 1, 0, 0.5, 1, 3, 0.2, 0, 0, 0.2, 2, 0.1, 0.5, 0, 0.1, 1]);
    const W = whitener(C, d, 1e-6);
    const WC = new Float64Array(d * d), WCW = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) WC[i * d + j] += W[i * d + k] * C[k * d + j];
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) WCW[i * d + j] += WC[i * d + k] * W[k * d + j];
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(WCW[i * d + j]).toBeCloseTo(i === j ? 1 : 0, 10);
  });

  it('noiseCovariance avoids spikes and estimates the variance of white noise', () => {
    const n = 200000;
    let s = 1;
    const x = Float32Array.from({ length: n }, () => { s = (s * 16807) % 2147483647; return (s / 2147483647 - 0.5) * Math.sqrt(12); });
    const spikes = Int32Array.from({ length: 50 }, (_, i) => 1000 + i * 3000);
    for (const t of spikes) x[t] = -1000;
    const C = noiseCovariance(x, spikes, 10, 3000);
    const { values } = symmetricEigen(C, 10);
    expect(values[0]).toBeLessThan(1.2); // a spike of -1000 in a snippet would dominate
    expect(values[9]).toBeGreaterThan(0.8);
    expect(noiseCovariance(new Float32Array(25), new Int32Array(0), 10, 100).length).toBe(0);
  });
});
