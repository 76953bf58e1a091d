// The one small API every recording format implements. Readers are lazy and block-based:
// opening reads headers only; read() touches only the bytes of the requested window.

import type { OpenOptions, RecordingMeta } from '../../shared/recording';

export interface Source {
  readonly meta: RecordingMeta;
  /**
   * Samples [start, end) of the given channels, scaled to uV, one Float32Array per channel.
   * Throws SpikeDeskError (BAD_REQUEST) for out-of-range channels or windows.
   * `out`, when given, supplies the arrays to fill (one per channel, each at least end - start
   * long) and is returned: reusing them keeps long channel-by-channel reads free of garbage.
   */
  read(channels: number[], start: number, end: number, out?: Float32Array[]): Float32Array[];
  close(): void;
}

export type SourceOpener = (path: string, options?: OpenOptions) => Promise<Source>;
