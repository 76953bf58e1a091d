// The EEG-fMRI demo: 32 EEG channels at 5 kHz with gradient artifacts, written as BrainVision
// (float32, slice triggers as markers), plus the clean EEG (clean.f32, interleaved float32 uV)
// and the truth (truth.json) kept for scoring the correction.

import path from 'node:path';
import { generateEegFmri, type EegFmriRecording } from '../workers/synth/eeg-fmri';
import { thetaBursts, type ThetaBursts } from '../workers/synth/theta-bursts';
import { writeBrainVision } from './io/brainvision/bv-write';
import { AtomicFileWriter, writeFileAtomic } from './io/atomic';

export const EEG_DEMO = { nChannels: 32, fs: 5000, durationS: 120 };

export async function writeEegDemo(dir: string, seed: number, onProgress?: (f: number) => void): Promise<string> {
  const rec = withThetaBursts(generateEegFmri({ seed, nChannels: EEG_DEMO.nChannels, fs: EEG_DEMO.fs, durationS: EEG_DEMO.durationS, markers: 'slice' }), seed);
  const nEeg = rec.nChannels;
  const vhdr = path.join(dir, 'eeg_fmri_demo.vhdr');
  await writeBrainVision(vhdr, {
    channels: rec.channelNames.slice(0, nEeg).map((name) => ({ name })),
    sampleRate: rec.fs,
    nSamples: rec.nSamples,
    events: rec.events,
  }, async (start, end) => {
    onProgress?.(0.9 * (end / rec.nSamples));
    await new Promise((r) => setImmediate(r));
    return Array.from({ length: nEeg }, (_, c) => rec.channelBlock(c, start, end));
  });
  const w = AtomicFileWriter.open(path.join(dir, 'clean.f32'));
  try {
    const block = rec.fs * 10;
    for (let s = 0; s < rec.nSamples; s += block) {
      const e = Math.min(rec.nSamples, s + block);
      const chans = Array.from({ length: nEeg }, (_, c) => rec.cleanBlock(c, s, e));
      const buf = new Float32Array((e - s) * nEeg);
      for (let i = 0; i < e - s; i++) for (let c = 0; c < nEeg; c++) buf[i * nEeg + c] = chans[c][i];
      w.write(new Uint8Array(buf.buffer));
    }
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
  const t = rec.truth;
  const th = rec.theta;
  writeFileAtomic(path.join(dir, 'truth.json'), JSON.stringify({
    seed, fs: rec.fs, nSamples: rec.nSamples, nChannels: nEeg, onsets: Array.from(t.onsets), dropped: t.dropped,
    acqStart: t.acqStart, acqEnd: t.acqEnd, slicePeriodSamples: t.slicePeriodSamples, sliceFreqHz: t.sliceFreqHz,
    cleanFile: 'clean.f32 (interleaved float32 uV, channels in .vhdr order)',
    theta: { onsetsS: th.onsetsS, durationS: th.durationS, freqHz: th.freqHz, channels: th.channels.map((c) => rec.channelNames[c]) },
  }));
  onProgress?.(1);
  return vhdr;
}

/** The demo's EEG with theta bursts in a channel group (in the clean EEG, so also in the recorded one). */
export function withThetaBursts(rec: EegFmriRecording, seed: number): EegFmriRecording & { theta: ThetaBursts } {
  const theta = thetaBursts({ seed, fs: rec.fs, nSamples: rec.nSamples });
  const add = (c: number, start: number, out: Float32Array): Float32Array => { theta.addTo(c, start, out); return out; };
  return {
    ...rec, theta,
    cleanBlock: (c, s, e) => add(c, s, rec.cleanBlock(c, s, e)),
    channelBlock: (c, s, e) => add(c, s, rec.channelBlock(c, s, e)),
  };
}
