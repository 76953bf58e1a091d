// The time-frequency workflow through the engine: every strategy (by channel, frequency batches),
// worker count and mode writes byte-identical cache entries, the entries equal the kernel's direct
// transform, and the band/ROI stage averages the right rows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { readBundle } from '../../src/main/pipeline/bundle';
import { DEFAULT_CORRECT, DEFAULT_TF, type PipelineSpec, type TfParams } from '../../src/shared/params';
import { openSource } from '../../src/main/io';
import { morletPower } from '../../src/workers/tf/cwt';
import type { Pool } from '../../src/main/pool/pool';
import { tfBatchStrategy, tfSplit, tfStage, type TfOutput } from '../../src/main/pipeline/stages/tf';
import { readStageOutput } from '../../src/main/pipeline/stage-runner';
import { loadTfResult } from '../../src/main/pipeline/tf-result';
import { estimateRun } from '../../src/main/pipeline/estimate';
import { writeTfFolder } from '../../src/main/export/tf-folder';
import { writeTfNwb } from '../../src/main/export/tf-nwb';
import { isDataset, openH5 } from '../../src/main/io/hdf5/h5';
import { tfView } from '../../src/main/backend-tf';
import { SpikeDeskError } from '../../src/shared/errors';
import { makeEegRecording, makePool, removeTmpDirs, tmpDir, type TestRecording } from './helpers';

