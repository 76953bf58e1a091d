import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTER } from '../../shared/params';
import { bandpassSos } from '../dsp/butter';
import { sosfiltfiltF32 } from '../dsp/sos';
import { generateSpikeRecording } from './spikes';

describe('generateSpikeRecording', () => {
  const rec = generateSpikeRecording({ seed: 7, nChannels: 8, durationS: 6 });

  it('is the same however the channel is cut into blocks, and the same for the same seed', () => {
    const whole = rec.channelBlock(2, 30000, 110000);
    const parts = [rec.channelBlock(2, 30000, 32768), rec.channelBlock(2, 32768, 70001), rec.channelBlock(2, 70001, 110000)];
    const joined = new Float32Array(whole.length);
    let o = 0;
    for (const p of parts) { joined.set(p, o); o += p.length; }
    expect(Array.from(joined)).toEqual(Array.from(whole));
    const again = generateSpikeRecording({ seed: 7, nChannels: 8, durationS: 6 });
    expect(Array.from(again.channelBlock(2, 30000, 31000))).toEqual(Array.from(whole.subarray(0, 1000)));
    expect(again.trains.map((t) => t.length)).toEqual(rec.trains.map((t) => t.length));
    const other = generateSpikeRecording({ seed: 8, nChannels: 8, durationS: 6 });
    expect(Array.from(other.channelBlock(2, 30000, 30100))).not.toEqual(Array.from(whole.subarray(0, 100)));
  });

  it('has unit-less channels, refractory trains and biphasic negative waveforms', () => {
    const withUnits = new Set(rec.units.map((u) => u.channel));
    expect(withUnits.size).toBeLessThan(8);
    expect(withUnits.has(3)).toBe(false); // every fourth channel is empty
    for (const u of rec.units) {
      const t = rec.trains[u.id];
      const isis = Array.from(t.subarray(1), (v, i) => v - t[i]);
      expect(Math.min(...isis)).toBeGreaterThanOrEqual(Math.floor((u.refractoryMs / 1000) * rec.sampleRate) - 1);
      const tpl = Array.from(u.templateUv);
      const trough = tpl.indexOf(Math.min(...tpl));
      expect(Math.abs(trough - u.peakIndex)).toBeLessThanOrEqual(1);
      expect(Math.max(...tpl)).toBeGreaterThan(0); // rebound
      expect(Math.max(...tpl)).toBeLessThan(-Math.min(...tpl));
    }
  });

  it('honours the SNR definition on the band-passed signal', () => {
    const r = generateSpikeRecording({ seed: 3, nChannels: 1, durationS: 20, unitsPerChannel: [1], burstProb: 0 });
    const u = r.units[0];
    const x = sosfiltfiltF32(bandpassSos(DEFAULT_FILTER, r.sampleRate), r.channel(0));
    const abs = Float32Array.from(x, Math.abs).sort();
    const sigma = abs[abs.length >> 1] / 0.6745;
    // Mean band-passed waveform at the true spike times.
    const mean = new Float64Array(60);
    const t = r.trains[0];
    for (const s of t) for (let i = 0; i < 60; i++) mean[i] += x[s - 20 + i] / t.length;
    const peak = Math.max(...Array.from(mean, Math.abs));
    expect(sigma / r.noiseSigmaUv[0]).toBeGreaterThan(0.95);
    expect(sigma / r.noiseSigmaUv[0]).toBeLessThan(1.1);
    expect(peak / r.noiseSigmaUv[0] / u.snr).toBeGreaterThan(0.93);
    expect(peak / r.noiseSigmaUv[0] / u.snr).toBeLessThan(1.07);
  });

  it('raw noise sigma is in the 10-20 uV range and there is low-frequency LFP', () => {
    const r = generateSpikeRecording({ seed: 4, nChannels: 1, durationS: 2, unitsPerChannel: [0] });
    const x = r.channel(0);
    // Low-frequency power: the 10 ms moving average still varies by tens of uV.
    const w = 300;
    let lo = Infinity, hi = -Infinity;
    for (let s = 0; s + w <= x.length; s += w) {
      let m = 0;
      for (let i = 0; i < w; i++) m += x[s + i] / w;
      lo = Math.min(lo, m); hi = Math.max(hi, m);
    }
    expect(hi - lo).toBeGreaterThan(20);
    expect(r.noiseSigmaUv[0]).toBeGreaterThan(5);
    expect(r.noiseSigmaUv[0]).toBeLessThan(25);
  });

  it('rejects bad requests', () => {
    expect(() => rec.channelBlock(9, 0, 10)).toThrow(/outside/);
    expect(() => generateSpikeRecording({ seed: 1, durationS: 0 })).toThrow(/positive duration/);
  });
});
