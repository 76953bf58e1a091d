// A small synthetic SortedResult for the export tests: spike trains drawn with the seeded RNG,
// waveforms built from a known shape, so every exporter can be checked against the input.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Label } from '../../src/shared/curation';
import type { ExportUnit, SortedResult } from '../../src/shared/export';
import { Rng } from '../../src/workers/rng';

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `spikedesk-export-${tag}-`));
}

export function makeResult(opts: { seed?: number; nUnits?: number; recordingPath?: string; format?: SortedResult['recording']['format'] } = {}): SortedResult {
  const rng = new Rng(opts.seed ?? 7);
  const fs_ = 30000, nSamples = 30000 * 10, pre = 30, post = 45, w = pre + post, nFeat = 3;
  const labels: Label[] = ['good', 'mua', 'noise', 'unsorted', 'good'];
  const channels = Array.from({ length: 4 }, (_, c) => ({ name: `CH${c + 1}`, group: c < 2 ? 'shank0' : 'shank1' }));
  const units: ExportUnit[] = Array.from({ length: opts.nUnits ?? 5 }, (_, k) => {
    const n = 20 + Math.floor(rng.uniform() * 40);
    const spikes = new Float64Array(n);
    for (let i = 0; i < n; i++) spikes[i] = Math.floor(rng.uniform() * nSamples);
    spikes.sort();
    const shape = Float32Array.from({ length: w }, (_, j) => -(80 + 10 * k) * Math.exp(-(((j - pre) / (2 + k)) ** 2)) + 20 * Math.exp(-(((j - pre - 8 - 2 * k) / 6) ** 2)));
    const waveforms = new Float32Array(n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) waveforms[i * w + j] = shape[j] + 5 * (rng.uniform() - 0.5);
    const mean = new Float32Array(w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) mean[j] += waveforms[i * w + j] / n;
    return {
      id: 10 + 3 * k, channel: k % channels.length, label: labels[k % labels.length], spikes,
      amplitudes: Float32Array.from({ length: n }, (_, i) => waveforms[i * w + pre]),
      meanWaveform: mean, waveforms, features: Float32Array.from({ length: n * nFeat }, () => rng.uniform() * 10 - 5),
      metrics: { nSpikes: n, snr: 3 + k, isiViolations1ms: k === 1 ? null : 0.001 * k, firingRateHz: n / 10 },
    };
  });
  return {
    recording: { path: opts.recordingPath ?? '/nonexistent/rec.dat', format: opts.format ?? 'raw', sampleRate: fs_, nSamples, channels },
    waveform: { pre, post }, featureNames: ['PC1', 'PC2', 'PC3'], units,
    params: { filter: { lowHz: 300, highHz: 6000, order: 4, reference: 'none' } }, curationJournalLength: 4,
    inputHash: null, origin: { kind: 'memory', path: null, runId: null },
  };
}

/** Names left in a folder other than the expected outputs (temp files of a failed export). */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('.'));
}
