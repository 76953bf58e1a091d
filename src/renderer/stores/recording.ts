// Recording store: the open recording's metadata, the visible time window, trace options, and the
// error of the last open (shown in place in the recording panel).
import { create } from 'zustand';
import type { RawFormat, RawProbe } from '../../shared/api';
import type { RecordingMeta } from '../../shared/recording';
import { backend, errorText, type ErrorText } from '../api/client';

export interface RecordingState {
  meta: RecordingMeta | null;
  loading: boolean;
  error: ErrorText | null;
  /** Visible window in seconds. */
  startS: number;
  spanS: number;
  view: 'raw' | 'filtered' | 'corrected';
  /** Channels shown in the trace view (indices), null = all. */
  shown: number[] | null;
  /** Vertical gain multiplier of the trace view. */
  gain: number;
  /** The raw-format dialog: a header-less binary file waiting for channels, rate, type, gain and offset. */
  raw: RawProbe | null;
  open(path?: string): Promise<void>;
  openRaw(path: string, format: RawFormat): Promise<void>;
  closeRaw(): void;
  openDemo(kind: 'spikes' | 'eeg'): Promise<void>;
  /** The open recording again, reading NaN/Inf samples as 0 (after a channel failed on one); the view stays where it is. */
  reopenNonFiniteAsZero(): Promise<void>;
  setWindow(startS: number, spanS: number): void;
  setView(v: RecordingState['view']): void;
  setShown(ch: number[] | null): void;
  setGain(g: number): void;
}

function defaultSpan(meta: RecordingMeta): number {
  const dur = meta.nSamples / meta.sampleRate;
  return Math.min(meta.sampleRate >= 10000 ? 0.5 : 4, dur);
}

/**
 * Number of the latest open (file, raw or demo): an answer to an older open that arrives after a
 * later one was asked for is dropped, so the recording opened last is the one shown.
 */
let openSeq = 0;

/**
 * Where the trace view starts: at 0, or just before the first marker of the most frequent label
 * (an EEG-fMRI scan's slice or volume triggers; a "New Segment" marker at 0 does not count) when
 * those start later, so the first window shows what the recording is about.
 */
export function firstWindow(meta: RecordingMeta): { startS: number; spanS: number } {
  const spanS = defaultSpan(meta);
  const count = new Map<string, number>();
  for (const e of meta.events) count.set(e.label, (count.get(e.label) ?? 0) + 1);
  const label = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  const firstSample = meta.events.reduce((m, e) => (e.label === label && e.sample < m ? e.sample : m), Infinity);
  const first = Number.isFinite(firstSample) ? firstSample / meta.sampleRate : 0;
  if (first + spanS / 4 <= spanS) return { startS: 0, spanS };
  const dur = meta.nSamples / meta.sampleRate;
  return { startS: Math.max(0, Math.min(first - spanS / 4, dur - spanS)), spanS };
}

export const useRecording = create<RecordingState>((set, get) => ({
  meta: null,
  loading: false,
  error: null,
  startS: 0,
  spanS: 1,
  view: 'raw',
  shown: null,
  gain: 1,
  raw: null,
  async open(path) {
    const seq = ++openSeq;
    set({ loading: true, error: null });
    let api: Awaited<ReturnType<typeof backend>>['api'];
    try {
      api = (await backend()).api;
      // No argument rather than an undefined one: JSON drops undefined and the host's guard refuses a value-less argument.
      const meta = await (path === undefined ? api.openRecording() : api.openRecording(path));
      if (seq !== openSeq) return;
      set({ meta, loading: false, ...firstWindow(meta), view: 'raw', shown: null, gain: 1 });
    } catch (e) {
      if (seq !== openSeq) return;
      const err = errorText(e);
      // A header-less binary (no format remembered for it yet): ask for the format instead of failing.
      const file = path || err.file;
      if (file && err.code === 'BAD_PARAMETER' && /raw binary/i.test(err.message)) {
        try {
          const raw = await api!.probeRaw(file);
          if (seq !== openSeq) return;
          set({ loading: false, raw });
          return;
        } catch { /* fall through to the original error */ }
      }
      set({ loading: false, error: err });
    }
  },
  async openRaw(path, format) {
    const seq = ++openSeq;
    const { api } = await backend();
    const meta = await api.openRecording(path, { format: 'raw', ...format });
    if (seq !== openSeq) return;
    set({ meta, raw: null, error: null, ...firstWindow(meta), view: 'raw', shown: null, gain: 1 });
  },
  closeRaw() { set({ raw: null }); },
  async reopenNonFiniteAsZero() {
    const seq = ++openSeq;
    set({ loading: true, error: null });
    try {
      const { api } = await backend();
      const meta = await api.reopenRecording({ nonFinite: 'zero' });
      if (seq !== openSeq) return;
      set({ meta, loading: false });
    } catch (e) {
      if (seq !== openSeq) return;
      set({ loading: false, error: errorText(e) });
    }
  },
  async openDemo(kind) {
    const seq = ++openSeq;
    set({ loading: true, error: null });
    try {
      const { api } = await backend();
      const meta = await api.openDemo(kind);
      if (seq !== openSeq) return;
      set({ meta, loading: false, ...firstWindow(meta), view: 'raw', shown: null, gain: 1 });
    } catch (e) {
      if (seq !== openSeq) return;
      set({ loading: false, error: errorText(e) });
    }
  },
  setWindow(startS, spanS) {
    const meta = get().meta;
    const dur = meta ? meta.nSamples / meta.sampleRate : 0;
    const span = Math.min(Math.max(spanS, 0.005), Math.max(dur, 0.005), 60);
    set({ startS: Math.min(Math.max(0, startS), Math.max(0, dur - span)), spanS: span });
  },
  setView(view) { set({ view }); },
  setShown(shown) { set({ shown }); },
  setGain(gain) { set({ gain: Math.min(64, Math.max(1 / 64, gain)) }); },
}));
