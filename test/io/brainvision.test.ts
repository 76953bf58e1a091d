// BrainVision writer round trip (float32 multiplexed, markers), crash safety and header errors.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { writeBrainVision } from '../../src/main/io/brainvision/bv-write';
import { Rng } from '../../src/workers/rng';
import { expectError, fixture, readAll, tmpDir } from './helpers';

const dir = tmpDir('bv');

describe('BrainVision writer', () => {
  it('round trip is exact for float32, markers keep Type/Description', async () => {
    const rng = new Rng(3);
    const data = [0, 1, 2, 3].map(() => Float32Array.from({ length: 3000 }, () => rng.normal() * 40));
    const events = [
      { sample: 0, duration: 0, label: 'New Segment/' },
      { sample: 12, duration: 0, label: 'Response/R128' },
      { sample: 2999, duration: 3, label: 'Comment/a, b' },
      { sample: 5000, duration: 0, label: 'Outside/x' },
    ];
    const p = path.join(dir, 'rt.vhdr');
    await writeBrainVision(p, { channels: ['Fp1', 'Fp2', 'C,3', 'µ'].map((name) => ({ name })), sampleRate: 5000, nSamples: 3000, events },
      (s, e) => data.map((d) => d.slice(s, e)), { blockSamples: 700 });
    const src = await openSource(p);
    expect(src.meta.format).toBe('brainvision');
    expect(src.meta.channels.map((c) => c.name)).toEqual(['Fp1', 'Fp2', 'C,3', 'µ']);
    expect(src.meta.sampleRate).toBe(5000);
    expect(src.meta.events).toEqual([events[0], events[1], events[2]]);
    const back = readAll(src, 1111);
    data.forEach((d, c) => expect(back[c]).toEqual(d));
    src.close();
  });

  it('a 30 kHz recording reads back at exactly 30000 Hz (interval 33.333... us)', async () => {
    const p = path.join(dir, 'r30k.vhdr');
    await writeBrainVision(p, { channels: [{ name: 'A' }], sampleRate: 30000, nSamples: 10 }, () => [new Float32Array(10)]);
    const src = await openSource(p);
    expect(src.meta.sampleRate).toBe(30000);
    src.close();
  });

  it('a failing reader leaves no .vhdr/.vmrk/.eeg and no temp', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'fail-'));
    await expect(writeBrainVision(path.join(sub, 'x.vhdr'), { channels: [{ name: 'A' }], sampleRate: 100, nSamples: 100 },
      (s) => { if (s > 0) throw new Error('cancelled'); return [new Float32Array(10)]; }, { blockSamples: 10 })).rejects.toThrow('cancelled');
    expect(fs.readdirSync(sub)).toEqual([]);
    await expectError(() => writeBrainVision(path.join(sub, 'x.eeg'), { channels: [{ name: 'A' }], sampleRate: 1, nSamples: 1 }, () => [new Float32Array(1)]), 'BAD_PARAMETER');
  });
});

describe('BrainVision reader: bad input', () => {
  const copy = (name: string, edit: (t: string) => string, eeg?: Buffer) => {
    const sub = fs.mkdtempSync(path.join(dir, 'h-'));
    fs.writeFileSync(path.join(sub, 'bv_int16_vec.vhdr'), edit(fs.readFileSync(fixture('bv_int16_vec.vhdr'), 'utf8')));
    fs.writeFileSync(path.join(sub, 'bv_int16_vec.eeg'), eeg ?? fs.readFileSync(fixture('bv_int16_vec.eeg')));
    fs.copyFileSync(fixture('bv_int16_vec.vmrk'), path.join(sub, 'bv_int16_vec.vmrk'));
    return path.join(sub, `${name}.vhdr`.replace(name, 'bv_int16_vec'));
  };

  it('channel count that does not fit the data, missing channel entries, ASCII, missing .eeg', async () => {
    await expectError(() => openSource(copy('a', (t) => t.replace('NumberOfChannels=3', 'NumberOfChannels=4') + 'Ch4=X,,1,uV\r\n')), 'HEADER_MISMATCH');
    await expectError(() => openSource(copy('b', (t) => t.replace('NumberOfChannels=3', 'NumberOfChannels=4'))), 'HEADER_MISMATCH');
    await expectError(() => openSource(copy('c', (t) => t.replace('DataFormat=BINARY', 'DataFormat=ASCII'))), 'FORMAT_UNSUPPORTED');
    await expectError(() => openSource(copy('d', (t) => t.replace('BinaryFormat=INT_16', 'BinaryFormat=INT_8'))), 'FORMAT_UNSUPPORTED');
    await expectError(() => openSource(copy('e', (t) => t.replace('SamplingInterval=2000', 'SamplingInterval=x'))), 'FORMAT_CORRUPT');
    const p = copy('f', (t) => t);
    fs.unlinkSync(p.replace('.vhdr', '.eeg'));
    await expectError(() => openSource(p), 'FILE_NOT_FOUND');
    await expectError(() => openSource(copy('g', (t) => t, Buffer.alloc(0))), 'FILE_EMPTY');
  });

  it('a renamed data file is found by its stem, with a note', async () => {
    const p = copy('h', (t) => t.replace('DataFile=bv_int16_vec.eeg', 'DataFile=old_name.eeg'));
    const src = await openSource(p);
    expect(src.meta.notes?.join(' ')).toMatch(/old_name/);
    src.close();
  });
});
