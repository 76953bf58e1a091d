// The correction view's data for one channel: the scanner triggers, the average artifact epoch
// before and after correction, Welch power spectra before and after with the slice frequency's
// harmonics, and the metrics (run-wide ones from the run summary, channel ones computed here).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CorrectionModel, CorrectionView, TriggerReport } from '../shared/api';
import { SpikeDeskError } from '../shared/errors';
import type { RecordingMeta } from '../shared/recording';
import { median } from '../workers/correct/triggers';
import { harmonicPowerDb, medianResidualArtifact, rms, welch } from '../workers/correct/metrics';
import type { Source } from './io/source';
import { latestRunWith, readSession, type RunRecord } from './pipeline/session-store';
import { readStageOutput } from './pipeline/stage-runner';
import { triggersStage } from './pipeline/stages/correct';
import { resultStages } from './pipeline/workflows';
import { resultFiles } from './backend-traces';
import { readF32 } from './session/workbench-tasks';

/** At most this much of the acquisition is analysed (keeps the request interactive on long recordings). */
const MAX_ANALYSIS_S = 60;

/** The triggers the run's correction subtracted (after completion), from the triggers stage's cache entry. */
function triggersOf(run: RunRecord): { samples: number[]; source: string; report: TriggerReport | null; model: CorrectionModel | null } | null {
  const rec = run.stages[triggersStage.name];
  if (!rec) return null;
  const file = path.join(rec.dir, 'global.bin');
  if (!fs.existsSync(file)) return null;
  const out = readStageOutput(triggersStage, file);
  const sm = out.summary;
  const report: TriggerReport | null = Array.isArray(sm.addedSamples)
    ? {
      found: sm.count - sm.added + sm.removed, used: sm.count, added: sm.addedSamples.map(Math.round), removed: sm.removedSamples.map(Math.round),
      unresolved: sm.unresolvedSamples ?? [], addedCount: sm.added, removedCount: sm.removed, volumes: sm.volumes, slicesPerVolume: sm.slicesPerVolume, warnings: sm.warnings,
    }
    : null;
  const t = sm.timing;
  const model: CorrectionModel | null = sm.template
    ? {
      template: sm.template, candidates: sm.templateCandidates ?? '', crossChannel: sm.crossChannel ?? null, lowBand: sm.lowBand ?? null,
      timing: t ? `${t.used ? 'used' : 'not used'}: onsets ${t.residualSdSamples.toFixed(4)} samples SD from the model (max ${t.residualMaxSamples.toFixed(3)}), ${t.outliers} outlier(s)${t.refinePasses ? `, ${t.refinePasses} refinement pass(es)` : ''}` : null,
    }
    : null;
  return { samples: [...out.triggerSamples].map((t) => Math.round(t)), source: `${sm.source} (${sm.reason})`, report, model };
}

function toDb(p: Float64Array, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, k) => 10 * Math.log10(Math.max(p[k], 1e-12)));
}

function flatten(prefix: string, v: unknown, out: CorrectionView['metrics'], depth = 0): void {
  if (typeof v === 'number' && Number.isFinite(v)) out.push({ name: prefix, value: v });
  else if (typeof v === 'string' && v.length < 80) out.push({ name: prefix, value: v });
  else if (Array.isArray(v) && v.length <= 8 && v.every((x) => typeof x === 'number')) out.push({ name: prefix, value: v.map((x) => (x as number).toFixed(2)).join(', ') });
  else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 2) {
    for (const [k, x] of Object.entries(v)) flatten(prefix ? `${prefix}.${k}` : k, x, out, depth + 1);
  }
}

