import { describe, expect, it } from 'vitest';
import { generateQuirogaRecording } from './quiroga';

describe('generateQuirogaRecording', () => {
  const easy = generateQuirogaRecording({ seed: 5, difficulty: 'easy', noiseLevel: 0.1, durationS: 6 });

  it('is deterministic per seed and differs between seeds', () => {
    const again = generateQuirogaRecording({ seed: 5, difficulty: 'easy', noiseLevel: 0.1, durationS: 6 });
    expect(Array.from(again.channelBlock(0, 1000, 1200))).toEqual(Array.from(easy.channelBlock(0, 1000, 1200)));
    const other = generateQuirogaRecording({ seed: 6, difficulty: 'easy', noiseLevel: 0.1, durationS: 6 });
    expect(Array.from(other.channelBlock(0, 1000, 1200))).not.toEqual(Array.from(easy.channelBlock(0, 1000, 1200)));
  });

  it('has three refractory ~20 Hz units of peak 100 uV at 24 kHz on one channel', () => {
    expect(easy.sampleRate).toBe(24000);
    expect(easy.nChannels).toBe(1);
    expect(easy.units).toHaveLength(3);
    for (const u of easy.units) {
      const t = easy.trains[u.id];
      expect(t.length / 6).toBeGreaterThan(14);
      expect(t.length / 6).toBeLessThan(26);
      for (let i = 1; i < t.length; i++) expect(t[i] - t[i - 1]).toBeGreaterThanOrEqual(Math.floor(0.002 * 24000));
      expect(Math.min(...u.templateUv)).toBeCloseTo(-100, 0);
    }
  });

  it('scales the background to the noise level and keeps SNR proportional to 1 / noise', () => {
    const x = easy.channel(0);
    let ss = 0;
    for (const v of x) ss += v * v;
    // Total RMS is above the background's 10 uV (the units add power) but of its order.
    expect(Math.sqrt(ss / x.length)).toBeGreaterThan(10);
    expect(Math.sqrt(ss / x.length)).toBeLessThan(25);
    const noisy = generateQuirogaRecording({ seed: 5, difficulty: 'easy', noiseLevel: 0.2, durationS: 6 });
    easy.units.forEach((u, i) => expect(noisy.units[i].snr / u.snr).toBeCloseTo(0.5, 1));
  });

  it('draws similar shapes for difficult sets and distinct ones for easy sets', () => {
    const hard = generateQuirogaRecording({ seed: 5, difficulty: 'difficult', noiseLevel: 0.1, durationS: 2 });
    const rms = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length) / 100;
    const pairs = (r: typeof easy) => [[0, 1], [0, 2], [1, 2]].map(([i, j]) => rms(r.units[i].templateUv, r.units[j].templateUv));
    expect(Math.max(...pairs(hard))).toBeLessThan(Math.min(...pairs(easy)));
  });

  it('rejects impossible options', () => {
    expect(() => generateQuirogaRecording({ seed: 1, difficulty: 'easy', noiseLevel: 0, durationS: 1 })).toThrow(/noise level/);
  });
});
