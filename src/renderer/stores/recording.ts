// Recording store: the open recording's metadata and the visible time window.
import { create } from 'zustand';
import type { RecordingMeta } from '../../shared/recording';
import { backend, errorText } from '../api/client';

export interface RecordingState {
  meta: RecordingMeta | null;
  loading: boolean;
  error: { message: string; fix?: string; code?: string } | null;
  /** Visible window in seconds. */
  startS: number;
  spanS: number;
  view: 'raw' | 'filtered' | 'corrected';
  open(path?: string): Promise<void>;
  openDemo(kind: 'spikes' | 'eeg'): Promise<void>;
  setWindow(startS: number, spanS: number): void;
  setView(v: RecordingState['view']): void;
}

export const useRecording = create<RecordingState>((set, get) => ({
  meta: null,
  loading: false,
  error: null,
  startS: 0,
  spanS: 1,
  view: 'raw',
  async open(path) {
    set({ loading: true, error: null });
    try {
      const { api } = await backend();
      const meta = await api.openRecording(path);
      set({ meta, loading: false, startS: 0, spanS: Math.min(1, meta.nSamples / meta.sampleRate), view: 'raw' });
    } catch (e) {
      set({ loading: false, error: errorText(e) });
    }
  },
  async openDemo(kind) {
    set({ loading: true, error: null });
    try {
      const { api } = await backend();
      const meta = await api.openDemo(kind);
      set({ meta, loading: false, startS: 0, spanS: kind === 'eeg' ? 2 : 1, view: 'raw' });
    } catch (e) {
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
}));
