// What the recording writers (EDF+, BrainVision) take: a header describing the corrected
// recording and a block reader they call in time order, so a whole recording never has to be
// in memory at once.

import type { EventMark } from '../../../shared/recording';
import { ioError } from './errors';
import type { AtomicOptions } from '../atomic';

export interface WriteHeader {
  /** Channel names; every channel's samples are in uV. */
  channels: { name: string }[];
  sampleRate: number;
  nSamples: number;
  /** Triggers / annotations to store (sample index, duration in samples, label). */
  events?: EventMark[];
  /** Recording start (EDF header, BrainVision New Segment marker); default unknown. */
  startTime?: Date;
}

/** Samples [start, end) of every channel, in uV; called with increasing, adjacent windows. */
export type BlockReader = (start: number, end: number) => Float32Array[] | Promise<Float32Array[]>;

export interface WriteOptions extends AtomicOptions {
  /** Samples per block requested from readBlock (memory bound); default ~1 M samples in total. */
  blockSamples?: number;
}

export function checkHeader(file: string, h: WriteHeader): void {
  if (h.channels.length === 0) throw ioError('BAD_PARAMETER', file, 'Nothing to write: no channels', 'Select at least one channel to export.');
  if (!(h.sampleRate > 0) || !Number.isFinite(h.sampleRate)) throw ioError('BAD_PARAMETER', file, `Invalid sample rate ${h.sampleRate}`, 'Give a positive sample rate.');
  if (!Number.isInteger(h.nSamples) || h.nSamples < 1) throw ioError('BAD_PARAMETER', file, `Invalid sample count ${h.nSamples}`, 'Export at least one sample.');
}

export function blockLength(h: WriteHeader, opts: WriteOptions): number {
  return Math.max(1, opts.blockSamples ?? Math.floor((1 << 20) / h.channels.length));
}

/** Call readBlock and check what came back: one array per channel, of the right length, finite. */
export async function fetchBlock(file: string, h: WriteHeader, readBlock: BlockReader, start: number, end: number): Promise<Float32Array[]> {
  const data = await readBlock(start, end);
  if (!Array.isArray(data) || data.length !== h.channels.length || data.some((d) => d.length !== end - start)) {
    throw ioError('INTERNAL', file, `The block reader returned the wrong shape for samples ${start}..${end}`);
  }
  data.forEach((d, c) => {
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) {
        throw ioError('NON_FINITE', file, `Channel '${h.channels[c].name}' has a non-finite value at sample ${start + i}; nothing was written`,
          'Fix or exclude the channel before exporting.');
      }
    }
  });
  return data;
}
