// BrainVision writer for corrected recordings: float32 multiplexed .eeg streamed block by block,
// markers in .vmrk, and the .vhdr written last, each through a crash-safe temp file, so a
// .vhdr on disk always points to complete data.

import * as path from 'node:path';
import { AtomicFileWriter, writeFileAtomic } from '../atomic';
import { ioError } from '../common/errors';
import { blockLength, checkHeader, fetchBlock, type BlockReader, type WriteHeader, type WriteOptions } from '../common/writer';
import { escapeField } from './vhdr';

export interface BrainVisionWriteResult {
  vhdr: string;
  vmrk: string;
  eeg: string;
}

/** Split an event label 'Type/Description' the way the reader builds it. */
function splitLabel(label: string): [string, string] {
  const k = label.indexOf('/');
  return k < 0 ? ['Comment', label] : [label.slice(0, k), label.slice(k + 1)];
}

function bvDate(d: Date): string {
  const two = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`
    + `${two(d.getUTCSeconds())}${two(d.getUTCMilliseconds() * 1000, 6)}`;
}

export async function writeBrainVision(vhdrPath: string, h: WriteHeader, readBlock: BlockReader,
  opts: WriteOptions = {}): Promise<BrainVisionWriteResult> {
  if (!/\.vhdr$/i.test(vhdrPath)) throw ioError('BAD_PARAMETER', vhdrPath, 'The output must be a .vhdr path', 'Name the output <name>.vhdr; the .eeg and .vmrk are written beside it.');
  checkHeader(vhdrPath, h);
  const stem = vhdrPath.replace(/\.vhdr$/i, '');
  const eeg = `${stem}.eeg`;
  const vmrk = `${stem}.vmrk`;
  const nCh = h.channels.length;
  const block = blockLength(h, opts);

  const w = AtomicFileWriter.open(eeg, opts);
  try {
    for (let s0 = 0; s0 < h.nSamples; s0 += block) {
      const s1 = Math.min(h.nSamples, s0 + block);
      const data = await fetchBlock(eeg, h, readBlock, s0, s1);
      const frame = new Float32Array((s1 - s0) * nCh);
      for (let c = 0; c < nCh; c++) {
        const src = data[c];
        for (let i = 0, j = c; i < src.length; i++, j += nCh) frame[j] = src[i];
      }
      w.write(new Uint8Array(frame.buffer));
    }
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }

  const lines = [
    'Brain Vision Data Exchange Marker File, Version 1.0', '',
    '[Common Infos]', 'Codepage=UTF-8', `DataFile=${path.basename(eeg)}`, '',
    '[Marker Infos]',
    '; Each entry: Mk<Marker number>=<Type>,<Description>,<Position in data points>,',
    '; <Size in data points>, <Channel number (0 = marker is related to all channels)>',
  ];
  const events = (h.events ?? []).filter((e) => e.sample >= 0 && e.sample < h.nSamples);
  let k = 1;
  if (!events.some((e) => e.label.startsWith('New Segment/'))) {
    lines.push(`Mk${k++}=New Segment,,1,1,0${h.startTime ? `,${bvDate(h.startTime)}` : ''}`);
  }
  for (const e of events) {
    const [type, desc] = splitLabel(e.label);
    lines.push(`Mk${k++}=${escapeField(type)},${escapeField(desc)},${e.sample + 1},${Math.max(1, e.duration)},0`);
  }
  writeFileAtomic(vmrk, lines.join('\r\n') + '\r\n', opts);

  const hdr = [
    'Brain Vision Data Exchange Header File Version 1.0',
    '; Data written by SpikeDesk', '',
    '[Common Infos]', 'Codepage=UTF-8', `DataFile=${path.basename(eeg)}`, `MarkerFile=${path.basename(vmrk)}`,
    'DataFormat=BINARY', 'DataOrientation=MULTIPLEXED', `NumberOfChannels=${nCh}`,
    '; Sampling interval in microseconds', `SamplingInterval=${1e6 / h.sampleRate}`, '',
    '[Binary Infos]', 'BinaryFormat=IEEE_FLOAT_32', '',
    '[Channel Infos]',
    '; Each entry: Ch<Channel number>=<Name>,<Reference channel name>,<Resolution in "Unit">,<Unit>',
    ...h.channels.map((c, i) => `Ch${i + 1}=${escapeField(c.name || `Ch${i + 1}`)},,1,\u00b5V`),
  ];
  writeFileAtomic(vhdrPath, hdr.join('\r\n') + '\r\n', opts);
  return { vhdr: vhdrPath, vmrk, eeg };
}
