// Event-locked epochs of the time-frequency workflow against MNE (committed fixture made by
// test/fixtures/gen/gen_mne_tf_epochs.py with Debian's python3-mne): the recording is written as
// BrainVision with its target and distractor markers, the tf workflow runs in the engine with
// epochs (label regex, tmin/tmax) and each of MNE's baseline modes, and its band table must equal
//   - MNE's band means of the epoch-averaged TFR, and the region of interest (mean of the channels),
//   - the per-frequency epoch TFR after AverageTFR.apply_baseline (one-frequency bands),
//   - with the same epochs used and dropped (events off the recording's edges).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/pipeline/engine';
import { loadTfResult } from '../../src/main/pipeline/tf-result';
import { openSource } from '../../src/main/io';
import { writeBrainVision } from '../../src/main/io/brainvision/bv-write';
import { DEFAULT_TF, type PipelineSpec, type TfParams } from '../../src/shared/params';
import type { RecordingMeta } from '../../src/shared/recording';
import type { Pool } from '../../src/main/pool/pool';
import { makePool, removeTmpDirs, tmpDir } from './helpers';

const DIR = path.resolve(__dirname, '../fixtures/mne-epochs');
interface Ref { file: string; shape: number[] }
interface Manifest {
  mne: string; sfreq: number; freqs: number[]; n_cycles: number; decim: number; tmin: number; tmax: number;
  baseline: [number, number]; channels: string[]; bands: { name: string; lo: number; hi: number }[];
  roi: { name: string; channels: string[] }; events: { sample: number; label: string }[];
  used: number; dropped: number; x: Ref; times: Ref; labels: string[];
  band: Record<string, Ref>; tfr: Record<string, Ref>;
}
const m = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as Manifest;
function load(r: Ref): Float64Array {
  const b = readFileSync(path.join(DIR, r.file));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Tolerance: power is stored as float32 in the session cache (half an ulp = 6e-8 relative), and band
 * means, ROI means and baseline statistics add a few roundings; 1e-6 relative is far above that and
 * far below any real difference. Relative to the value, or to `scale` where values cross zero: 1 for
 * the normalised modes, the row's power for 'mean' (power minus its baseline mean, in unit^2).
 */
function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, scale = 1): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / Math.max(scale, Math.abs(want[i]));
    if (!(e <= worst)) { worst = e; at = i; }
  }
  expect(worst, `${what}: worst relative error at ${at} (got ${got[at]}, MNE ${want[at]})`).toBeLessThanOrEqual(1e-6);
}

let pool: Pool;
let file: string;
let meta: RecordingMeta;
const MODES = ['none', 'mean', 'ratio', 'logratio', 'percent', 'zscore', 'zlogratio'] as const;

beforeAll(async () => {
  pool = await makePool(2);
  file = path.join(tmpDir('tf-epochs'), 'epochs.vhdr');
  const x = load(m.x);
  const n = m.x.shape[1];
  await writeBrainVision(file, { channels: m.channels.map((name) => ({ name })), sampleRate: m.sfreq, nSamples: n, events: m.events.map((e) => ({ ...e, duration: 1 })) },
    (s, e) => m.channels.map((_, c) => Float32Array.from(x.subarray(c * n + s, c * n + e))));
  const src = await openSource(file);
  meta = src.meta;
  src.close();
});
afterAll(async () => { await pool?.dispose(); removeTmpDirs(); });

describe(`event-locked tf epochs and baselines vs MNE ${m.mne}`, () => {
  it('the fixture recording reads back with its markers', () => {
    expect(meta.nSamples).toBe(m.x.shape[1]);
    expect(meta.events.filter((e) => e.label === 'Stimulus/S  1').map((e) => e.sample)).toEqual(m.events.filter((e) => e.label === 'Stimulus/S  1').map((e) => e.sample));
  });

  for (const mode of MODES) {
    it(`band series, region of interest and per-frequency epoch TFR, baseline ${mode}`, async () => {
      const engine = new Engine(pool);
      const perFreq = m.freqs.map((f) => ({ name: `at${f}`, lo: f, hi: f }));
      const params: TfParams = {
        ...DEFAULT_TF, freqs: m.freqs, nCycles: [m.n_cycles], decim: m.decim,
        bands: [...m.bands, ...perFreq], rois: [m.roi],
        epochs: { regex: '^Stimulus/S  1$', tmin: m.tmin, tmax: m.tmax },
        baseline: mode === 'none' ? { mode: 'none', start: null, end: null } : { mode, start: m.baseline[0], end: m.baseline[1] },
      };
      const spec: PipelineSpec = { workflow: 'tf', params, mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 256 }, channels: [0, 1] };
      const report = await engine.start(spec, { path: file }, meta, () => undefined).done;
      expect(report.state).toBe('done');
      const band = loadTfResult(engine.sessionDir(file)).band!;
      expect(band.epochs).toEqual({ used: m.used, dropped: m.dropped });
      close(band.times, load(m.times), 'epoch times');
      const nT = band.times.length;
      const row = (label: string): Float64Array => {
        const i = band.labels.indexOf(label);
        expect(i, label).toBeGreaterThanOrEqual(0);
        return band.series.subarray(i * nT, (i + 1) * nT);
      };
      // Bands and the region of interest, in MNE's row order.
      const want = load(m.band[mode]), wantPower = load(m.band.none);
      const scale = (p: Float64Array): number => (mode === 'mean' ? Math.max(...p.map(Math.abs)) : 1);
      m.labels.forEach((label, r) => close(row(label), want.subarray(r * nT, (r + 1) * nT), `${label} (${mode})`, scale(wantPower.subarray(r * nT, (r + 1) * nT))));
      // One-frequency bands are the epoch TFR rows, baseline-corrected row by row like AverageTFR.apply_baseline.
      const tfr = load(m.tfr[mode]), tfrPower = load(m.tfr.none);
      const nF = m.freqs.length;
      m.channels.forEach((ch, c) => perFreq.forEach((b, f) => {
        const [a, e] = [(c * nF + f) * nT, (c * nF + f + 1) * nT];
        close(row(`${b.name}\t${ch}`), tfr.subarray(a, e), `${ch} ${b.name} Hz (${mode})`, scale(tfrPower.subarray(a, e)));
      }));
    });
  }

  it('the theta burst after the targets shows in the epoch average of the burst channel only', () => {
    const times = load(m.times);
    const theta = load(m.band.logratio);
    const nT = times.length;
    const mean = (r: number, a: number, b: number): number => {
      let s = 0, k = 0;
      for (let i = 0; i < nT; i++) if (times[i] >= a && times[i] <= b) { s += theta[r * nT + i]; k++; }
      return s / k;
    };
    // Rows: theta EEG01, theta EEG02, theta both: a fixture that shows the effect, not just noise.
    expect(mean(0, 0.3, 0.7)).toBeGreaterThan(0.5);
    expect(Math.abs(mean(1, 0.3, 0.7))).toBeLessThan(0.2);
  });
});
