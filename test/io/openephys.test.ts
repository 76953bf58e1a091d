// Open Ephys binary and SpikeGLX: the ways to point at a recording, and sidecars that lie.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { expectError, fixture, tmpDir } from './helpers';

const dir = tmpDir('oe');
const REC = 'oe/Record Node 101/experiment1/recording1';

function copyRec(edit: (j: any) => void): string {
  const dst = fs.mkdtempSync(path.join(dir, 'rec-'));
  fs.cpSync(fixture(REC), dst, { recursive: true });
  const p = path.join(dst, 'structure.oebin');
  const j = JSON.parse(fs.readFileSync(p, 'utf8'));
  edit(j);
  fs.writeFileSync(p, JSON.stringify(j));
  return dst;
}

describe('Open Ephys', () => {
  it('same recording from the oebin, its folder, a parent folder and continuous.dat', async () => {
    const paths = [`${REC}/structure.oebin`, REC, 'oe', `${REC}/continuous/Rhythm_FPGA-100.0/continuous.dat`].map(fixture);
    const first: number[] = [];
    for (const p of paths) {
      const src = await openSource(p);
      expect(src.meta.format).toBe('openephys');
      expect(src.meta.events.map((e) => e.sample)).toEqual([10, 250]);
      first.push(src.read([2], 100, 101)[0][0]);
      src.close();
    }
    expect(new Set(first).size).toBe(1);
  });

  it('a second stream is listed in notes and chosen with series', async () => {
    const d = copyRec((j) => { j.continuous.push({ ...j.continuous[0], folder_name: 'Other-101.0/', num_channels: 1, channels: [j.continuous[0].channels[0]] }); });
    fs.mkdirSync(path.join(d, 'continuous', 'Other-101.0'));
    fs.writeFileSync(path.join(d, 'continuous', 'Other-101.0', 'continuous.dat'), Buffer.from(new Int16Array([5, 6, 7]).buffer));
    const a = await openSource(d);
    expect(a.meta.notes?.join(' ')).toMatch(/Other-101\.0/);
    a.close();
    const b = await openSource(d, { series: 'Other-101.0' });
    expect(b.meta.nSamples).toBe(3);
    expect(Array.from(b.read([0], 0, 3)[0])).toEqual([5, 6, 7].map((v) => Math.fround(v * 0.195)));
    b.close();
    await expectError(() => openSource(d, { series: 'Nope' }), 'BAD_PARAMETER');
  });

  it('num_channels that disagrees with the list or the data, and broken JSON', async () => {
    await expectError(() => openSource(copyRec((j) => { j.continuous[0].num_channels = 5; })), 'HEADER_MISMATCH');
    await expectError(() => openSource(copyRec((j) => { j.continuous[0].num_channels = 3; j.continuous[0].channels.pop(); })), 'HEADER_MISMATCH');
    await expectError(() => openSource(copyRec((j) => { j.continuous[0].channels[1].bit_volts = 'x'; })), 'FORMAT_CORRUPT');
    await expectError(() => openSource(copyRec((j) => { j.continuous = []; })), 'FORMAT_CORRUPT');
    const d = copyRec(() => undefined);
    fs.writeFileSync(path.join(d, 'structure.oebin'), '{"continuous": [');
    await expectError(() => openSource(d, { format: 'openephys' }), 'FORMAT_CORRUPT');
  });
});

describe('SpikeGLX', () => {
  const copyMeta = (edit: (t: string) => string, bin?: Buffer) => {
    const d = fs.mkdtempSync(path.join(dir, 'sglx-'));
    fs.writeFileSync(path.join(d, 'r.ap.meta'), edit(fs.readFileSync(fixture('sglx/run_g0_t0.imec0.ap.meta'), 'utf8')));
    fs.writeFileSync(path.join(d, 'r.ap.bin'), bin ?? fs.readFileSync(fixture('sglx/run_g0_t0.imec0.ap.bin')));
    return path.join(d, 'r.ap.bin');
  };

  it('fileSizeBytes and nSavedChans that do not fit the .bin', async () => {
    const bin = fs.readFileSync(fixture('sglx/run_g0_t0.imec0.ap.bin'));
    await expectError(() => openSource(copyMeta((t) => t, bin.subarray(0, bin.length - 10))), 'FILE_TRUNCATED');
    await expectError(() => openSource(copyMeta((t) => t.replace('fileSizeBytes=3000', 'fileSizeBytes=2000'))), 'HEADER_MISMATCH');
    await expectError(() => openSource(copyMeta((t) => t.replace('nSavedChans=5', 'nSavedChans=7'))), 'HEADER_MISMATCH');
    await expectError(() => openSource(copyMeta((t) => t.replace('imSampRate=30000', 'imSampRate=fast'))), 'FORMAT_CORRUPT');
  });

  it('NI-DAQ streams scale MN channels by their gain and keep digital words as stim', async () => {
    const n = 10;
    const data = new Int16Array(n * 3).map((_, i) => (i % 3) * 100 + 1);
    const meta = ['typeThis=nidq', 'niSampRate=25000', 'nSavedChans=3', `fileSizeBytes=${n * 6}`, 'niAiRangeMax=5', 'niMaxInt=32768',
      'niMNGain=200', 'niMAGain=1', 'snsMnMaXaDw=1,1,0,1', 'snsSaveChanSubset=all'].join('\n');
    const p = copyMeta(() => meta, Buffer.from(data.buffer));
    const src = await openSource(p);
    expect(src.meta.channels.map((c) => c.kind)).toEqual(['ephys', 'ephys', 'stim']);
    const [mn, ma, dw] = src.read([0, 1, 2], 0, 1).map((a) => a[0]);
    expect(mn).toBeCloseTo(1 * 5 / 32768 / 200 * 1e6, 4);
    expect(ma).toBeCloseTo(101 * 5 / 32768 * 1e6, 1);
    expect(dw).toBe(201);
    src.close();
  });
});
