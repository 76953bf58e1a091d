// Intan RHD2000 .rhd reader ("traditional" single-file format): the header, then data blocks
// of 60 (v1-2) or 128 (v3) samples holding timestamps, amplifier, aux, supply, temperature,
// board ADC and digital words. Amplifier channels are exposed in uV (0.195 uV/bit, offset
// binary), board ADC inputs and the digital-input word as 'stim' channels.

import type { ChannelInfo, RecordingMeta } from '../../../shared/recording';
import type { Source } from '../source';
import { checkRequest, outputs } from '../common/checks';
import { ioError } from '../common/errors';
import { alignedBuffer, BlockFile } from '../common/file';
import type { IoOpenOptions } from '../common/options';
import { parseRhdHeader } from './rhd-header';

const CHUNK_BYTES = 4 * 1024 * 1024;
const HEADER_MAX = 1 << 20;

/** Where each exposed channel sits inside a block: byte offset of its N samples, and scaling. */
interface Slot { at: number; scale: number; offset: number }

class RhdSource implements Source {
  private buf: Buffer | null = null;
  constructor(readonly meta: RecordingMeta, private readonly f: BlockFile, private readonly dataStart: number,
    private readonly blockBytes: number, private readonly N: number, private readonly slots: Slot[]) {}

  read(channels: number[], start: number, end: number, into?: Float32Array[]): Float32Array[] {
    checkRequest(this.meta, channels, start, end);
    const out = outputs(this.meta, channels, end - start, into);
    if (end <= start || channels.length === 0) return out;
    const { N, blockBytes } = this;
    const b0 = Math.floor(start / N);
    const b1 = Math.ceil(end / N);
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / blockBytes));
    const buf = blockBytes <= CHUNK_BYTES ? (this.buf ??= alignedBuffer(CHUNK_BYTES)) : alignedBuffer(blockBytes);
    const u16 = new Uint16Array(buf.buffer, 0, Math.floor(buf.byteLength / 2));
    for (let c0 = b0; c0 < b1; c0 += perChunk) {
      const nb = Math.min(perChunk, b1 - c0);
      this.f.readAt(this.dataStart + c0 * blockBytes, nb * blockBytes, buf);
      for (let b = 0; b < nb; b++) {
        const first = (c0 + b) * N;
        const lo = Math.max(start, first);
        const hi = Math.min(end, first + N);
        channels.forEach((c, k) => {
          const { at, scale, offset } = this.slots[c];
          const p = (b * blockBytes + at) / 2 - first; // block sizes and offsets are even
          const dst = out[k];
          for (let t = lo; t < hi; t++) dst[t - start] = u16[p + t] * scale + offset;
        });
      }
    }
    return out;
  }

  close(): void {
    this.f.close();
    this.buf = null;
  }
}

export async function openIntan(file: string, _opts: IoOpenOptions = {}): Promise<Source> {
  const f = BlockFile.open(file);
  try {
    if (f.size === 0) throw ioError('FILE_EMPTY', file, 'The file is empty', 'Choose the recording file, not an empty placeholder.');
    const h = parseRhdHeader(f.head(HEADER_MAX), file);
    const N = h.samplesPerBlock;
    const of = (t: number) => h.channels.filter((c) => c.type === t);
    const amp = of(0); const aux = of(1); const supply = of(2); const adc = of(3); const din = of(4); const dout = of(5);
    let at = N * 4; // timestamps
    const slots: Slot[] = [];
    const channels: ChannelInfo[] = [];
    amp.forEach((c) => {
      slots.push({ at, scale: 0.195, offset: -32768 * 0.195 });
      channels.push({ name: c.custom || c.native, group: c.group, unit: 'uV', scale: 0.195, kind: 'ephys' });
      at += N * 2;
    });
    at += aux.length * (N / 4) * 2 + supply.length * 2 + h.numTempSensors * 2;
    // Board ADC scaling depends on the evaluation board (Intan's reader): volts per bit and zero.
    const [vpb, zero] = h.evalBoardMode === 1 ? [152.59e-6, 32768] : h.evalBoardMode === 13 ? [312.5e-6, 32768] : [50.354e-6, 0];
    adc.forEach((c) => {
      slots.push({ at, scale: vpb * 1e6, offset: -zero * vpb * 1e6 });
      channels.push({ name: c.custom || c.native, group: 'adc', unit: 'uV', scale: vpb * 1e6, kind: 'stim' });
      at += N * 2;
    });
    if (din.length > 0) {
      slots.push({ at, scale: 1, offset: 0 });
      channels.push({ name: din.length === 1 ? din[0].custom || din[0].native : 'DIGITAL-IN', group: 'digital', unit: 'bits', scale: 1, kind: 'stim' });
      at += N * 2;
    }
    if (dout.length > 0) at += N * 2;
    const blockBytes = at;
    if (channels.length === 0) throw ioError('FORMAT_UNSUPPORTED', file, 'The Intan file has no amplifier, ADC or digital channels', 'Record at least one amplifier channel.');
    const dataBytes = f.size - h.headerBytes;
    const nBlocks = Math.floor(dataBytes / blockBytes);
    if (nBlocks === 0) {
      throw ioError(dataBytes === 0 ? 'FILE_EMPTY' : 'FILE_TRUNCATED', file, 'The file holds no complete data block',
        'The recording stopped before any data was saved, or the file was cut; copy it again from the acquisition computer.');
    }
    const notes = [`Intan RHD ${h.version.join('.')}; ${aux.length} aux, ${supply.length} supply and ${h.numTempSensors} temperature channels not shown.`];
    const rest = dataBytes - nBlocks * blockBytes;
    if (rest) notes.push(`The last ${rest} bytes do not fill a data block and are ignored (recording interrupted?).`);
    const meta: RecordingMeta = { path: file, format: 'intan', channels, sampleRate: h.sampleRate, nSamples: nBlocks * N, events: [], notes };
    return new RhdSource(meta, f, h.headerBytes, blockBytes, N, slots);
  } catch (e) {
    f.close();
    throw e;
  }
}
