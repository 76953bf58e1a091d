import { describe, expect, it } from 'vitest';
import { channelList, openOptions, parseArgs, UsageError } from './args';
import { formatEta, progressLines } from './progress-bar';
import { estimateVsActual, startEstimate, exitCodeFor } from './common';
import { peakSaid } from '../shared/progress';
import { SpikeDeskError } from '../shared/errors';
import { DEFAULT_SORT, DEFAULT_TF, type PipelineSpec, type TfParams } from '../shared/params';
import type { RecordingMeta } from '../shared/recording';
import { tfSizeNote } from '../main/headless';

describe('CLI argument parsing', () => {
  it('parses commands, valued flags, switches and short options', () => {
    const a = parseArgs(['sort', 'x.dat', '--jobs=3', '-o', 'out', '--json', '--channels', '32', '--rate', '30000', '--dtype', 'int16', '--gain', '0.195']);
    expect(a.command).toBe('sort');
    expect(a.positional).toEqual(['x.dat']);
    expect(a.flags.get('jobs')).toBe('3');
    expect(a.flags.get('out')).toBe('out');
    expect(a.flags.get('json')).toBe(true);
    expect(openOptions(a)).toEqual({ channels: 32, rate: 30000, dtype: 'int16', gain: 0.195 });
  });

  it('rejects unknown flags, missing values and bad numbers as usage errors', () => {
    expect(() => parseArgs(['sort', '--frob'])).toThrow(UsageError);
    expect(() => parseArgs(['sort', '--out'])).toThrow(/needs a value/);
    expect(() => openOptions(parseArgs(['info', 'f', '--channels', '2.5']))).toThrow(/positive channel count/);
    expect(() => openOptions(parseArgs(['info', 'f', '--dtype', 'int8']))).toThrow(/int16, uint16 or float32/);
    expect(openOptions(parseArgs(['sort', 'f', '--non-finite', 'zero']))).toEqual({ nonFinite: 'zero' });
    expect(() => openOptions(parseArgs(['sort', 'f', '--non-finite', '0']))).toThrow(/use zero \(read NaN\/Inf samples as 0\) or error/);
  });

  it('expands channel lists', () => {
    expect(channelList('0-3,7')).toEqual([0, 1, 2, 3, 7]);
    expect(() => channelList('3-1')).toThrow(/reversed/);
    // Bounded before expanding (the review's --only 0-100000000 exhausted the heap).
    expect(() => channelList('0-100000000')).toThrow(/below 65536/);
    expect(() => channelList('0-40000,0-40000')).toThrow(UsageError);
  });

  it('maps errors to exit codes', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(1);
    expect(exitCodeFor(new SpikeDeskError({ code: 'BAD_PARAMETER', message: 'x' }))).toBe(1);
    expect(exitCodeFor(new SpikeDeskError({ code: 'FORMAT_CORRUPT', message: 'x' }))).toBe(2);
    expect(exitCodeFor(new SpikeDeskError({ code: 'CANCELLED', message: 'x' }))).toBe(130);
    expect(exitCodeFor(new Error('boom'))).toBe(3);
  });
});

describe('progress bars', () => {
  it('draws one line per worker and a summary with the ETA', () => {
    const lines = progressLines({
      runId: 'r', channelsDone: 3, channelsTotal: 8, fraction: 0.62, etaS: 75, state: 'running',
      workers: [{ worker: 0, pid: 1, channel: 4, stage: 'detect', fraction: 0.5, rssMB: 120.4 }, { worker: 1, pid: 1, channel: -1, stage: 'idle', fraction: 0, rssMB: 80 }],
    }, 10);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('worker 0 ch   4 detect   [#####.....]  50%  120 MB');
    // The summary bar is the run's weighted fraction (phases of unfinished channels count), not 3/8.
    expect(lines[2]).toBe('channels 3/8 [######....]  62%  ETA 1:15');
    expect(progressLines({ runId: 'r', channelsDone: 3, channelsTotal: 8, channelsFailed: 1, fraction: 0.62, etaS: 75, state: 'running', workers: [] }, 10).at(-1))
      .toBe('channels 3/8 [######....]  62%  ETA 1:15  1 failed');
    expect(formatEta(NaN)).toBe('--:--');
    expect(formatEta(3725)).toBe('1:02:05');
  });
});

