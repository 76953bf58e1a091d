// Intan RHD2000 (.rhd) header: version, sample rate, filter settings, notes, and the signal
// groups with their channels, parsed with bounds checks so a damaged file fails cleanly.

import { corrupt, ioError } from '../common/errors';

export const RHD_MAGIC = 0xc6912702;

export interface RhdChannel {
  native: string;
  custom: string;
  /** 0 amplifier, 1 aux input, 2 supply voltage, 3 board ADC, 4 digital in, 5 digital out. */
  type: number;
  enabled: boolean;
  group: string;
}

export interface RhdHeader {
  version: [number, number];
  sampleRate: number;
  evalBoardMode: number;
  numTempSensors: number;
  channels: RhdChannel[];
  headerBytes: number;
  samplesPerBlock: number;
}

class Cursor {
  pos = 0;
  constructor(private readonly b: Buffer, private readonly file: string) {}
  need(n: number): void {
    if (this.pos + n > this.b.length) throw corrupt(this.file, `The Intan header ends unexpectedly at byte ${this.pos}`);
  }
  u32(): number { this.need(4); const v = this.b.readUInt32LE(this.pos); this.pos += 4; return v; }
  i16(): number { this.need(2); const v = this.b.readInt16LE(this.pos); this.pos += 2; return v; }
  f32(): number { this.need(4); const v = this.b.readFloatLE(this.pos); this.pos += 4; return v; }
  /** Qt QString: byte length (0xFFFFFFFF = null) then UTF-16LE. */
  qstr(): string {
    const n = this.u32();
    if (n === 0xffffffff) return '';
    if (n % 2 !== 0 || n > 65536) throw corrupt(this.file, `Bad string length ${n} in the Intan header at byte ${this.pos - 4}`);
    this.need(n);
    const s = this.b.toString('utf16le', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

export function parseRhdHeader(b: Buffer, file: string): RhdHeader {
  const c = new Cursor(b, file);
  if (c.u32() !== RHD_MAGIC) throw corrupt(file, 'Not an Intan RHD file (bad magic number)');
  const major = c.i16();
  const minor = c.i16();
  if (major < 1 || major > 3) {
    throw ioError('FORMAT_UNSUPPORTED', file, `Intan RHD version ${major}.${minor} is not supported`, 'Save the recording with RHX/RHD software version 1.x to 3.x.');
  }
  const ge = (M: number, m: number) => major > M || (major === M && minor >= m);
  const sampleRate = c.f32();
  if (!(sampleRate > 0 && sampleRate < 1e7)) throw corrupt(file, `Implausible sample rate ${sampleRate}`);
  c.i16(); // DSP enabled
  for (let i = 0; i < 6; i++) c.f32(); // actual and desired DSP / bandwidth settings
  c.i16(); // notch filter mode
  c.f32(); c.f32(); // impedance test frequencies
  c.qstr(); c.qstr(); c.qstr(); // notes
  const numTempSensors = ge(1, 1) ? c.i16() : 0;
  const evalBoardMode = ge(1, 3) ? c.i16() : 0;
  if (ge(2, 0)) c.qstr(); // reference channel
  const nGroups = c.i16();
  if (nGroups < 0 || nGroups > 64) throw corrupt(file, `Implausible number of signal groups ${nGroups}`);
  const channels: RhdChannel[] = [];
  for (let g = 0; g < nGroups; g++) {
    c.qstr();
    const prefix = c.qstr();
    const enabled = c.i16();
    const n = c.i16();
    c.i16(); // amplifier channels in the group
    if (n < 0 || n > 1024) throw corrupt(file, `Implausible channel count ${n} in signal group ${g}`);
    if (enabled <= 0 || n === 0) continue;
    for (let k = 0; k < n; k++) {
      const native = c.qstr();
      const custom = c.qstr();
      c.i16(); c.i16(); // native and custom order
      const type = c.i16();
      const chEnabled = c.i16();
      for (let i = 0; i < 7; i++) c.i16(); // chip channel, stream, trigger settings
      c.f32(); c.f32(); // impedance magnitude and phase
      if (type < 0 || type > 5) throw corrupt(file, `Unknown signal type ${type} for channel '${native}'`);
      channels.push({ native, custom, type, enabled: chEnabled > 0, group: prefix || `group${g}` });
    }
  }
  const temp = numTempSensors;
  if (temp < 0 || temp > 64) throw corrupt(file, `Implausible number of temperature sensors ${temp}`);
  return { version: [major, minor], sampleRate, evalBoardMode, numTempSensors: temp, channels: channels.filter((ch) => ch.enabled),
    headerBytes: c.pos, samplesPerBlock: major >= 3 ? 128 : 60 };
}
