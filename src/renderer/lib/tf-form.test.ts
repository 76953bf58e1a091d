import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT, DEFAULT_TF } from '../../shared/params';
import { DEFAULT_TF_FORM, MAX_TF_FORM_FREQS, formRois, tfFormFrom, tfFormParams, tfParamsOf } from './tf-form';

describe('time-frequency form', () => {
  it('gives the frequencies lo..hi by step (inclusive, no float drift), the cycles and the preset band', () => {
    const p = tfFormParams({ ...DEFAULT_TF_FORM, lo: 2, hi: 3, step: 0.1, cycles: 4, band: 'alpha' });
    expect(p).toEqual({ freqs: [2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9, 3], nCycles: [4], bands: [{ name: 'alpha', lo: 8, hi: 13 }] });
  });

  it('names what is wrong instead of listing frequencies for ever (a step of 0 hung the window)', () => {
    const err = (patch: Partial<typeof DEFAULT_TF_FORM>): string => {
      const r = tfFormParams({ ...DEFAULT_TF_FORM, ...patch });
      return 'error' in r ? r.error : 'ok';
    };
    expect(err({ step: 0 })).toBe('the frequency step (0 Hz) must be above 0 Hz');
    expect(err({ step: -1 })).toBe('the frequency step (-1 Hz) must be above 0 Hz');
    expect(err({ step: Number.NaN })).toMatch(/frequency step \(NaN Hz\)/);
    expect(err({ lo: 0 })).toBe('the lowest frequency (0 Hz) must be above 0 Hz');
    expect(err({ lo: 30, hi: 2 })).toBe('the highest frequency (2 Hz) must not be below the lowest (30 Hz)');
    expect(err({ cycles: 0 })).toBe('the cycles per wavelet (0) must be above 0');
    expect(err({ lo: 1, hi: 1000, step: 0.5 })).toBe(`1–1000 Hz in steps of 0.5 Hz is more than ${MAX_TF_FORM_FREQS} frequencies: take a larger step`);
    expect(err({})).toBe('ok');
  });

  it('reads the form back from a run\'s parameters (reopening shows the last spectrogram), or null when no form gives them', () => {
    const made = tfFormParams({ lo: 4, hi: 12, step: 0.5, cycles: 6, band: 'theta', roi: 'front=EEG01,EEG02' });
    if ('error' in made) throw new Error(made.error);
    const params = { ...DEFAULT_TF, ...made, rois: [{ name: 'front', channels: ['EEG01', 'EEG02'] }], correction: null };
    expect(tfFormFrom(params)).toEqual({ form: { lo: 4, hi: 12, step: 0.5, cycles: 6, band: 'theta', roi: 'front=EEG01,EEG02' }, corrected: false });
    expect(tfFormFrom({ ...params, correction: {} })?.corrected).toBe(true);
    // Round trip: the form gives the same parameters again.
    expect(tfFormParams(tfFormFrom(params)!.form)).toEqual(made);
    expect(tfFormFrom({ ...params, freqs: [4, 5, 7] })).toBeNull();
    expect(tfFormFrom({ ...params, nCycles: [3, 4, 5] })).toBeNull();
    expect(tfFormFrom({ ...params, freqs: [] })).toBeNull();
    expect(tfFormFrom(null)).toBeNull();
    expect(tfFormFrom({ ...DEFAULT_TF, freqs: [10], nCycles: [7] })?.form).toMatchObject({ lo: 10, hi: 10, step: 1, cycles: 7 });
  });

  it('gives the tab\'s run on a recording: decimated to 8x the top frequency, the region on its channels', () => {
    const meta = { sampleRate: 5000, channels: ['EEG01', 'EEG02', 'ECG'].map((name) => ({ name, group: 'eeg', unit: 'uV', scale: 1, kind: 'ephys' as const })) };
    const p = tfParamsOf({ ...DEFAULT_TF_FORM, roi: 'front=EEG01, EEG02' }, meta, null);
    const form = tfFormParams(DEFAULT_TF_FORM);
    if ('error' in form) throw new Error(form.error);
    expect(p).toMatchObject({ freqs: form.freqs, decim: 16, rois: [{ name: 'front', channels: ['EEG01', 'EEG02'] }], correction: null });
    // The untouched default region keeps the channels the recording has (a suggestion for EEG montages).
    expect(tfParamsOf(DEFAULT_TF_FORM, meta, DEFAULT_CORRECT)).toMatchObject({ rois: [{ name: 'theta-group', channels: ['EEG01', 'EEG02'] }], correction: DEFAULT_CORRECT });
    expect(tfParamsOf({ ...DEFAULT_TF_FORM, roi: ' ' }, meta, null)).toMatchObject({ rois: [] });
    expect(tfParamsOf({ ...DEFAULT_TF_FORM, step: 0 }, meta, null)).toEqual({ error: 'the frequency step (0 Hz) must be above 0 Hz' });
  });

  it('names a region it cannot use instead of dropping it or its unknown channels (the average would be over fewer channels than asked)', () => {
    const names = ['EEG01', 'EEG02', 'ECG'];
    expect(formRois('front=EEG01, EEG09,EEG02', names)).toEqual({ error: 'region "front" names "EEG09", not a channel of this recording (EEG01, EEG02, ECG)' });
    expect(formRois('none=X,Y', names)).toEqual({ error: 'region "none" names "X", "Y", not a channel of this recording (EEG01, EEG02, ECG)' });
    expect(formRois('EEG01,EEG02', names)).toEqual({ error: 'write the region as NAME=channel,channel (e.g. front=EEG01,EEG02), or leave it empty' });
    expect(formRois('front=', names)).toEqual({ error: 'region "front" names no channel: list them after "=", separated by commas' });
    expect(formRois(DEFAULT_TF_FORM.roi, ['CH1', 'CH2'])).toEqual({ rois: [] });
    expect(formRois(' back = ECG ,EEG02', names)).toEqual({ rois: [{ name: 'back', channels: ['ECG', 'EEG02'] }] });
  });
});
