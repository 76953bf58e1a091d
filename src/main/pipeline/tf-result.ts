// A finished time-frequency run read back from the session cache: per-channel power (and phase)
// entries of the tf stage and the band table of the tf-band stage. Used by the CLI, the exports
// and the view; channels are read one at a time so a large run never sits in memory whole.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpikeDeskError } from '../../shared/errors';
import type { RecordingMeta } from '../../shared/recording';
import type { TfParams } from '../../shared/params';
import { readSession, type RunRecord } from './session-store';
import { openBundleStream } from './bundle';
import { readStageOutput } from './stage-runner';
import { tfBandStage, type TfBandOutput } from './stages/tf';

export interface TfResult {
  run: RunRecord;
  params: TfParams;
  meta: Pick<RecordingMeta, 'sampleRate' | 'nSamples' | 'channels'>;
  /** Channels with a power entry (failed ones are left out and listed in run.failed). */
  channels: number[];
  nOut: number;
  /** Output times in seconds (every decim-th sample from the first). */
  times: Float64Array;
  /**
   * The bytes of one channel's power (or phase), freqs x times float32 in frequency order, handed
   * to `write` in pieces: an export of a long run never holds a channel (tens of MB) in memory.
   */
  streamChannel(channel: number, pick: 'power' | 'phase', write: (bytes: Uint8Array) => void): void;
  /**
   * Random access to one channel's power for exports that reorder it (NWB is times x channels x
   * freqs): `read(f, t0, into)` fills `into` with frequency row f from output time t0. Close it.
   */
  openChannel(channel: number): { read(f: number, t0: number, into: Float32Array): void; close(): void };
  band: TfBandOutput | null;
}

function missing(what: string): never {
  throw new SpikeDeskError({ code: 'NOT_FOUND', message: `${what} is not in the session`, fix: 'run the time-frequency analysis first (spikedesk tf FILE ...)' });
}

function corrupt(c: number, what: string): SpikeDeskError {
  return new SpikeDeskError({ code: 'FORMAT_CORRUPT', message: `tf entry of channel ${c}: ${what}`, fix: 'delete the session cache folder and run again' });
}

/** The latest time-frequency run of a session, when it finished (done, or done with some channels failed). */
export function loadTfResult(sessionDir: string): TfResult {
  const s = readSession(sessionDir);
  // session.json keeps the parameters of the latest run of each workflow, so only that run is readable.
  const run = (s?.runs ?? []).filter((r) => r.workflow === 'tf').at(-1) ?? missing('a time-frequency run');
  if (run.state !== 'done') missing(`a finished time-frequency run (the latest one ${run.state === 'cancelled' ? 'was cancelled' : 'failed'})`);
  const spec = (s!.params.tf ?? missing('the parameters of the time-frequency run')) as TfParams;
  const tfDir = run.stages.tf?.dir ?? missing('the tf stage');
  const meta = { sampleRate: s!.meta.sampleRate, nSamples: s!.meta.nSamples, channels: s!.meta.channels };
  const failed = new Set(run.failed.map((f) => f.channel));
  const channels = run.channels.filter((c) => !failed.has(c));
  const file = (c: number): string => path.join(tfDir, `ch${String(c).padStart(4, '0')}.bin`);
  for (const c of channels) if (!fs.existsSync(file(c))) missing(`the power of channel ${c}`);
  const nOut = Math.ceil(meta.nSamples / spec.decim);
  const times = Float64Array.from({ length: nOut }, (_, t) => (t * spec.decim) / meta.sampleRate);
  const bandDir = run.stages['tf-band']?.dir;
  const band = bandDir && fs.existsSync(path.join(bandDir, 'global.bin')) ? readStageOutput(tfBandStage, path.join(bandDir, 'global.bin')) : null;
  /** A channel's entry opened for streaming, its rows and array checked against the run. */
  const openChecked = (c: number, pick: 'power' | 'phase'): ReturnType<typeof openBundleStream> => {
    let b: ReturnType<typeof openBundleStream>;
    try {
      b = openBundleStream(file(c));
    } catch (e) {
      throw corrupt(c, (e as Error).message);
    }
    const rows = b.info.rows;
    const a = b.arrays[pick];
    const bad = !Array.isArray(rows) || rows.length !== spec.freqs.length || rows.some((r, i) => r !== i) ? 'its frequencies are missing or out of order'
      : !a || a.tag !== 'f32' || a.length !== spec.freqs.length * nOut ? `its ${pick} is not ${spec.freqs.length} x ${nOut} float32` : null;
    if (bad) {
      b.close();
      throw corrupt(c, bad);
    }
    return b;
  };
  return {
    run, params: spec, meta, channels, nOut, times, band,
    streamChannel(c, pick, write) {
      const b = openChecked(c, pick);
      try {
        b.copy(pick, write);
      } finally {
        b.close();
      }
    },
    openChannel(c) {
      const b = openChecked(c, 'power');
      return {
        read(f, t0, into) {
          if (!(f >= 0 && f < spec.freqs.length && t0 >= 0 && t0 + into.length <= nOut)) throw new SpikeDeskError({ code: 'INTERNAL', message: `tf read of row ${f}, times ${t0}-${t0 + into.length} is outside ${spec.freqs.length} x ${nOut}` });
          b.read('power', f * nOut + t0, new Uint8Array(into.buffer, into.byteOffset, into.byteLength));
        },
        close: () => b.close(),
      };
    },
  };
}
