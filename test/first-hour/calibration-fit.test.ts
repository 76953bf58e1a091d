// The time model of calibrated estimates (#15 item 6): overhead + cost per sample fitted to probe
// slices and finished runs, kept per workflow shape and machine, refined by every run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addPoint, fitTime, MAX_POINTS, predict, type TimePoint } from '../../src/main/pipeline/calibration-fit';
import { Calibration, shapeOf } from '../../src/main/pipeline/calibration';
import { DEFAULT_SORT, DEFAULT_TF, type PipelineSpec } from '../../src/shared/params';
import type { RecordingMeta } from '../../src/shared/recording';
import type { RunReport } from '../../src/shared/progress';
import { removeTmpDirs, tmpDir } from '../engine/helpers';

afterAll(() => removeTmpDirs());

const pt = (samples: number, seconds: number, from: TimePoint['from'] = 'probe', rounds = 1): TimePoint => ({ samples, rounds, seconds, from });

describe('fitTime', () => {
  it('recovers overhead and cost per sample from two slice lengths (power 1)', () => {
    const f = fitTime([pt(1e5, 0.5 + 1e5 * 2e-6), pt(4e5, 0.5 + 4e5 * 2e-6)])!;
    expect(f.power).toBe(1);
    expect(f.overheadS).toBeCloseTo(0.5, 6);
    expect(f.perRound).toBeCloseTo(2e-6, 12);
    expect(predict(f, 5e6, 2)).toBeCloseTo(20.5, 4); // 2 rounds of 5e6 samples
  });

  it('finds a cost that grows slower than the recording from three slice lengths', () => {
    const t = (n: number): number => 1 + 0.004 * n ** 0.6;
    const f = fitTime([pt(6e4, t(6e4)), pt(2.4e5, t(2.4e5)), pt(9.6e5, t(9.6e5))])!;
    expect(f.power).toBeCloseTo(0.6, 6);
    expect(predict(f, 5.4e6, 1)).toBeCloseTo(t(5.4e6), 2);
    // ...and a linear one stays linear.
    const g = fitTime([pt(6e4, 1 + 6e4 * 1e-5), pt(2.4e5, 1 + 2.4e5 * 1e-5), pt(9.6e5, 1 + 9.6e5 * 1e-5)])!;
    expect(g.power).toBe(1);
  });

  it('never extrapolates faster than linearly (slices nearing the sort\'s clustering cap look superlinear)', () => {
    // Probe points measured on the spike demo (2 channels, slices of 2, 8, 32 and 60 s): the full
    // 180 s x 2 rounds run took 7.33 s.
    const f = fitTime([pt(6e4, 0.304), pt(2.4e5, 0.376), pt(9.6e5, 0.794), pt(1.8e6, 1.824)])!;
    expect(f.power).toBe(1);
    expect(predict(f, 5.4e6, 2) / 7.33).toBeLessThan(1.1);
  });

  it('keeps both terms non-negative when noise tilts the line', () => {
    // Longer slice faster than the short one: no cost per sample can be read, the (weighted) mean stays.
    const flat = fitTime([pt(1e5, 1.2), pt(4e5, 1.0)])!;
    expect(flat.perRound).toBe(0);
    expect(flat.overheadS).toBeGreaterThan(1);
    expect(flat.overheadS).toBeLessThan(1.2);
    // Line through a negative overhead: refit through the origin.
    const f = fitTime([pt(1e5, 0.1), pt(4e5, 1.0)])!;
    expect(f.overheadS).toBe(0);
    expect(f.perRound).toBeGreaterThan(0);
    // One length only: a pure cost per sample.
    expect(fitTime([pt(2e5, 2)])).toEqual({ overheadS: 0, perRound: 1e-5, power: 1 });
    expect(fitTime([])).toBeNull();
  });

  it('drops the oldest probe points first when runs arrive', () => {
    let p: TimePoint[] = [pt(1, 1), pt(4, 2)];
    for (let i = 0; i < MAX_POINTS; i++) p = addPoint(p, pt(100 + i, 10, 'run'));
    expect(p).toHaveLength(MAX_POINTS);
    expect(p.every((q) => q.from === 'run')).toBe(true);
    expect(p[p.length - 1].samples).toBe(100 + MAX_POINTS - 1);
  });
});