let pool: Pool;
let r: TestRecording;
beforeAll(async () => {
  pool = await makePool(2);
  r = await makeEegRecording(tmpDir('tf-run'), { durationS: 20, nChannels: 3, fs: 2000 });
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

/** A channel's tf entry decoded whole (what the streamed exports and views must equal). */
const decoded = (res: ReturnType<typeof loadTfResult>, c: number): TfOutput =>
  readStageOutput(tfStage, path.join(res.run.stages.tf!.dir, `ch${String(c).padStart(4, '0')}.bin`));

const params = (o: Partial<TfParams>): TfParams => ({ ...DEFAULT_TF, freqs: [4, 6, 8, 11, 15, 20], nCycles: [5], decim: 4, phase: true, ...o });

function entries(cache: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const dir of fs.readdirSync(cache).sort()) {
    for (const f of fs.readdirSync(path.join(cache, dir)).sort()) out.set(`${dir.slice(0, dir.lastIndexOf('-'))}/${f}`, fs.readFileSync(path.join(cache, dir, f)));
  }
  return out;
}

describe('tf workflow in the engine', () => {
  it('channel and frequency strategies, 1 and 2 workers, fast and low-memory: identical bytes', async () => {
    const engine = new Engine(pool);
    const cache = path.join(engine.sessionDir(r.meta.path), 'cache');
    const runs: [TfParams['strategy'], PipelineSpec['mode']][] = [
      ['channel', { kind: 'fast', jobs: 1, memoryBudgetMB: 256 }],
      ['channel', { kind: 'fast', jobs: 2, memoryBudgetMB: 256 }],
      ['frequency', { kind: 'fast', jobs: 2, memoryBudgetMB: 256 }],
      ['frequency', { kind: 'low-memory', jobs: 1, memoryBudgetMB: 130 }],
      ['auto', { kind: 'fast', jobs: 2, memoryBudgetMB: 256 }],
    ];
    // The frequency strategy really splits each channel (2 workers: 2 batches); by channel does not.
    expect(tfSplit(params({ strategy: 'frequency' }), { meta: r.meta, channels: 3, workers: 2 })?.map((p) => p.freqIndices)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(tfSplit(params({ strategy: 'channel' }), { meta: r.meta, channels: 3, workers: 2 })).toBeNull();
    let first: Map<string, Buffer> | null = null;
    const bands = [{ name: 'theta', lo: 4, hi: 8 }];
    const rois = [{ name: 'front', channels: [r.meta.channels[0].name, r.meta.channels[1].name] }];
    for (const [strategy, mode] of runs) {
      fs.rmSync(cache, { recursive: true, force: true });
      const spec: PipelineSpec = { workflow: 'tf', params: params({ strategy, bands, rois }), mode, channels: [0, 1, 2] };
      const report = await engine.start(spec, r.ref, r.meta, () => undefined).done;
      expect(report.state, `${strategy} ${mode.kind} x${mode.jobs}`).toBe('done');
      expect(report.stagesRun).toEqual(['tf', 'tf-band']);
      const got = entries(cache);
      expect([...got.keys()].some((k) => k.includes('.part'))).toBe(false);
      if (!first) { first = got; continue; }
      expect([...got.keys()]).toEqual([...first.keys()]);
      for (const [k, b] of first) expect(got.get(k)!.equals(b), `${k} differs for ${strategy} ${mode.kind} x${mode.jobs}`).toBe(true);
    }
    // The cache entry equals the kernel's transform of the channel; the ROI row is the mean of its channels.
    const src = await openSource(r.ref.path);
    const x = src.read([1], 0, r.meta.nSamples)[0];
    src.close();
    const p = params({});
    const ref = morletPower(x, r.meta.sampleRate, { freqs: p.freqs, nCycles: 5, zeroMean: false, decim: 4 });
    const tfKey = [...first!.keys()].find((k) => k.startsWith('tf/ch0001'))!;
    const tfDir = fs.readdirSync(cache).find((d) => d.startsWith('tf-') && !d.startsWith('tf-band'))!;
    const b = readBundle(path.join(cache, tfDir, tfKey.split('/')[1]));
    expect(b.arrays.power).toEqual(Float32Array.from(ref.power));
    const bandDir = fs.readdirSync(cache).find((d) => d.startsWith('tf-band-'))!;
    const band = readBundle(path.join(cache, bandDir, 'global.bin'));
    const labels = band.info.labels as string[];
    expect(labels).toEqual(['theta\tEEG01', 'theta\tEEG02', 'theta\tEEG03', 'theta\tfront']);
    const s = band.arrays.series as Float64Array;
    const nT = (band.arrays.times as Float64Array).length;
    for (const t of [0, 100, nT - 1]) expect(s[3 * nT + t]).toBeCloseTo((s[t] + s[nT + t]) / 2, 10);
  });

  it('auto: few long channels -> frequency batches; many channels -> by channel; several recordings -> by recording', () => {
    const auto = params({ strategy: 'auto' });
    const long = { ...r.meta, sampleRate: 5000, nSamples: 5000 * 600 };
    const parts = tfSplit(auto, { meta: long, channels: 1, workers: 2 });
    expect(parts?.length).toBeGreaterThanOrEqual(2);
    expect(parts!.flatMap((p) => p.freqIndices)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tfSplit(auto, { meta: long, channels: 32, workers: 2 })).toBeNull();
    const rec = (channels: number): typeof long => ({ ...long, channels: Array.from({ length: channels }, () => r.meta.channels[0]) });
    expect(tfBatchStrategy(auto, [rec(1)], 2).strategy).toBe('frequency');
    expect(tfBatchStrategy(auto, [rec(32)], 2).strategy).toBe('channel');
    expect(tfBatchStrategy(auto, [rec(16), rec(16), rec(16), rec(16)], 2)).toEqual({ strategy: 'recording', reason: 'auto: 4 recordings spread over 2 workers' });
    // Asked for by hand, a split is kept whatever the sizes.
    expect(tfBatchStrategy(params({ strategy: 'channel' }), [rec(16), rec(16)], 2).strategy).toBe('channel');
  });

  it('a region naming a channel not analysed, or epochs on a label no event has, are refused before any transform', () => {
    const engine = new Engine(pool);
    const mode: PipelineSpec['mode'] = { kind: 'fast', jobs: 2, memoryBudgetMB: 256 };
    const bands = [{ name: 'theta', lo: 4, hi: 8 }];
    const refused = (o: Partial<TfParams>, channels: number[]): SpikeDeskError => {
      try {
        engine.start({ workflow: 'tf', params: params({ bands, ...o }), mode, channels }, r.ref, r.meta, () => { throw new Error('a refused run made progress'); });
      } catch (e) { return e as SpikeDeskError; }
      throw new Error('not refused');
    };
    const [a, b, c] = r.meta.channels.map((ch) => ch.name);
    // c exists but is not among the run's channels: the band stage would have failed after the transforms.
    const e = refused({ rois: [{ name: 'front', channels: [a, c] }] }, [0, 1]);
    expect(e).toBeInstanceOf(SpikeDeskError);
    expect(e.code).toBe('BAD_PARAMETER');
    expect(e.message).toBe(`region "front" names channel "${c}", which is not among the analysed channels`);
    expect(e.fix).toBe(`use channels of ${a}, ${b}`);
    const ev = refused({ epochs: { regex: '^NoSuchLabel$', tmin: -0.2, tmax: 0.5 } }, [0]);
    expect(ev.code).toBe('BAD_PARAMETER');
    expect(ev.message).toBe('no event label matches /^NoSuchLabel$/');
  });

  it('a channel split into frequency batches re-runs only tf-band when the band changes', async () => {
    const engine = new Engine(pool);
    const mode: PipelineSpec['mode'] = { kind: 'fast', jobs: 2, memoryBudgetMB: 256 };
    const a = await engine.start({ workflow: 'tf', params: params({ strategy: 'frequency', bands: [{ name: 'theta', lo: 4, hi: 8 }] }), mode, channels: [0] }, r.ref, r.meta, () => undefined).done;
    expect(a.state).toBe('done');
    const b = await engine.start({ workflow: 'tf', params: params({ strategy: 'channel', bands: [{ name: 'beta', lo: 13, hi: 30 }] }), mode, channels: [0] }, r.ref, r.meta, () => undefined).done;
    expect(b.stagesCached).toEqual(['tf']);
    expect(b.stagesRun).toEqual(['tf-band']);
  });

  it('on the corrected signal: the correction stages run first (from the cache after a correction), tf is the transform of the corrected channel in every strategy and mode', async () => {
    const engine = new Engine(pool);
    const cache = path.join(engine.sessionDir(r.meta.path), 'cache');
    fs.rmSync(cache, { recursive: true, force: true });
    const fast: PipelineSpec['mode'] = { kind: 'fast', jobs: 2, memoryBudgetMB: 256 };
    const chans = [0, 1];
    const corr = await engine.start({ workflow: 'correct', params: DEFAULT_CORRECT, mode: fast, channels: chans }, r.ref, r.meta, () => undefined).done;
    expect(corr.state).toBe('done');
    const src = engine.resultSource(r.meta.path, 'corrected')!;
    const corrected = src.read([1], 0, r.meta.nSamples)[0];
    const raw = (await openSource(r.ref.path)).read([1], 0, r.meta.nSamples)[0];
    src.close();
    const p = params({ correction: DEFAULT_CORRECT, phase: false, bands: [{ name: 'theta', lo: 4, hi: 8 }] });
    const ref = morletPower(corrected, r.meta.sampleRate, { freqs: p.freqs, nCycles: 5, zeroMean: false, decim: 4 });
    let first: Buffer | null = null;
    for (const [strategy, mode] of [['channel', fast], ['frequency', fast], ['frequency', { kind: 'low-memory', jobs: 1, memoryBudgetMB: 130 }]] as const) {
      const t = await engine.start({ workflow: 'tf', params: { ...p, strategy }, mode, channels: chans }, r.ref, r.meta, () => undefined).done;
      expect(t.state, `${strategy} ${mode.kind}`).toBe('done');
      // After the correction run the corrected channels come from its cache entries.
      expect(t.stagesCached.filter((x) => x !== 'tf' && x !== 'tf-band')).toEqual(['triggers', 'aas', 'lowpass']);
      const res = loadTfResult(engine.sessionDir(r.meta.path));
      const got = decoded(res, 1).power;
      if (!first) {
        expect(t.stagesRun).toEqual(['tf', 'tf-band']);
        expect(got).toEqual(Float32Array.from(ref.power));
        first = Buffer.from(got.buffer, got.byteOffset, got.byteLength);
        // Not the raw channel's power: the artifact is gone from it.
        const rawRef = morletPower(raw, r.meta.sampleRate, { freqs: p.freqs, nCycles: 5, zeroMean: false, decim: 4 });
        expect(Float32Array.from(rawRef.power)).not.toEqual(got);
        fs.rmSync(res.run.stages.tf!.dir, { recursive: true, force: true });
      } else {
        expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(first), `${strategy} ${mode.kind}`).toBe(true);
        fs.rmSync(res.run.stages.tf!.dir, { recursive: true, force: true });
      }
    }
    // A tf run of the corrected signal on channel 1 alone has lowpass entries too: the corrected
    // result (trace view, exports) stays the correction run's, with both its channels.
    const one = await engine.start({ workflow: 'tf', params: { ...p, strategy: 'channel' }, mode: fast, channels: [1] }, r.ref, r.meta, () => undefined).done;
    expect(one.state).toBe('done');
    const after = engine.resultSource(r.meta.path, 'corrected')!;
    expect(after.read([0], 0, 100)[0].length).toBe(100);
    after.close();
    // The raw-signal run keeps its own entries (another key), with no correction stage planned.
    const rawRun = await engine.start({ workflow: 'tf', params: params({ phase: false }), mode: fast, channels: chans }, r.ref, r.meta, () => undefined).done;
    expect([...rawRun.stagesRun, ...rawRun.stagesCached].sort()).toEqual(['tf']);
  });

  it('the estimate counts what a task holds: the channel output (twice with the phase) and the wavelet bank', () => {
    // The EEG demo's shape: 32 channels x 5 kHz x 120 s, 37 frequencies at full rate (it peaked at
    // 438 MB measured against an estimate of 174 MB that counted 12 bytes per sample as for sorting).
    const meta = { ...r.meta, sampleRate: 5000, nSamples: 600_000, channels: Array.from({ length: 32 }, () => r.meta.channels[0]) };
    const spec = (o: Partial<TfParams>): PipelineSpec => ({
      workflow: 'tf', params: { ...DEFAULT_TF, freqs: Array.from({ length: 37 }, (_, i) => 4 + i), nCycles: [7], ...o },
      mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 },
    });
    const full = estimateRun(spec({ decim: 1, phase: false }), meta, 2).fast.peakMB;
    const outMB = (37 * 600_000 * 4) / 1048576;
    expect(full).toBeGreaterThan(90 + 2 * (35 + outMB));
    expect(full).toBeLessThan(600);
    const withPhase = estimateRun(spec({ decim: 1, phase: true }), meta, 2).fast.peakMB;
    expect(withPhase - full).toBeCloseTo(2 * outMB, 0);
    const decimated = estimateRun(spec({ decim: 16, phase: false }), meta, 2).fast.peakMB;
    expect(full - decimated).toBeCloseTo(2 * outMB * (15 / 16), -1);
    expect(estimateRun(spec({ decim: 1, phase: false }), meta, 2).lowMemory.peakMB).toBeGreaterThan(outMB);
    // Time: per frequency, full rate costs more than decimated (the demo's full-rate run took 21-27 s
    // on 2 workers here; the flat 0.9 M samples/s said 11 s); a correction first adds its own cost.
    const secs = (o: Partial<TfParams>): number => estimateRun(spec(o), meta, 2).fast.seconds;
    expect(secs({ decim: 1 })).toBeGreaterThan(18);
    expect(secs({ decim: 1 })).toBeLessThan(35);
    expect(secs({ decim: 16 })).toBeLessThan(0.5 * secs({ decim: 1 }));
    expect(secs({ decim: 1, freqs: [4, 5, 6, 7] })).toBeLessThan(0.2 * secs({ decim: 1 }));
    expect(secs({ decim: 16, correction: DEFAULT_CORRECT })).toBeGreaterThan(secs({ decim: 16 }) + 5);
  });

  it('the npy and NWB exports stream each channel from the cache: same values as the decoded entries; a cut entry is FORMAT_CORRUPT and writes nothing', async () => {
    const engine = new Engine(pool);
    const mode: PipelineSpec['mode'] = { kind: 'fast', jobs: 2, memoryBudgetMB: 256 };
    const rep = await engine.start({ workflow: 'tf', params: params({ strategy: 'channel' }), mode, channels: [0, 2] }, r.ref, r.meta, () => undefined).done;
    expect(rep.state).toBe('done');
    const res = loadTfResult(engine.sessionDir(r.meta.path));
    const out = path.join(tmpDir('tf-export'), 'tf');
    await writeTfFolder(out, res, r.meta.path, false);
    const file = fs.readFileSync(path.join(out, 'power.npy'));
    const hlen = file.readUInt16LE(8) + 10;
    const nF = res.params.freqs.length;
    const expected = Buffer.concat(res.channels.flatMap((c) => { const o = decoded(res, c); return [Buffer.from(o.power.buffer, o.power.byteOffset, o.power.byteLength)]; }));
    expect(file.length).toBe(hlen + 2 * nF * res.nOut * 4);
    expect(file.subarray(hlen).equals(expected)).toBe(true);
    const phase = fs.readFileSync(path.join(out, 'phase.npy')).subarray(hlen);
    expect(phase.equals(Buffer.concat(res.channels.map((c) => { const o = decoded(res, c).phase; return Buffer.from(o.buffer, o.byteOffset, o.byteLength); })))).toBe(true);
    // NWB in blocks of 7 times and in one block: the same times x channels x freqs power.
    for (const [name, block] of [['blocks.nwb', 7 * 2 * nF * 4], ['whole.nwb', undefined]] as const) {
      const nwb = path.join(path.dirname(out), name);
      await writeTfNwb(nwb, res, r.meta.path, false, block);
      const f = await openH5(nwb);
      try {
        const d = f.get('/processing/ecephys/morlet_power/data');
        expect(isDataset(d)).toBe(true);
        if (!isDataset(d)) continue;
        expect(d.shape).toEqual([res.nOut, 2, nF]);
        const v = d.value as Float32Array;
        res.channels.forEach((c, ci) => {
          const pw = decoded(res, c).power;
          for (let fi = 0; fi < nF; fi++) for (let t = 0; t < res.nOut; t++) if (v[(t * 2 + ci) * nF + fi] !== pw[fi * res.nOut + t]) throw new Error(`${name}: channel ${c} f ${fi} t ${t} differs`);
        });
      } finally {
        f.close();
      }
    }
    // The view's binned spectrogram (read row by row) equals binning the decoded entries.
    const view = tfView(engine.sessionDir(r.meta.path), { target: { kind: 'channel', channel: 2 }, maxTimes: 300 })!;
    const bin = Math.ceil(res.nOut / 300), cols = Math.ceil(res.nOut / bin);
    const pw2 = decoded(res, 2).power;
    for (const [fi, k] of [[0, 0], [3, 17], [nF - 1, cols - 1]]) {
      let sum = 0;
      const t1 = Math.min(res.nOut, (k + 1) * bin);
      for (let t = k * bin; t < t1; t++) sum += pw2[fi * res.nOut + t];
      expect(view.power[fi * cols + k]).toBeCloseTo(sum / (t1 - k * bin), 3);
    }
    // Cut channel 2's entry short: the export names the entry and the fix, and leaves no folder.
    const entry = path.join(res.run.stages.tf!.dir, 'ch0002.bin');
    const whole = fs.readFileSync(entry);
    const cut = path.join(path.dirname(out), 'cut');
    try {
      fs.writeFileSync(entry, whole.subarray(0, whole.length - 1000));
      const err = await writeTfFolder(cut, loadTfResult(engine.sessionDir(r.meta.path)), r.meta.path, false).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SpikeDeskError);
      expect((err as SpikeDeskError).code).toBe('FORMAT_CORRUPT');
      expect((err as SpikeDeskError).message).toMatch(/channel 2/);
      expect(fs.existsSync(cut)).toBe(false);
      expect(fs.readdirSync(path.dirname(out)).filter((f) => !['tf', 'blocks.nwb', 'whole.nwb'].includes(f))).toEqual([]);
      const nwbErr = await writeTfNwb(path.join(path.dirname(out), 'cut.nwb'), loadTfResult(engine.sessionDir(r.meta.path)), r.meta.path, false).catch((e: unknown) => e);
      expect((nwbErr as SpikeDeskError).code).toBe('FORMAT_CORRUPT');
      expect(fs.readdirSync(path.dirname(out)).filter((f) => !['tf', 'blocks.nwb', 'whole.nwb'].includes(f))).toEqual([]);
    } finally {
      fs.writeFileSync(entry, whole);
    }
  });
});
