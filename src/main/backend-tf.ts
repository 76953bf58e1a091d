// The time-frequency view for the renderer: the latest tf run's power for one channel or region of
// interest (mean over its channels), averaged into at most maxTimes display columns (the renderer
// never gets a whole run), plus the matching band-power series of the tf-band stage.

import { SpikeDeskError } from '../shared/errors';
import type { TfView, TfViewRequest } from '../shared/api';
import type { ExportSummary } from '../shared/api';
import type { TfDataFormat } from '../shared/menu';
import { loadTfResult } from './pipeline/tf-result';
import { writeTfFolder } from './export/tf-folder';
import { writeTfNwb } from './export/tf-nwb';

export function tfView(sessionDir: string, req: TfViewRequest): TfView | null {
  let r;
  try { r = loadTfResult(sessionDir); } catch (e) {
    if (e instanceof SpikeDeskError && e.code === 'NOT_FOUND') return null;
    throw e;
  }
  const names = r.meta.channels.map((c) => c.name);
  let members: number[];
  if (req.target.kind === 'channel') {
    const ch = req.target.channel;
    if (!r.channels.includes(ch)) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `channel ${names[ch] ?? ch} has no time-frequency result`, fix: 'choose an analysed channel or run the analysis on it' });
    members = [ch];
  } else {
    const name = req.target.name;
    const roi = r.params.rois.find((x) => x.name === name);
    if (!roi) throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `region "${name}" is not part of the run`, fix: 'choose one of the run\'s regions' });
    members = roi.channels.map((n) => names.indexOf(n)).filter((c) => r.channels.includes(c));
  }
  const nF = r.params.freqs.length;
  const bin = Math.max(1, Math.ceil(r.nOut / req.maxTimes));
  const cols = Math.ceil(r.nOut / bin);
  const power = new Float32Array(nF * cols);
  const acc = new Float64Array(nF * cols);
  // Row by row from the cache entries: a region's channels at full rate are hundreds of MB.
  const row = new Float32Array(r.nOut);
  for (const c of members) {
    const ch = r.openChannel(c);
    try {
      for (let f = 0; f < nF; f++) {
        ch.read(f, 0, row);
        for (let t = 0; t < r.nOut; t++) acc[f * cols + Math.floor(t / bin)] += row[t];
      }
    } finally {
      ch.close();
    }
  }
  for (let f = 0; f < nF; f++) {
    for (let k = 0; k < cols; k++) {
      const n = Math.min(bin, r.nOut - k * bin);
      power[f * cols + k] = acc[f * cols + k] / (n * members.length);
    }
  }
  const times = Float64Array.from({ length: cols }, (_, k) => {
    const a = k * bin, b = Math.min(r.nOut, a + bin) - 1;
    return (r.times[a] + r.times[b]) / 2;
  });
  const label = req.target.kind === 'channel' ? names[req.target.channel] : req.target.name;
  const bands: TfView['bands'] = [];
  if (r.band) {
    const nT = r.band.times.length;
    r.params.bands.forEach((b) => {
      const row = r.band!.labels.indexOf(`${b.name}\t${label}`);
      if (row >= 0) bands.push({ name: b.name, lo: b.lo, hi: b.hi, times: r.band!.times, values: r.band!.series.slice(row * nT, (row + 1) * nT), unit: r.band!.unit });
    });
  }
  return {
    freqs: r.params.freqs, times, power, unit: `${r.meta.channels[members[0]]?.unit ?? 'uV'}^2`,
    channels: r.channels.map((c) => ({ index: c, name: names[c] })), rois: r.params.rois, bands, runId: r.run.runId,
    // Sessions written before the option have no field: raw.
    signal: r.params.correction ? 'corrected' : 'raw',
  };
}

/** File > Export of the latest time-frequency run (same writers as `spikedesk tf --out / --nwb`). */
export async function exportTfResult(sessionDir: string, recordingPath: string, format: TfDataFormat, out: string, overwrite: boolean): Promise<ExportSummary> {
  const r = loadTfResult(sessionDir);
  const files = format === 'tf-nwb' ? (await writeTfNwb(out, r, recordingPath, overwrite), [out]) : await writeTfFolder(out, r, recordingPath, overwrite);
  return { format, path: out, files, units: 0, spikes: 0, channels: r.channels.length };
}