describe('Calibration', () => {
  const meta: RecordingMeta = {
    path: '/x/rec.dat', format: 'raw', sampleRate: 30000, nSamples: 3_000_000, events: [],
    channels: Array.from({ length: 8 }, (_, i) => ({ name: `CH${i + 1}`, group: '0', unit: 'uV', scale: 1, kind: 'ephys' as const })),
  };
  const spec: PipelineSpec = { workflow: 'sort', params: DEFAULT_SORT, channels: [0, 1, 2, 3], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 } };
  const report = (wallS: number, jobs = 2, rssScope: RunReport['rssScope'] = 'process'): RunReport => ({
    runId: 'r', workflow: 'sort', mode: 'fast', jobs, wallS, peakRssMB: [300], rssScope, stagesRun: ['filter'], stagesCached: [], failed: [], state: 'done',
  });

  it('a shape is the workflow, mode, parallel workers (capped at cores and channels), rate and parameters', () => {
    const s = shapeOf(spec, meta, 2);
    expect(s.parallel).toBe(2);
    expect(s.rounds).toBe(2); // 4 channels on 2 workers
    expect(shapeOf({ ...spec, mode: { ...spec.mode, jobs: 99 } }, meta, 2).key).toBe(s.key);
    expect(shapeOf({ ...spec, mode: { ...spec.mode, jobs: 1 } }, meta, 2).key).not.toBe(s.key);
    expect(shapeOf({ ...spec, channels: [0] }, meta, 2).parallel).toBe(1);
    expect(shapeOf({ ...spec, params: { ...DEFAULT_SORT, detect: { ...DEFAULT_SORT.detect, threshold: 4 } } }, meta, 2).key).not.toBe(s.key);
    expect(shapeOf(spec, { ...meta, sampleRate: 20000 }, 2).key).not.toBe(s.key);
    expect(shapeOf(spec, meta, 2, 'low-memory')).toMatchObject({ parallel: 1, rounds: 4 });
  });

  it('estimates from finished runs, caches them per machine in the settings file, and follows the channels', () => {
    const file = path.join(tmpDir('cal-fit'), 'calibration.json');
    const cal = new Calibration(file, 2);
    expect(cal.measured(spec, meta)).toBe(false);
    expect([cal.fromMachine(spec, meta, 'fast'), cal.fromMachine(spec, meta, 'low-memory')]).toEqual([false, false]);
    const bench = cal.estimate(spec, meta);
    cal.learn(spec, meta, report(12));
    expect(cal.measured(spec, meta)).toBe(true);
    // Both modes' times now come from this machine (low-memory by the model's ratio to the measured fast time).
    expect([cal.fromMachine(spec, meta, 'fast'), cal.fromMachine(spec, meta, 'low-memory')]).toEqual([true, true]);
    expect(cal.estimate(spec, meta).fast.seconds).toBe(12);
    expect(cal.estimate(spec, meta).fast.seconds).not.toBe(bench.fast.seconds);
    // 8 channels on 2 workers: twice the rounds, twice the time (the fit has no overhead yet).
    expect(cal.estimate({ ...spec, channels: [0, 1, 2, 3, 4, 5, 6, 7] }, meta).fast.seconds).toBe(24);
    // Another worker count, not measured: the same fit per worker round (4 channels on 1 worker: 4 rounds).
    expect(cal.estimate({ ...spec, mode: { ...spec.mode, jobs: 1 } }, meta).fast.seconds).toBe(24);
    // Low-memory mode, not measured: the measured fast time times the benchmark's ratio of the modes.
    const ratio = bench.lowMemory.seconds / bench.fast.seconds;
    expect(cal.estimate(spec, meta).lowMemory.seconds).toBeCloseTo(12 * ratio, 0);
    // A second run refines it; a reopened calibration reads the same points.
    cal.learn(spec, meta, report(14));
    const refined = new Calibration(file, 2).estimate(spec, meta).fast.seconds;
    expect(refined).toBeGreaterThan(12);
    expect(refined).toBeLessThan(14);
    // Cached or failed runs measure nothing.
    cal.learn(spec, meta, { ...report(100), stagesCached: ['filter'] });
    cal.learn(spec, meta, { ...report(100), state: 'failed' });
    expect(new Calibration(file, 2).estimate(spec, meta).fast.seconds).toBe(refined);
    // Another machine's file is not used.
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...d, machine: 'other' }));
    expect(new Calibration(file, 2).measured(spec, meta)).toBe(false);
  });

  it('refines fast-mode memory from runs whose workers are threads of one process, not from worker processes', () => {
    const big: RecordingMeta = { ...meta, nSamples: 30_000_000 };
    const fresh = (): Calibration => new Calibration(path.join(tmpDir('cal-mem'), 'calibration.json'), 2);
    const model = fresh().estimate(spec, big).fast.peakMB;
    const a = fresh();
    a.learn(spec, big, { ...report(12), peakRssMB: [900, 880] });
    expect(a.estimate(spec, big).fast.peakMB).not.toBe(model);
    // The same figures from utility processes measure each worker, not the process the model is of.
    const b = fresh();
    b.learn(spec, big, { ...report(12, 2, 'worker'), peakRssMB: [900, 880] });
    expect(b.estimate(spec, big).fast.peakMB).toBe(model);
    expect(b.estimate(spec, big).fast.seconds).toBe(12); // its time is still learnt
  });

  it('a shape never measured gets the model times the factor of this machine\'s runs of the workflow (tf: each form change is a new shape)', () => {
    const cal = new Calibration(path.join(tmpDir('cal-factor'), 'calibration.json'), 2);
    const tf = (freqs: number[], decim: number): PipelineSpec => ({ workflow: 'tf', params: { ...DEFAULT_TF, freqs, decim }, channels: [0, 1, 2, 3], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 } });
    const a = tf([4, 5, 6, 7, 8], 16), b = tf([10, 20, 30], 1);
    const modelA = cal.estimate(a, meta).fast.seconds, modelB = cal.estimate(b, meta).fast.seconds;
    expect(modelB).not.toBe(modelA);
    // Two runs of A on this host take 2x and 3x the model: B (never run) is estimated at the median, 2.5x its model.
    cal.learn(a, meta, { ...report(2 * modelA), workflow: 'tf', stagesRun: ['tf'] });
    cal.learn(a, meta, { ...report(3 * modelA), workflow: 'tf', stagesRun: ['tf'] });
    expect(cal.measured(b, meta)).toBe(false); // still no measurement of B itself
    expect(cal.fromMachine(b, meta, 'fast')).toBe(true); // but its fast time is scaled by this machine's runs
    expect(cal.fromMachine(b, meta, 'low-memory')).toBe(false);
    expect(cal.estimate(b, meta).fast.seconds).toBeCloseTo(2.5 * modelB, 0);
    // Low-memory has no runs: the model; another workflow's runs do not scale tf.
    expect(cal.estimate(b, meta).lowMemory.seconds).toBe(new Calibration(path.join(tmpDir('cal-factor-0'), 'c.json'), 2).estimate(b, meta).lowMemory.seconds);
    const sortModel = new Calibration(path.join(tmpDir('cal-factor-1'), 'c.json'), 2).estimate(spec, meta).fast.seconds;
    expect(cal.estimate(spec, meta).fast.seconds).toBe(sortModel);
  });
});
