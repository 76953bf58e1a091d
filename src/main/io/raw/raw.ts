// Raw interleaved binary (.dat/.bin as written by Open Ephys, SpikeGLX, Kilosort): no header of
// its own, so channel count and sample rate come from the caller (or from a sidecar, see
// openephys/ and spikeglx/). uint16 data is taken as offset binary centred on 32768 (Intan).

import * as path from 'node:path';
import type { ChannelInfo, RecordingMeta } from '../../../shared/recording';
import { LIMITS } from '../../../shared/params';
import { ioError } from '../common/errors';
import { BlockFile } from '../common/file';
import { BYTES, MatrixSource, type SampleType } from '../common/matrix';
import type { IoOpenOptions } from '../common/options';

export async function openRaw(file: string, opts: IoOpenOptions = {}): Promise<MatrixSource> {
  const nCh = opts.channels;
  const rate = opts.rate;
  if (nCh === undefined || rate === undefined) {
    throw ioError('BAD_PARAMETER', file, 'A raw binary file has no header: the channel count and sample rate are unknown',
      'Give the number of channels and the sample rate (and the gain in uV/bit), or keep the SpikeGLX .meta or '
      + 'Open Ephys structure.oebin next to the data file.');
  }
  if (!Number.isInteger(nCh) || nCh < 1 || nCh > LIMITS.maxChannels) {
    throw ioError('BAD_PARAMETER', file, `Channel count must be an integer from 1 to ${LIMITS.maxChannels}, got ${nCh}`, 'Enter the number of interleaved channels.');
  }
  if (!(rate >= LIMITS.sampleRateHz.min && rate <= LIMITS.sampleRateHz.max)) {
    throw ioError('BAD_PARAMETER', file, `Sample rate must be from ${LIMITS.sampleRateHz.min} to ${LIMITS.sampleRateHz.max} Hz, got ${rate}`, 'Enter the sampling rate in Hz.');
  }
  const type: SampleType = opts.dtype ?? 'int16';
  if (!['int16', 'uint16', 'float32'].includes(type)) {
    throw ioError('BAD_PARAMETER', file, `Unsupported sample type '${String(type)}'`, 'Use int16, uint16 or float32.');
  }
  const gain = opts.gain ?? 1;
  if (!Number.isFinite(gain) || gain === 0) {
    throw ioError('BAD_PARAMETER', file, `Gain must be a non-zero number of uV per bit, got ${gain}`, 'Enter the gain in uV per bit (0.195 for Intan).');
  }
  const header = opts.offset ?? 0;
  const f = BlockFile.open(file);
  try {
    if (!Number.isInteger(header) || header < 0 || header > f.size) {
      throw ioError('BAD_PARAMETER', file, `Header offset ${header} is outside the file (${f.size} bytes)`, 'Enter the number of header bytes to skip.');
    }
    const frame = nCh * BYTES[type];
    const nSamples = Math.floor((f.size - header) / frame);
    if (f.size === 0) throw ioError('FILE_EMPTY', file, 'The file is empty', 'Choose the recording file, not an empty placeholder.');
    if (nSamples === 0) {
      throw ioError('FILE_TRUNCATED', file, `The data (${f.size - header} bytes) is shorter than one frame of ${nCh} channels`,
        'Check the channel count and sample type.');
    }
    const notes: string[] = [];
    const rest = (f.size - header) % frame;
    if (rest) notes.push(`The last ${rest} bytes do not fill a frame of ${nCh} channels and are ignored (check the channel count).`);
    if (opts.gain === undefined) notes.push('No gain given: samples are shown as raw units (1 uV per bit).');
    if (type === 'uint16') notes.push('uint16 samples are offset binary: 32768 is taken as zero.');
    const channels: ChannelInfo[] = Array.from({ length: nCh }, (_, i) => ({
      name: `ch${i}`, group: '0', unit: 'uV', scale: gain, kind: 'ephys' as const,
    }));
    const meta: RecordingMeta = {
      path: file, format: 'raw', channels, sampleRate: rate, nSamples, events: [],
      notes: notes.length ? notes : undefined,
    };
    const zero = type === 'uint16' ? -32768 * gain : 0;
    return new MatrixSource(meta, f, {
      dataOffset: header, stored: nCh, column: channels.map((_, i) => i), type, orientation: 'interleaved',
      scale: new Float64Array(nCh).fill(gain), offset: new Float64Array(nCh).fill(zero),
    }, opts.nonFinite);
  } catch (e) {
    f.close();
    throw e;
  }
}

/** True for the extensions a raw binary usually has (used only as a hint next to content checks). */
export function looksRawByName(file: string): boolean {
  return ['.dat', '.bin', '.raw'].includes(path.extname(file).toLowerCase());
}
