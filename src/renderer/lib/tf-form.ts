// The Time–frequency tab's form (frequencies lo..hi by step, cycles, a preset band, one region):
// to parameters, checked, and back from the parameters of a finished run (reopening a recording
// shows its last spectrogram; the form then says how it was made).
import { DEFAULT_TF, TF_BANDS, autoDecim, type CorrectParams, type TfParams } from '../../shared/params';
import type { RecordingMeta } from '../../shared/recording';

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

/**
 * The run the tab starts on this recording: the form's frequencies, decimated to 8x the top one,
 * its region restricted to the recording's channels, of the corrected signal when `correction` is given.
 */
export function tfParamsOf(f: TfForm, meta: Pick<RecordingMeta, 'sampleRate' | 'channels'>, correction: CorrectParams | null): TfParams | { error: string } {
  const fromForm = tfFormParams(f);
  if ('error' in fromForm) return fromForm;
  const rois = formRois(f.roi, meta.channels.map((c) => c.name));
  if ('error' in rois) return rois;
  return { ...DEFAULT_TF, ...fromForm, decim: autoDecim(meta.sampleRate, Math.max(...fromForm.freqs)), strategy: 'auto', rois: rois.rois, correction };
}

/**
 * The form's region "NAME=ch1,ch2" on a recording with these channel names: none for an empty
 * field, or what is wrong with it. A name the recording lacks is refused (dropping it would average
 * fewer channels than the user asked for), except in the untouched default, a suggestion for EEG
 * montages: it keeps the channels the recording has, or none.
 */
export function formRois(roi: string, names: string[]): { rois: TfParams['rois'] } | { error: string } {
  if (!roi.trim()) return { rois: [] };
  const eq = roi.indexOf('=');
  const name = eq > 0 ? roi.slice(0, eq).trim() : '';
  if (!name) return { error: `write the region as NAME=channel,channel (e.g. front=${names.slice(0, 2).join(',')}), or leave it empty` };
  const known = new Set(names);
  const listed = roi.slice(eq + 1).split(',').map((c) => c.trim()).filter(Boolean);
  const channels = listed.filter((c) => known.has(c));
  const unknown = listed.filter((c) => !known.has(c));
  if (roi === DEFAULT_TF_FORM.roi) return { rois: channels.length ? [{ name, channels }] : [] };
  if (unknown.length) return { error: `region "${name}" names ${unknown.map((c) => `"${c}"`).join(', ')}, not a channel of this recording (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''})` };
  if (!channels.length) return { error: `region "${name}" names no channel: list them after "=", separated by commas` };
  return { rois: [{ name, channels }] };
}

/**
 * The form that gives these parameters (and whether they were of the corrected signal), or null
 * when no form does: frequencies not evenly spaced, cycles that vary with the frequency.
 */
export function tfFormFrom(p: unknown): { form: TfForm; corrected: boolean } | null {
  const t = p as Partial<TfParams> | null;
  const f = t?.freqs, c = t?.nCycles;
  if (!Array.isArray(f) || !f.length || !Array.isArray(c) || !c.length || c.some((x) => x !== c[0])) return null;
  const lo = f[0], hi = f[f.length - 1];
  const step = f.length > 1 ? Math.round((f[1] - f[0]) * 1000) / 1000 : 1;
  if (!(step > 0) || f.some((x, i) => Math.abs(x - (lo + i * step)) > 1e-6)) return null;
  const band = t?.bands?.find((b) => b.name in TF_BANDS)?.name ?? DEFAULT_TF_FORM.band;
  const r = t?.rois?.[0];
  const roi = r ? `${r.name}=${r.channels.join(',')}` : DEFAULT_TF_FORM.roi;
  return { form: { lo, hi, step, cycles: c[0], band, roi }, corrected: !!t?.correction };
}
