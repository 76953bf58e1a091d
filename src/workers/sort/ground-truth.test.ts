// Ground-truth accuracy of the whole per-channel chain on synthetic recordings (synth/spikes.ts):
// pink-ish noise at two levels, LFP, background hash, bursts with shrinking amplitude, overlapping
// spikes, similar-waveform pairs, unit-less channels. Prints the accuracy table.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, mergeParams, type SortParams } from '../../shared/params';
import { generateSpikeRecording } from '../synth/spikes';
import { compareSortings } from './accuracy';
import { sortChannel } from './sort-channel';

// The "high recall" settings (also a preset in the app): threshold 3.5 sigma, alignment on a x5
// upsampled waveform. Chosen on held-out seeds 2, 4, 5, 6 (pooled 0.906 vs 0.899 at 4 sigma), not on these.
const params: SortParams = mergeParams(DEFAULT_SORT, { detect: { threshold: 3.5, alignUpsample: 5 } });

interface Row { unit: number; channel: number; snr: number; accuracy: number; recall: number; precision: number; bursty: boolean; similarTo: number }

function evaluate(seed: number, nChannels: number, durationS: number, noiseUv: [number, number]): { rows: Row[]; spurious: number[] } {
  const rec = generateSpikeRecording({ seed, nChannels, durationS, noiseUv });
  const rows: Row[] = [];
  const spurious: number[] = [];
  for (let c = 0; c < nChannels; c++) {
    const r = sortChannel(rec.channel(c), rec.sampleRate, params);
    const found = Array.from({ length: r.k }, (_, u) => ({ id: u, samples: r.samples.filter((_, i) => r.labels[i] === u) }));
    const truth = rec.units.filter((u) => u.channel === c);
    if (!truth.length) { spurious.push(found.length); continue; }
    const cmp = compareSortings(truth.map((u) => ({ id: u.id, samples: rec.trains[u.id] })), found, rec.sampleRate, 0.4);
    for (const a of cmp.units) {
      const u = rec.units[a.trueId];
      rows.push({ unit: u.id, channel: c, snr: u.snr, accuracy: a.accuracy, recall: a.recall, precision: a.precision, bursty: u.bursty, similarTo: u.similarTo });
    }
  }
  return { rows, spurious };
}

describe('sorting accuracy on ground truth', () => {
  it('reaches mean accuracy >= 0.9 on SNR >= 5 units with at most one spurious unit per unit-less channel', () => {
    const runs = [
      { seed: 1, noise: [8, 12] as [number, number] },
      { seed: 3, noise: [15, 22] as [number, number] },
    ];
    const all: (Row & { seed: number })[] = [];
    const spurious: number[] = [];
    for (const r of runs) {
      const e = evaluate(r.seed, 12, 40, r.noise);
      all.push(...e.rows.map((row) => ({ ...row, seed: r.seed })));
      spurious.push(...e.spurious);
    }
    console.table(all.map((r) => ({
      seed: r.seed, unit: r.unit, channel: r.channel, snr: +r.snr.toFixed(1), accuracy: +r.accuracy.toFixed(3),
      recall: +r.recall.toFixed(2), precision: +r.precision.toFixed(2), bursty: r.bursty, similarTo: r.similarTo,
    })));
    const good = all.filter((r) => r.snr >= 5);
    const mean = good.reduce((s, r) => s + r.accuracy, 0) / good.length;
    console.log(`mean accuracy over ${good.length} units with SNR >= 5: ${mean.toFixed(3)}; found units on unit-less channels: ${spurious.join(', ')}`);
    expect(good.length).toBeGreaterThan(15);
    expect(spurious.length).toBeGreaterThan(3);
    for (const s of spurious) expect(s).toBeLessThanOrEqual(1);
    // The target. Measured 0.902 here (seed 1 0.896, seed 3 0.911) and 0.906 pooled over
    // held-out seeds 2, 4, 5, 6; the remaining losses: bursty SNR ~5 units whose shrinking followers
    // fall below threshold, SNR 3-5 units contaminating neighbours, pairs ~3 noise SDs apart.
    expect(mean).toBeGreaterThanOrEqual(0.9);
    // Units with SNR >= 10 are sorted well.
    const strong = all.filter((r) => r.snr >= 10);
    expect(strong.reduce((s, r) => s + r.accuracy, 0) / strong.length).toBeGreaterThan(0.9);
  }, 120_000);
});
