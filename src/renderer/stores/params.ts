// Parameters store: the method parameters of both workflows (kept apart from job settings), named
// presets, and validation with the same shared validators main uses (messages shown inline).
import { useMemo } from 'react';
import { create } from 'zustand';
import {
  DEFAULT_CORRECT, DEFAULT_SORT, mergeParams, validateCorrect, validateSort,
  type CorrectParams, type SortParams, type TfParams,
} from '../../shared/params';
import { DEFAULT_TF_FORM, tfFormFrom, tfParamsOf, type TfForm } from '../lib/tf-form';
import { useRecording } from './recording';
import { useRun } from './run';

export { tfFormParams, type TfForm } from '../lib/tf-form';

export type Workflow = 'sort' | 'correct';

// The default is what the ground-truth evaluation runs (test/engine/sort-ground-truth.test.ts).
// Other presets trade something and say what.
export const SORT_PRESETS: Record<string, { label: string; patch: unknown }> = {
  default: { label: 'Default (300–6000 Hz, 5σ, ×5 alignment)', patch: {} },
  waveclus: { label: 'wave_clus-like (300–3000 Hz, order 2)', patch: { filter: { lowHz: 300, highHz: 3000, order: 2 } } },
  // Needs >= 2 channels per group: the engine refuses a reference of a single channel (it would zero it).
  sensitive: { label: 'Sensitive (4σ, CMR; multi-channel only)', patch: { filter: { reference: 'cmr' }, detect: { threshold: 4 } } },
  // Measured on the tuning seeds: more spikes of low-SNR units at low noise, but at high noise many
  // more background events enter the units.
  recall: { label: 'High recall (3.5σ): more faint spikes, more background at high noise', patch: { detect: { threshold: 3.5 } } },
  fast: { label: 'Quick look (k ≤ 4, 1 restart, no overlap pass)', patch: { cluster: { kMax: 4, restarts: 1, overlapMs: 0 } } },
};

export const CORRECT_PRESETS: Record<string, { label: string; patch: unknown }> = {
  spline: { label: 'Spline template, window from the data + 70 Hz LP', patch: {} },
  fastr: { label: 'FASTR (upsampled AAS x10, 30 epochs, OBS 4, 70 Hz LP)', patch: { engine: 'upsampled', window: 30, obsComponents: 4 } },
  aas: { label: 'Plain AAS (upsampled, no alignment, no OBS)', patch: { engine: 'upsampled', window: 30, align: false, lowpassHz: 0 } },
};

export interface ParamsState {
  workflow: Workflow;
  sort: SortParams;
  correct: CorrectParams;
  sortPreset: string;
  correctPreset: string;
  /** "all" or a channel list like "0-7, 12". */
  channels: string;
  /** The Time–frequency tab's form, kept while other tabs are shown; its batches use it too. */
  tfForm: TfForm;
  /** The tab's "corrected" switch; null until the user sets it (then on once a correction ran). */
  tfCorrected: boolean | null;
  setWorkflow(w: Workflow): void;
  setSort(p: SortParams): void;
  setCorrect(p: CorrectParams): void;
  applyPreset(w: Workflow, name: string): void;
  setChannels(s: string): void;
  setTfForm(f: TfForm): void;
  setTfCorrected(on: boolean): void;
  /** Adopt the parameters of the last runs of this recording (from session.json). */
  adopt(last: Partial<Record<string, unknown>>): void;
}

export const useParams = create<ParamsState>((set) => ({
  workflow: 'sort',
  sort: structuredClone(DEFAULT_SORT),
  correct: structuredClone(DEFAULT_CORRECT),
  sortPreset: 'default',
  correctPreset: 'spline',
  channels: 'all',
  tfForm: DEFAULT_TF_FORM,
  tfCorrected: null,
  setWorkflow(workflow) { set({ workflow }); },
  setTfForm(tfForm) { set({ tfForm }); },
  setTfCorrected(tfCorrected) { set({ tfCorrected }); },
  setSort(sort) { set({ sort, sortPreset: 'custom' }); },
  setCorrect(correct) { set({ correct, correctPreset: 'custom' }); },
  applyPreset(w, name) {
    if (w === 'sort' && SORT_PRESETS[name]) set({ sort: mergeParams(DEFAULT_SORT, SORT_PRESETS[name].patch), sortPreset: name });
    if (w === 'correct' && CORRECT_PRESETS[name]) set({ correct: mergeParams(DEFAULT_CORRECT, CORRECT_PRESETS[name].patch), correctPreset: name });
  },
  setChannels(channels) { set({ channels }); },
  adopt(last) {
    const patch: Partial<ParamsState> = {};
    try { if (last.sort) { patch.sort = mergeParams(DEFAULT_SORT, last.sort); patch.sortPreset = 'last run'; } } catch { /* older layout: keep defaults */ }
    try { if (last.correct) { patch.correct = mergeParams(DEFAULT_CORRECT, last.correct); patch.correctPreset = 'last run'; } } catch { /* keep defaults */ }
    // The Time–frequency tab shows the last spectrogram of the recording: its form says how it was made.
    const tf = last.tf ? tfFormFrom(last.tf) : null;
    if (tf) { patch.tfForm = tf.form; patch.tfCorrected = tf.corrected; }
    set(patch);
  },
}));

/**
 * The Time–frequency tab's run on the open recording (or what is wrong with its form): the tab's
 * button and the run panel's estimate both use it. "corrected" is on by default once a correction ran.
 */
export function useTfParams(): { params: TfParams | null; error: string | null; corrected: boolean } {
  const meta = useRecording((s) => s.meta);
  const form = useParams((s) => s.tfForm);
  const correctionsRun = useRun((s) => s.finished.correct);
  const corrected = useParams((s) => s.tfCorrected) ?? correctionsRun > 0;
  const correction = useParams((s) => s.correct);
  return useMemo(() => {
    if (!meta) return { params: null, error: null, corrected };
    const p = tfParamsOf(form, meta, corrected ? correction : null);
    return 'error' in p ? { params: null, error: p.error, corrected } : { params: p, error: null, corrected };
  }, [meta, form, corrected, correction]);
}

/** Parse "all" / "0-7, 12" into channel indices; returns an error message for bad input. */
export function parseChannels(s: string, nChannels: number): { channels?: number[]; error?: string } {
  const t = s.trim().toLowerCase();
  if (t === '' || t === 'all') return {};
  const out = new Set<number>();
  for (const part of t.split(/[,\s]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return { error: `"${part}" is not a channel or range (use e.g. 0-7, 12)` };
    const a = Number(m[1]), b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) return { error: `range ${part} is reversed` };
    if (b >= nChannels) return { error: `channel ${b} does not exist (0..${nChannels - 1})` };
    for (let c = a; c <= b; c++) out.add(c);
  }
  return { channels: [...out].sort((x, y) => x - y) };
}

/** The first problem with the parameters, as the backend would report it, or null. */
export function paramsError(w: Workflow, p: SortParams | CorrectParams, sampleRate: number): { message: string; fix?: string } | null {
  try {
    if (w === 'sort') validateSort(p as SortParams, sampleRate); else validateCorrect(p as CorrectParams);
    return null;
  } catch (e) {
    const x = e as { message: string; fix?: string };
    return { message: x.message, fix: x.fix };
  }
}
