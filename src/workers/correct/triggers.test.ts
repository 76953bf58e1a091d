import { describe, expect, it } from 'vitest';
import { analyzeTriggers, completeMissing, findTriggerSource, triggersFromChannel, triggersFromEvents } from './triggers';
import { generateEegFmri } from '../synth/eeg-fmri';
import { SpikeDeskError } from '../../shared/errors';

const rec = generateEegFmri({ seed: 11, nChannels: 2, durationS: 40, cleanBeforeS: 5, cleanAfterS: 5 });
const truthMarkers = Array.from(rec.truth.onsets, Math.floor);

describe('trigger sources', () => {
  it('reads the same triggers from markers and from the stim channel', () => {
    const fromEvents = triggersFromEvents(rec.events, 'R128');
    const fromStim = triggersFromChannel(rec.stimBlock(0, rec.nSamples));
    expect(fromEvents).toEqual(fromStim);
    expect(fromEvents.length).toBe(rec.truth.onsets.length - 1);
    // Reading the stim channel in blocks with the carried previous value gives the same list.
    const blocks: number[] = [];
    let prev = 0;
    for (let s = 0; s < rec.nSamples; s += 7001) {
      const b = rec.stimBlock(s, Math.min(rec.nSamples, s + 7001));
      blocks.push(...triggersFromChannel(b, { offset: s, previous: prev }));
      prev = b[b.length - 1];
    }
    expect(blocks).toEqual(fromStim);
  });

  it('findTriggerSource prefers scanner markers, then the stim channel, and says which it used', () => {
    const ev = findTriggerSource(rec.meta);
    expect(ev.kind).toBe('events');
    expect(ev.reason).toMatch(/R128/);
    const ch = findTriggerSource({ channels: rec.meta.channels, events: rec.events.filter((e) => !e.label.includes('R128')) });
    expect(ch).toMatchObject({ kind: 'channel', name: 'STI' });
    expect(findTriggerSource(rec.meta, { source: 'channel' })).toMatchObject({ kind: 'channel', channel: 2 });
    expect(findTriggerSource(rec.meta, { source: 'events', regex: 'S  1' })).toMatchObject({ kind: 'events' });
  });

  it('throws NO_TRIGGERS with a fix when nothing usable exists', () => {
    const eegOnly = rec.meta.channels.filter((c) => c.kind !== 'stim');
    let err: unknown;
    try { findTriggerSource({ channels: eegOnly, events: [{ sample: 1, duration: 0, label: 'Comment/hello' }] }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SpikeDeskError);
    expect((err as SpikeDeskError).code).toBe('NO_TRIGGERS');
    expect((err as SpikeDeskError).fix).toBeTruthy();
    expect(() => findTriggerSource(rec.meta, { source: 'events', regex: 'R999' })).toThrow(/labels found/);
    expect(() => analyzeTriggers([], 5000)).toThrow(SpikeDeskError);
    expect(() => analyzeTriggers([5, 10], 5000)).toThrow(/only 2/);
  });
});

describe('volume structure and missing triggers', () => {
  const trig = triggersFromEvents(rec.events, 'R128');
  const a = analyzeTriggers(trig, rec.fs);

  it('finds the volumes and their gaps', () => {
    const nVol = rec.truth.volumeOf[rec.truth.volumeOf.length - 1] + 1;
    expect(a.volumes.length).toBe(nVol);
    expect(a.slicesPerVolume).toBe(20);
    expect(a.volumeGap / a.medianSpacing).toBeCloseTo(1.6, 1);
  });

  it('finds the dropped trigger and completes it by template matching (r > 0.9)', () => {
    expect(a.missing.length).toBe(1);
    const truth = rec.truth.onsets[rec.truth.dropped];
    expect(Math.abs(a.missing[0].expected[0] - truth)).toBeLessThan(2);
    const ref = rec.channelBlock(0, 0, rec.nSamples);
    const done = completeMissing(a, ref);
    expect(done.added.length).toBe(1);
    expect(Math.abs(done.added[0] - Math.floor(truth))).toBeLessThanOrEqual(1);
    expect(done.correlations[0]).toBeGreaterThan(0.9);
    expect(done.triggers.length).toBe(truthMarkers.length);
    const again = analyzeTriggers(done.triggers, rec.fs);
    expect(again.missing.length).toBe(0);
    expect(again.volumes.every(([s, e]) => e - s + 1 === 20)).toBe(true);
  });

  it('rejects a completion that does not match the artifact', () => {
    const flat = new Float32Array(rec.nSamples);
    const done = completeMissing(a, flat);
    expect(done.added.length).toBe(0);
    expect(done.unresolved.length).toBe(1);
  });

  it('handles a missing first slice of a volume and volume triggers without gaps', () => {
    const v3 = a.volumes[3][0];
    const cut = trig.filter((_, i) => i !== v3);
    const b = analyzeTriggers(cut, rec.fs);
    expect(b.missing.length).toBe(2);
    const exp = b.missing.flatMap((g) => g.expected);
    expect(exp.some((e) => Math.abs(e - trig[v3]) < 3)).toBe(true);
    const vols = a.volumes.map(([s]) => trig[s]).filter((_, i) => i !== 4);
    const c = analyzeTriggers(vols, rec.fs, 'volume');
    expect(c.missing.length).toBe(1);
    expect(c.volumes.length).toBe(1);
  });

  it('clusters the spacings: volume gaps of any ratio, a spurious trigger removed, missing ones found', () => {
    // 12 volumes x 10 slices, spacing 400.3, gap ratios from 1.3 to 2.0 (2.0 = a missing slice's spacing).
    for (const ratio of [1.3, 1.6, 2.0]) {
      const ts: number[] = [];
      for (let v = 0; v < 12; v++) for (let s = 0; s < 10; s++) ts.push(Math.floor(1000 + v * (9 + ratio) * 400.3 + s * 400.3));
      const truth = ts.slice();
      const dropIdx = 55; // volume 5, slice 5
      const list = ts.filter((_, i) => i !== dropIdx);
      list.push(truth[80] + 170); // spurious, inside a slice of volume 8
      const r = analyzeTriggers(list, 5000);
      expect(r.removed).toEqual([truth[80] + 170]);
      expect(r.volumeGap / r.medianSpacing).toBeCloseTo(ratio, 1);
      expect(r.slicesPerVolume).toBe(10);
      expect(r.missing.length).toBe(1);
      expect(Math.abs(r.missing[0].expected[0] - truth[dropIdx])).toBeLessThan(2);
      expect(r.warnings.join(' ')).toMatch(/spurious/);
    }
  });
});
