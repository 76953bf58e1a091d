// Issue #11, high severity 3: a header inside the allowed folder named a data file elsewhere
// (DataFile=/elsewhere/secret.bin, ../outside/...) and SpikeDesk served those bytes as traces.
// Every file a header names must lie in the header's own folder after resolving symlinks: BrainVision
// DataFile/MarkerFile, SpikeGLX .meta/.bin, Open Ephys folder_name, NWB external links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSource } from '../../src/main/io';
import { writeBrainVision } from '../../src/main/io/brainvision/bv-write';
import { loadH5 } from '../../src/main/io/hdf5/h5';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { createFacade } from '../../src/main/security/facade';
import { SpikeDeskError } from '../../src/shared/errors';
import { expectError, FIX } from '../io/helpers';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-side-'));
const inside = path.join(base, 'allowed');
const outside = path.join(base, 'outside');
fs.mkdirSync(inside);
fs.mkdirSync(outside);

async function brainVision(dir: string, stem: string): Promise<string> {
  const vhdr = path.join(dir, `${stem}.vhdr`);
  await writeBrainVision(vhdr, { channels: [{ name: 'A' }, { name: 'B' }], sampleRate: 1000, nSamples: 100, events: [{ sample: 5, duration: 0, label: 'Stimulus/S1' }] },
    (s, e) => [new Float32Array(e - s).fill(1), new Float32Array(e - s).fill(2)]);
  return vhdr;
}

function setHeader(vhdr: string, key: string, value: string): void {
  fs.writeFileSync(vhdr, fs.readFileSync(vhdr, 'utf8').replace(new RegExp(`^${key}=.*$`, 'm'), `${key}=${value}`));
}

let secretEeg: string;
beforeAll(async () => {
  const secret = await brainVision(outside, 'secret');
  secretEeg = secret.replace(/\.vhdr$/, '.eeg');
});

describe('BrainVision DataFile / MarkerFile', () => {
  it('opens a header whose files are beside it', async () => {
    const ok = await openSource(await brainVision(inside, 'ok'));
    expect(ok.meta.channels.length).toBe(2);
    expect(ok.meta.events.some((e) => /S1/.test(e.label))).toBe(true);
    ok.close();
  });

  it('refuses DataFile=/absolute/elsewhere, ../outside and a symlink out of the folder', async () => {
    const abs = await brainVision(inside, 'abs');
    setHeader(abs, 'DataFile', secretEeg);
    expect((await expectError(() => openSource(abs), 'PATH_NOT_ALLOWED')).message).toMatch(/DataFile/);
    const rel = await brainVision(inside, 'rel');
    setHeader(rel, 'DataFile', '../outside/secret.eeg');
    await expectError(() => openSource(rel), 'PATH_NOT_ALLOWED');
    const link = await brainVision(inside, 'link');
    fs.symlinkSync(secretEeg, path.join(inside, 'link-data.eeg'));
    setHeader(link, 'DataFile', 'link-data.eeg');
    await expectError(() => openSource(link), 'PATH_NOT_ALLOWED');
    // The fallback "<stem>.eeg" beside the header is checked too (a symlink to elsewhere).
    const stem = await brainVision(inside, 'stem');
    setHeader(stem, 'DataFile', 'missing.eeg');
    fs.rmSync(stem.replace(/\.vhdr$/, '.eeg'));
    fs.symlinkSync(secretEeg, stem.replace(/\.vhdr$/, '.eeg'));
    await expectError(() => openSource(stem), 'PATH_NOT_ALLOWED');
  });

  it('refuses MarkerFile outside the folder', async () => {
    const mk = await brainVision(inside, 'mk');
    setHeader(mk, 'MarkerFile', '../outside/secret.vmrk');
    await expectError(() => openSource(mk), 'PATH_NOT_ALLOWED');
  });

  it('through the backend: the header is allowed, the named file is not', async () => {
    const services: Services = await createServices({ host: 'test', processHost: new ThreadHost(), poolSize: 1, demoDir: path.join(base, 'demo'), settingsDir: base });
    try {
      services.allow.allowRoot(inside);
      const api = createFacade(services.backend);
      const rel = path.join(inside, 'rel.vhdr');
      const e = await api.openRecording(rel).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SpikeDeskError);
      expect((e as SpikeDeskError).code).toBe('PATH_NOT_ALLOWED');
      await expect(api.openRecording(secretEeg)).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    } finally {
      await services.dispose();
    }
  });
});

describe('SpikeGLX and Open Ephys sidecars', () => {
  it('refuses a .meta that is a symlink out of the folder', async () => {
    const d = path.join(inside, 'sglx');
    fs.mkdirSync(d);
    const stem = 'run_g0_t0.imec0.ap';
    fs.copyFileSync(path.join(FIX, 'sglx', `${stem}.bin`), path.join(d, `${stem}.bin`));
    fs.copyFileSync(path.join(FIX, 'sglx', `${stem}.meta`), path.join(outside, `${stem}.meta`));
    fs.symlinkSync(path.join(outside, `${stem}.meta`), path.join(d, `${stem}.meta`));
    await expectError(() => openSource(path.join(d, `${stem}.bin`)), 'PATH_NOT_ALLOWED');
    // The same pair side by side opens.
    fs.rmSync(path.join(d, `${stem}.meta`));
    fs.copyFileSync(path.join(FIX, 'sglx', `${stem}.meta`), path.join(d, `${stem}.meta`));
    (await openSource(path.join(d, `${stem}.bin`))).close();
  });

  it('refuses an Open Ephys stream folder that is a symlink out of the recording', async () => {
    const src = path.join(FIX, 'oe', 'Record Node 101');
    const d = path.join(inside, 'oe');
    fs.cpSync(src, d, { recursive: true });
    const oebin = path.join(d, 'experiment1', 'recording1', 'structure.oebin');
    (await openSource(oebin)).close();
    const cont = path.join(d, 'experiment1', 'recording1', 'continuous');
    const stream = fs.readdirSync(cont)[0];
    fs.renameSync(path.join(cont, stream), path.join(outside, 'stolen-stream'));
    fs.symlinkSync(path.join(outside, 'stolen-stream'), path.join(cont, stream));
    await expectError(() => openSource(oebin), 'PATH_NOT_ALLOWED');
  });
});

describe('NWB external links', () => {
  it('refuses an external link to a file outside the folder, and one that resolves nowhere', async () => {
    const h5 = await loadH5();
    const target = path.join(outside, 'other.nwb');
    fs.copyFileSync(path.join(FIX, 'small.nwb'), target);
    const evil = path.join(inside, 'evil.nwb');
    const f = new h5.File(evil, 'w');
    f.create_attribute('nwb_version', '2.7.0');
    f.create_external_link(target, '/acquisition', 'acquisition');
    f.close();
    expect((await expectError(() => openSource(evil), 'PATH_NOT_ALLOWED')).message).toMatch(/external link \/acquisition/);
    const rel = path.join(inside, 'rel.nwb');
    const g = new h5.File(rel, 'w');
    g.create_attribute('nwb_version', '2.7.0');
    g.create_external_link('../outside/other.nwb', '/acquisition', 'acquisition');
    g.close();
    await expectError(() => openSource(rel), 'PATH_NOT_ALLOWED');
  });
});

afterAll(() => { fs.rmSync(base, { recursive: true, force: true }); });
