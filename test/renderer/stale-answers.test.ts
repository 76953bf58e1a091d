// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the stores under test use the renderer build constant declared there (web tsconfig only)
/// <reference path="../../src/renderer/env.d.ts" />
// The renderer's stores drop answers that a later request made obsolete: a slow first estimate
// (it measures the machine) must not overwrite the estimate of a newer spec, and an open that
// finishes late must not replace the recording opened after it. The backend is a fake whose
// answers the test releases in any order (no timing involved).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEstimateDTO } from '../../src/shared/api';
import type { RecordingMeta } from '../../src/shared/recording';

interface Pending<T> { args: unknown[]; resolve(v: T): void; reject(e: unknown): void }
const calls: Record<string, Pending<unknown>[]> = {};
function deferred(name: string) {
  return (...args: unknown[]) => new Promise((resolve, reject) => { (calls[name] ??= []).push({ args, resolve, reject }); });
}
const api = {
  estimate: deferred('estimate'),
  openRecording: deferred('openRecording'),
  openDemo: deferred('openDemo'),
  probeRaw: deferred('probeRaw'),
};

vi.mock('../../src/renderer/api/client', () => ({
  backend: () => Promise.resolve({ api, onEvent: () => () => undefined, onMenu: () => () => undefined, onLost: () => undefined, kind: 'web' }),
  errorText: (e: { message?: string; code?: string }) => ({ message: e?.message ?? String(e), code: e?.code }),
}));

// The UI store reads the colour scheme from `window` when it is created (no DOM in this test).
(globalThis as { window?: unknown }).window ??= {};
const { useRun } = await import('../../src/renderer/stores/run');
const { useRecording, firstWindow } = await import('../../src/renderer/stores/recording');

/** Let the stores' awaits run (the fake backend answers only when told to). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const est = (s: number): RunEstimateDTO => ({ fast: { peakMB: 100, seconds: s }, lowMemory: { peakMB: 50, seconds: 2 * s } });
const meta = (file: string, extra: Partial<RecordingMeta> = {}): RecordingMeta => ({
  path: file, format: 'raw', sampleRate: 1000, nSamples: 60_000, channels: [{ name: 'A', kind: 'ephys', group: '0', unit: 'uV' }], events: [], ...extra,
} as unknown as RecordingMeta);

beforeEach(() => { for (const k of Object.keys(calls)) delete calls[k]; });

describe('estimate answers', () => {
  it('an older answer arriving after a newer one is dropped', async () => {
    const spec = { workflow: 'sort', params: {}, channels: [0] } as never;
    const first = useRun.getState().refreshEstimate(spec);
    await settle();
    useRun.getState().setJobs(4);
    const second = useRun.getState().refreshEstimate(spec);
    await settle();
    expect(calls.estimate).toHaveLength(2);
    calls.estimate[1].resolve(est(10)); // the newer request answers first
    await second;
    expect(useRun.getState().estimate?.fast.seconds).toBe(10);
    calls.estimate[0].resolve(est(99)); // then the slow probe's answer for the old job count
    await first;
    expect(useRun.getState().estimate?.fast.seconds).toBe(10);
  });

  it('an older failure arriving late does not replace the newer estimate with an error', async () => {
    const spec = { workflow: 'sort', params: {}, channels: [0] } as never;
    const first = useRun.getState().refreshEstimate(spec);
    const second = useRun.getState().refreshEstimate(spec);
    await settle();
    calls.estimate[1].resolve(est(7));
    await second;
    calls.estimate[0].reject({ message: 'probe cancelled' });
    await first;
    expect(useRun.getState()).toMatchObject({ estimate: est(7), estimateError: null });
  });
});

describe('open answers', () => {
  it('the recording opened last is shown even when the earlier open finishes later', async () => {
    const a = useRecording.getState().open('/data/a.vhdr');
    await settle();
    const b = useRecording.getState().open('/data/b.vhdr');
    await settle();
    calls.openRecording[1].resolve(meta('/data/b.vhdr'));
    await b;
    calls.openRecording[0].resolve(meta('/data/a.vhdr'));
    await a;
    expect(useRecording.getState().meta?.path).toBe('/data/b.vhdr');
    expect(useRecording.getState().loading).toBe(false);
  });

  it('a demo asked for after a file wins, and the file\'s late error is not shown', async () => {
    const a = useRecording.getState().open('/data/slow.edf');
    await settle();
    const d = useRecording.getState().openDemo('eeg');
    await settle();
    calls.openDemo[0].resolve(meta('/demo/eeg.vhdr'));
    await d;
    calls.openRecording[0].reject({ message: 'a later open replaced this one', code: 'CANCELLED' });
    await a;
    expect(useRecording.getState()).toMatchObject({ error: null, loading: false });
    expect(useRecording.getState().meta?.path).toBe('/demo/eeg.vhdr');
  });
});

describe('first trace window', () => {
  it('starts just before the first marker when the markers start later (an EEG-fMRI scan after a rest)', () => {
    const m = meta('/d/eeg.vhdr', { sampleRate: 5000, nSamples: 600_000, events: [{ sample: 0, label: 'New Segment/' }, { sample: 50_001, label: 'R128' }, { sample: 50_400, label: 'R128' }] } as never);
    const w = firstWindow(m);
    expect(w.spanS).toBe(4);
    expect(w.startS).toBeCloseTo(9.0002, 3);
    expect(w.startS).toBeLessThan(50_001 / 5000);
    expect(w.startS + w.spanS).toBeGreaterThan(50_400 / 5000);
  });

  it('starts at 0 without markers or when they start in the first window', () => {
    expect(firstWindow(meta('/d/a.dat')).startS).toBe(0);
    expect(firstWindow(meta('/d/a.dat', { events: [{ sample: 100, label: 'TTL' }] } as never)).startS).toBe(0);
  });
});
