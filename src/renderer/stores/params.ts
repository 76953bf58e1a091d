// Parameters store: the method parameters of both workflows (kept apart from job settings), named
// presets, and validation with the same shared validators main uses (messages shown inline).
import { create } from 'zustand';
import {
  DEFAULT_CORRECT, DEFAULT_SORT, TF_BANDS, mergeParams, validateCorrect, validateSort,
  type CorrectParams, type SortParams, type TfParams,
} from '../../shared/params';

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

/** The Time–frequency tab's form: frequencies lo..hi by step (Hz), cycles, a preset band, a region "NAME=ch1,ch2". */
export interface TfForm { lo: number; hi: number; step: number; cycles: number; band: string; roi: string }

export const DEFAULT_TF_FORM: TfForm = { lo: 2, hi: 30, step: 1, cycles: 5, band: 'theta', roi: 'theta-group=EEG01,EEG02,EEG03,EEG04,EEG05,EEG06,EEG07,EEG08' };

/** Most frequencies the form may ask for (each is a full-length output row per channel). */
export const MAX_TF_FORM_FREQS = 400;

/**
 * The form's frequencies, cycles and band, or what is wrong with it (a step of 0, typed or left
 * empty, would otherwise never end the list).
 */
export function tfFormParams(f: TfForm): Pick<TfParams, 'freqs' | 'nCycles' | 'bands'> | { error: string } {
  if (!(f.lo > 0)) return { error: `the lowest frequency (${f.lo} Hz) must be above 0 Hz` };
  if (!(f.hi >= f.lo)) return { error: `the highest frequency (${f.hi} Hz) must not be below the lowest (${f.lo} Hz)` };
  if (!(f.step > 0)) return { error: `the frequency step (${f.step} Hz) must be above 0 Hz` };
  if ((f.hi - f.lo) / f.step + 1 > MAX_TF_FORM_FREQS) return { error: `${f.lo}–${f.hi} Hz in steps of ${f.step} Hz is more than ${MAX_TF_FORM_FREQS} frequencies: take a larger step` };
  if (!(f.cycles > 0)) return { error: `the cycles per wavelet (${f.cycles}) must be above 0` };
  const freqs: number[] = [];
  for (let i = 0; f.lo + i * f.step <= f.hi + 1e-9; i++) freqs.push(Math.round((f.lo + i * f.step) * 1000) / 1000);
  const preset = TF_BANDS[f.band as keyof typeof TF_BANDS];
  return { freqs, nCycles: [f.cycles], bands: preset ? [{ name: f.band, lo: preset[0], hi: preset[1] }] : [] };
}

export interface ParamsState {
  workflow: Workflow;
  sort: SortParams;
  correct: CorrectParams;
  sortPreset: string;
  correctPreset: string;
  /** "all" or a channel list like "0-7, 12". */
  channels: string;
  /** The Time–frequency tab's parameters (its form), for the run panel's estimate; null before it is shown. */
  tf: TfParams | null;
  /** The Time–frequency tab's form, kept while other tabs are shown; its batches use it too. */
  tfForm: TfForm;
  /** The tab's "corrected" switch; null until the user sets it (then on once a correction ran). */
  tfCorrected: boolean | null;
  setWorkflow(w: Workflow): void;
  setSort(p: SortParams): void;
  setCorrect(p: CorrectParams): void;
  applyPreset(w: Workflow, name: string): void;
  setChannels(s: string): void;
  setTf(p: TfParams | null): void;
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
  tf: null,
  tfForm: DEFAULT_TF_FORM,
  tfCorrected: null,
  setWorkflow(workflow) { set({ workflow }); },
  setTf(tf) { set({ tf }); },
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
    set(patch);
  },
}));

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
