// Format detection by content: renamed files are still recognised; unknown, empty and missing
// paths give clear errors.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, openSource } from '../../src/main/io';
import { expectError, expected, fixture, tmpDir } from './helpers';

const dir = tmpDir('detect');

describe('detectFormat', () => {
  it('recognises the fixtures by content even with a misleading extension', () => {
    for (const [name, ext] of [['edf', '.txt'], ['bdf', '.dat'], ['nwb', '.bin'], ['blech', '.xyz'], ['intan', '.dat']] as const) {
      const e = expected[name];
      const p = path.join(dir, `${name}${ext}`);
      fs.copyFileSync(fixture(e.path), p);
      const f = detectFormat(p);
      expect(name === 'blech' ? ['nwb', 'blech'] : [e.format]).toContain(f);
    }
  });

  it('blech vs NWB is decided by the HDF5 layout', async () => {
    const p = path.join(dir, 'blech.xyz');
    const src = await openSource(p, { rate: 20000 });
    expect(src.meta.format).toBe('blech');
    expect(src.meta.sampleRate).toBe(20000);
    src.close();
  });

  it('sidecars: SpikeGLX .meta, Open Ephys folder or continuous.dat, BrainVision .eeg/.vmrk', () => {
    expect(detectFormat(fixture('sglx/run_g0_t0.imec0.ap.bin'))).toBe('spikeglx');
    expect(detectFormat(fixture('sglx/run_g0_t0.imec0.ap.meta'))).toBe('spikeglx');
    expect(detectFormat(fixture('oe'))).toBe('openephys');
    expect(detectFormat(fixture('oe/Record Node 101/experiment1/recording1/continuous/Rhythm_FPGA-100.0/continuous.dat'))).toBe('openephys');
    expect(detectFormat(fixture('bv_int16_vec.eeg'))).toBe('brainvision');
    expect(detectFormat(fixture('bv_int16_vec.vmrk'))).toBe('brainvision');
  });

  it('errors: empty, unknown, missing, folder without recording, damaged Intan', async () => {
    const empty = path.join(dir, 'empty.edf');
    fs.writeFileSync(empty, '');
    await expectError(() => openSource(empty), 'FILE_EMPTY');
    const junk = path.join(dir, 'notes.txt');
    fs.writeFileSync(junk, 'hello world, not a recording');
    const e = await expectError(() => openSource(junk), 'FORMAT_UNKNOWN');
    expect(e.file).toBe(junk);
    await expectError(() => openSource(path.join(dir, 'missing.edf')), 'FILE_NOT_FOUND');
    const sub = path.join(dir, 'emptydir');
    fs.mkdirSync(sub);
    await expectError(() => openSource(sub), 'FORMAT_UNKNOWN');
    const rhd = path.join(dir, 'x.rhd');
    const b = Buffer.alloc(64);
    b.writeUInt32LE(0xc6912702, 0);
    fs.writeFileSync(rhd, b);
    await expectError(() => openSource(rhd), 'FORMAT_UNSUPPORTED'); // version 0.0
  });

  it('a folder forced to a file format is FILE_UNREADABLE naming it', async () => {
    const e = await expectError(() => openSource(dir, { format: 'edf' }), 'FILE_UNREADABLE');
    expect(e.file).toBe(dir);
  });

  it('a raw .dat next to an unrelated .vhdr of the same stem stays raw', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'stem-'));
    fs.copyFileSync(fixture('bv_float_mux.vhdr'), path.join(sub, 'rec.vhdr'));
    fs.writeFileSync(path.join(sub, 'rec.dat'), Buffer.alloc(400));
    expect(detectFormat(path.join(sub, 'rec.dat'), { channels: 2, rate: 100 })).toBe('raw');
  });

  it('options.format overrides detection', async () => {
    const src = await openSource(fixture('edfplus.edf'), { format: 'raw', channels: 1, rate: 10 });
    expect(src.meta.format).toBe('raw');
    src.close();
  });
});