export function correctionView(src: Source, sessionDir: string, channel: number): CorrectionView | null {
  const meta: RecordingMeta = src.meta;
  const s = readSession(sessionDir);
  const run = s ? latestRunWith(s, resultStages('corrected'), 'correct') : null;
  if (!s || !run) return null;
  const files = resultFiles(sessionDir, 'corrected');
  if (!files) return null;
  if (!Number.isInteger(channel) || channel < 0 || channel >= meta.channels.length) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel ${channel} does not exist`, fix: `choose 0..${meta.channels.length - 1}` });
  }
  if (!files[channel]) {
    throw new SpikeDeskError({ code: 'NOT_FOUND', message: `channel ${meta.channels[channel].name} was not corrected in the last run`, fix: 'pick a corrected EEG channel' });
  }
  const fs = meta.sampleRate;
  const trig = triggersOf(run);
  if (!trig) throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'the trigger plan of the last correction is not in the session cache', fix: 'run the correction again' });
  if (trig.samples.length < 3) throw new SpikeDeskError({ code: 'NO_TRIGGERS', message: 'fewer than 3 triggers found', fix: 'check the trigger settings of the correction' });
  const spacing = trig.samples.slice(1).map((v, i) => v - trig.samples[i]);
  const L = Math.max(2, Math.round(median(spacing)));
  // Analyse a window of the acquisition starting at the first trigger (capped for long recordings).
  const a = trig.samples[0];
  const b = Math.min(meta.nSamples, trig.samples[trig.samples.length - 1] + L, a + MAX_ANALYSIS_S * fs);
  const raw = src.read([channel], a, b)[0];
  const cor = readF32(files[channel], a, b);
  const starts = trig.samples.filter((t) => t + L <= b).map((t) => t - a);
  const before = new Float32Array(L), after = new Float32Array(L);
  for (const t of starts) for (let i = 0; i < L; i++) { before[i] += raw[t + i] / starts.length; after[i] += cor[t + i] / starts.length; }
  let seg = 1;
  while (seg * 2 <= Math.min(raw.length, 4 * fs)) seg *= 2;
  const pb = welch(raw, fs, seg), pa = welch(cor, fs, seg);
  const sliceHz = fs / L;
  const maxHz = Math.min(fs / 2, Math.max(100, sliceHz * 6.5));
  const nF = pb.freqs.findIndex((f) => f > maxHz);
  const n = nF < 0 ? pb.freqs.length : nF;
  const harmonicsHz = Array.from({ length: 5 }, (_, h) => (h + 1) * sliceHz).filter((f) => f <= maxHz);
  const hb = harmonicPowerDb(raw, fs, sliceHz, 5), ha = harmonicPowerDb(cor, fs, sliceHz, 5);
  const metrics: CorrectionView['metrics'] = [
    { name: `RMS ratio (${meta.channels[channel].name})`, value: rms(raw) / rms(cor),
      note: 'RMS of the raw signal ÷ RMS of the corrected signal during the scan: how much the correction removed (about 1 = nothing; the gradient artifact makes it 10-100)' },
    { name: 'median residual artifact (uV pk-pk)', value: medianResidualArtifact([cor], starts, L),
      note: 'peak-to-peak of the average artifact epoch left after correction (median over the epochs); lower is better' },
    { name: 'artifact before (uV pk-pk)', value: medianResidualArtifact([raw], starts, L), note: 'the same measure on the raw signal' },
    { name: 'slice harmonics power before (dB)', value: hb.map((x) => x.toFixed(1)).join(', '), note: 'power at the first 5 multiples of the slice frequency, raw' },
    { name: 'slice harmonics power after (dB)', value: ha.map((x) => x.toFixed(1)).join(', '), note: 'the same after correction; a drop of 20 dB is a 10x smaller amplitude' },
  ];
  const runWide: CorrectionView['metrics'] = [];
  for (const [k, v] of Object.entries(run.summary)) if (!/^ch\d+$/.test(k)) flatten(k, v, runWide);
  flatten(`channel`, run.summary[`ch${channel}`], runWide);
  metrics.push(...runWide.slice(0, 30));
  return {
    runId: run.runId, channel, channelName: meta.channels[channel].name, sampleRate: fs,
    triggers: Int32Array.from(trig.samples), triggerSource: trig.source, epochLength: L,
    templateBefore: before, templateAfter: after,
    freqs: Float32Array.from(pb.freqs.subarray(0, n)), psdBefore: toDb(pb.psd, n), psdAfter: toDb(pa.psd, n),
    sliceHz, harmonicsHz, metrics, triggerReport: trig.report, model: trig.model,
  };
}