describe('estimate vs actual', () => {
  const e = { seconds: 7.94, peakMB: 367.2 };
  const r = { wallS: 6.5, peakRssMB: [300.4, 352.6], rssScope: 'process' as const };
  it('compares a full run with its estimate', () => {
    expect(estimateVsActual(e, { ...r, stagesRun: ['filter', 'detect'], stagesCached: [] })).toBe('estimate vs actual: ~7.9 s vs 6.5 s, ~367 MB vs 353 MB peak');
  });
  it('says when stages came from the cache', () => {
    expect(estimateVsActual(e, { ...r, stagesRun: ['metrics'], stagesCached: ['filter', 'detect'] }))
      .toBe('estimate vs actual: ~7.9 s vs 6.5 s, ~367 MB vs 353 MB peak (2 of 3 stages from the cache; the estimate is for running them all)');
    expect(estimateVsActual(e, { wallS: 0.2, peakRssMB: [], rssScope: 'process', stagesRun: [], stagesCached: ['filter', 'detect'] }))
      .toBe('every stage came from the cache: 0.2 s (a full run was estimated at ~7.9 s)');
  });
  it('sums the peaks of workers that are processes of their own; threads share one process', () => {
    expect(estimateVsActual(e, { ...r, rssScope: 'worker', stagesRun: ['filter'], stagesCached: [] })).toBe('estimate vs actual: ~7.9 s vs 6.5 s, ~367 MB vs 653 MB peak');
    expect(peakSaid(r)).toBe('peak 353 MB for the whole process (its workers are threads)');
    expect(peakSaid({ ...r, rssScope: 'worker' })).toBe('peak 653 MB over 2 worker process(es) (300 MB, 353 MB)');
    expect(peakSaid({ peakRssMB: [], rssScope: 'process' })).toBe('peak memory n/a');
  });
});

describe('start estimate', () => {
  const e = { seconds: 7.94, peakMB: 367.2, measured: true };
  it('gives a full run\'s figures when nothing is cached', () => {
    expect(startEstimate(e)).toBe('estimated peak 367 MB, ~8 s');
    expect(startEstimate({ ...e, measured: false, cached: { share: 0, stages: [] } })).toBe('estimated peak 367 MB, ~8 s (not yet measured on this machine)');
  });
  it('scales the time by the share still to compute, and says what the cache holds', () => {
    expect(startEstimate({ ...e, cached: { share: 0.75, stages: ['filter', 'detect'] } }))
      .toBe('estimated peak 367 MB, ~2.0 s for the 25 % of the work not in the cache (filter, detect from the cache); a full run ~8 s');
    expect(startEstimate({ ...e, cached: { share: 1, stages: ['filter', 'detect'] } }))
      .toBe('every stage is in the cache, so little is left to compute (a full run is estimated at ~8 s)');
    expect(startEstimate({ ...e, measured: false, cached: { share: 1, stages: [] } }))
      .toBe('every stage is in the cache, so little is left to compute (a full run is estimated at ~8 s, not yet measured on this machine)');
  });
});

describe('tf size note', () => {
  const ch = (i: number): RecordingMeta['channels'][number] => ({ name: `EEG${i}`, unit: 'uV', kind: 'ephys', group: 'eeg' } as RecordingMeta['channels'][number]);
  const meta = { sampleRate: 5000, nSamples: 600_000, channels: Array.from({ length: 32 }, (_, i) => ch(i)) } as RecordingMeta;
  const spec = (o: Partial<TfParams>, channels?: number[]): PipelineSpec => ({ workflow: 'tf', params: { ...DEFAULT_TF, ...o }, mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 }, channels });
  it('names the size of a large output and the --decim that keeps 8x the top frequency', () => {
    expect(tfSizeNote(spec({}), meta)).toBe('note: the power is 2.6 GB (32 x 37 x 600000 float32), kept in the session cache and written again by each export; '
      + '--decim 8 keeps 1 sample in 8 (625 Hz, 8x the top frequency): 339 MB');
    expect(tfSizeNote(spec({ phase: true, freqs: [4, 5, 6, 7, 8, 9, 10, 11, 12, 13] }), meta)).toMatch(/^note: the power is 1.4 GB \(32 x 10 x 600000 float32, with the phase\).*--decim 32 keeps 1 sample in 32 \(156.3 Hz, 8x the top frequency\): 46 MB$/);
  });
  it('says nothing under 1 GB, and gives no hint when decimating further would drop below 8x the top frequency', () => {
    expect(tfSizeNote(spec({ decim: 8 }), meta)).toBeNull();
    expect(tfSizeNote(spec({}, [0, 1, 2]), meta)).toBeNull();
    expect(tfSizeNote(spec({ freqs: [320, 330] }), { ...meta, nSamples: 6_000_000 })).toBe('note: the power is 1.4 GB (32 x 2 x 6000000 float32), kept in the session cache and written again by each export');
    expect(tfSizeNote({ ...spec({}), workflow: 'sort', params: DEFAULT_SORT } as PipelineSpec, meta)).toBeNull();
  });
});
