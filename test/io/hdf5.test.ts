// NWB and blech_clust over h5wasm: series choice, rate sources, and damaged HDF5 files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/main/io';
import { expectError, fixture, tmpDir } from './helpers';

const dir = tmpDir('h5');

describe('NWB', () => {
  it('lists the other series and picks one by name or path', async () => {
    const a = await openSource(fixture('small.nwb'));
    expect(a.meta.notes?.join(' ')).toMatch(/LFP2/);
    a.close();
    const b = await openSource(fixture('small.nwb'), { series: 'LFP2' });
    expect(b.meta.sampleRate).toBeCloseTo(1250, 6);
    expect(b.meta.notes?.join(' ')).toMatch(/timestamps/);
    b.close();
    await expectError(() => openSource(fixture('small.nwb'), { series: 'nope' }), 'BAD_PARAMETER');
  });

  it('reads after close are refused; truncated and damaged files give typed errors', async () => {
    const s = await openSource(fixture('small.nwb'));
    s.close();
    await expectError(() => s.read([0], 0, 1), 'BAD_REQUEST');
    const buf = fs.readFileSync(fixture('small.nwb'));
    const t = path.join(dir, 'trunc.nwb');
    fs.writeFileSync(t, buf.subarray(0, 4000));
    await expectError(() => openSource(t), 'FILE_TRUNCATED');
    const c = path.join(dir, 'corrupt.nwb');
    const bad = Buffer.from(buf);
    for (let i = 200; i < bad.length; i += 7) bad[i] ^= 0x5a;
    fs.writeFileSync(c, bad);
    await expectError(async () => { const src = await openSource(c); try { src.read([0], 0, src.meta.nSamples); } finally { src.close(); } });
  });

  it('an HDF5 file that is neither NWB nor blech is FORMAT_UNSUPPORTED', async () => {
    // The blech fixture with its /raw group forced to NWB has no ElectricalSeries.
    await expectError(() => openSource(fixture('blech/session.h5'), { format: 'nwb' }), 'FORMAT_UNSUPPORTED');
  });
});

describe('blech_clust', () => {
  it('rate from the .params sidecar, or from options, or a clear error', async () => {
    const a = await openSource(fixture('blech/session.h5'));
    expect(a.meta.sampleRate).toBe(30000);
    a.close();
    const lone = path.join(dir, 'lone.h5');
    fs.copyFileSync(fixture('blech/session.h5'), lone);
    const e = await expectError(() => openSource(lone), 'BAD_PARAMETER');
    expect(e.message).toMatch(/sampling rate/);
    const b = await openSource(lone, { rate: 24000 });
    expect(b.meta.sampleRate).toBe(24000);
    expect(b.meta.channels[0].scale).toBe(0.195);
    b.close();
  });
});
