// The time-frequency result as a folder of NumPy/TSV files (CLI `tf --out`, File > Export):
//   power.npy       channels x freqs x times, float32, recording unit squared (streamed channel by channel)
//   phase.npy       same layout, radians (when the run kept the phase)
//   freqs.npy       float64 Hz;  times.npy  float64 seconds (every decim-th sample from the first)
//   channels.tsv    index, name, unit;   band_power.tsv  time + one column per band x channel/ROI
//   provenance.json software, parameters, recording
// Built in a temp folder and renamed into place; an existing folder is replaced only with overwrite.

import * as path from 'node:path';
import { AtomicFileWriter, writeFileAtomic } from '../io/atomic';
import type { TfResult } from '../pipeline/tf-result';
import { withAtomicOutput } from './atomic-output';
import { npyHeader, writeNpy } from './npy';
import { VERSION } from '../compose';

export const TF_FILES = ['power.npy', 'freqs.npy', 'times.npy', 'channels.tsv'] as const;

function writeStacked(file: string, r: TfResult, pick: 'power' | 'phase'): void {
  const nF = r.params.freqs.length;
  const w = AtomicFileWriter.open(file);
  try {
    w.write(npyHeader([r.channels.length, nF, r.nOut], 'float32'));
    for (const c of r.channels) r.streamChannel(c, pick, (bytes) => w.write(bytes));
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** The band table as TSV: a time column and one column per band x channel/ROI. */
export function bandTsv(r: TfResult): string | null {
  const b = r.band;
  if (!b) return null;
  const nT = b.times.length;
  const head = ['time_s', ...b.labels.map((l) => l.replace('\t', ':'))].join('\t');
  const lines = [head];
  for (let t = 0; t < nT; t++) {
    const row = [b.times[t].toFixed(6)];
    for (let k = 0; k < b.labels.length; k++) row.push(String(b.series[k * nT + t]));
    lines.push(row.join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export async function writeTfFolder(out: string, r: TfResult, recordingPath: string, overwrite: boolean): Promise<string[]> {
  return withAtomicOutput(path.resolve(out), 'dir', overwrite, (dir) => {
    const files: string[] = [];
    writeStacked(path.join(dir, 'power.npy'), r, 'power');
    files.push('power.npy');
    if (r.params.phase) { writeStacked(path.join(dir, 'phase.npy'), r, 'phase'); files.push('phase.npy'); }
    writeNpy(path.join(dir, 'freqs.npy'), r.params.freqs, [r.params.freqs.length], 'float64');
    writeNpy(path.join(dir, 'times.npy'), r.times, [r.nOut], 'float64');
    const ch = r.channels.map((c, i) => `${i}\t${c}\t${r.meta.channels[c].name}\t${r.meta.channels[c].unit}^2`);
    writeFileAtomic(path.join(dir, 'channels.tsv'), `row\tindex\tname\tpower_unit\n${ch.join('\n')}\n`);
    files.push('freqs.npy', 'times.npy', 'channels.tsv');
    const band = bandTsv(r);
    if (band) {
      writeFileAtomic(path.join(dir, 'band_power.tsv'), band);
      files.push('band_power.tsv');
    }
    writeFileAtomic(path.join(dir, 'provenance.json'), `${JSON.stringify({
      software: 'SpikeDesk', version: VERSION, createdAt: new Date().toISOString(), workflow: 'tf', runId: r.run.runId,
      recording: { path: recordingPath, sampleRate: r.meta.sampleRate, nSamples: r.meta.nSamples },
      params: r.params, bandUnit: r.band?.unit ?? null, epochs: r.band?.epochs ?? null, failedChannels: r.run.failed,
    }, null, 1)}\n`);
    files.push('provenance.json');
    return files;
  });
}
