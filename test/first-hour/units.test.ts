// Unit tests of the first-hour helpers: worker cap (#7), writability check (#8), serve's command
// line (#12), "did you mean", label carry-over matching (#2) and raw-format guesses (#4).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { capJobs } from '../../src/main/jobs';
import { jobsFor } from '../../src/main/headless';
import { checkWritable, ensureParentFolder } from '../../src/main/io/writable';
import { parseServeArgs, ServeUsageError } from '../../src/main/web/serve-args';
import { suggest } from '../../src/shared/suggest';
import { matchLabels } from '../../src/main/session/sort-versions';
import { checkRawFormat, guessFormats, layoutScore } from '../../src/main/backend-raw';
import { PathAllowList } from '../../src/main/security/path-allow-list';
import { defaultSettingsDir, webFixHint } from '../../src/main/compose';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-first-units-'));
afterAll(() => { fs.chmodSync(tmp, 0o755); fs.rmSync(tmp, { recursive: true, force: true }); });
const isRoot = process.getuid?.() === 0;

describe('jobs above the cores (#7)', () => {
  it('caps at the cores with a warning naming the override', () => {
    expect(capJobs(2, 2)).toEqual({ jobs: 2, warning: null });
    const d = capJobs(99, 2);
    expect(d.jobs).toBe(2);
    expect(d.warning).toMatch(/99 workers .* 2 cores: using 2 .*--force-jobs/);
    const f = capJobs(99, 2, true);
    expect(f.jobs).toBe(99);
    expect(f.warning).toMatch(/slower/);
  });
  it('runs a worker on every core from the command line unless told otherwise', () => {
    expect(jobsFor(undefined, false, '--force-jobs', 2)).toEqual({ jobs: 2, warning: null });
    expect(jobsFor(undefined, false, '--force-jobs', 1)).toEqual({ jobs: 1, warning: null });
    expect(jobsFor(4, false, '--force-jobs', 2).jobs).toBe(2);
    expect(jobsFor(1, false, '--force-jobs', 8)).toEqual({ jobs: 1, warning: null });
  });
});

describe('writability before a run (#8)', () => {
  it('passes for a writable folder and a creatable missing one', () => {
    expect(() => checkWritable(path.join(tmp, 'out.nwb'))).not.toThrow();
    expect(() => checkWritable(path.join(tmp, 'a', 'b', 'out.nwb'), { createFolders: true })).not.toThrow();
    expect(fs.existsSync(path.join(tmp, 'a'))).toBe(false); // the check creates nothing
    expect(() => checkWritable(path.join(tmp, 'a', 'out.nwb'))).toThrow(/does not exist/);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('probe'))).toEqual([]);
  });

  it('fails with one WRITE_FAILED and a fix for a folder nobody may write (sysfs, read-only even for root)', () => {
    let err: unknown;
    try { checkWritable('/sys/units.nwb'); } catch (e) { err = e; }
    expect(err).toMatchObject({ code: 'WRITE_FAILED', fix: 'Choose a folder you can write to.' });
    expect((err as Error).message).toMatch(/\/sys is not writable \(EACCES\)/);
  });

  it.skipIf(isRoot)('fails with one WRITE_FAILED and a fix for a read-only folder', () => {
    const ro = path.join(tmp, 'ro');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
    try {
      let err: unknown;
      try { checkWritable(path.join(ro, 'units.nwb')); } catch (e) { err = e; }
      expect(err).toMatchObject({ code: 'WRITE_FAILED', fix: 'Choose a folder you can write to.' });
      expect((err as Error).message).toMatch(/not writable/);
    } finally {
      fs.chmodSync(ro, 0o755);
    }
  });

  it('creates missing parents only where allowed', () => {
    const allowed = path.join(tmp, 'allowed', 'exports', 'phy');
    ensureParentFolder(allowed, (d) => d.startsWith(path.join(tmp, 'allowed')));
    expect(fs.existsSync(path.dirname(allowed))).toBe(true);
    const refused = path.join(tmp, 'refused', 'x', 'phy');
    ensureParentFolder(refused, () => false);
    expect(fs.existsSync(path.dirname(refused))).toBe(false);
  });
});

describe('npm run serve command line (#12)', () => {
  it('takes FILE, repeatable --root, --jobs and --help', () => {
    const a = parseServeArgs(['--root', 'data', '--root', '/x', '--jobs', '3', 'rec.vhdr'], '/home/u');
    expect(a).toMatchObject({ help: false, jobs: 3, roots: ['/home/u/data', '/x'], files: ['/home/u/rec.vhdr'], forceJobs: false });
    expect(parseServeArgs(['--help']).help).toBe(true);
    expect(parseServeArgs(['-h']).help).toBe(true);
    expect(parseServeArgs([], '/w').roots).toEqual(['/w']);
    expect(() => parseServeArgs(['--jbos', '2'])).toThrow(/unknown option --jbos \(did you mean --jobs\?\)/);
    expect(() => parseServeArgs(['--jobs', 'many'])).toThrow(ServeUsageError);
  });

  it('--settings-dir names the settings folder (relative to the current folder; default: none, i.e. ~/.spikedesk)', () => {
    expect(parseServeArgs(['--settings-dir', 'cfg'], '/home/u').settingsDir).toBe('/home/u/cfg');
    expect(parseServeArgs(['--settings-dir', '/tmp/s', '--demo-dir', 'd'], '/w')).toMatchObject({ settingsDir: '/tmp/s', demoDir: '/w/d' });
    expect(parseServeArgs([], '/w').settingsDir).toBeUndefined();
    expect(() => parseServeArgs(['--settings-dir', ''])).toThrow(/--settings-dir: expected a folder/);
    expect(() => parseServeArgs(['--settings-dir'])).toThrow(ServeUsageError);
    expect(() => parseServeArgs(['--setings-dir', 'x'])).toThrow(/did you mean --settings-dir\?/);
  });

  it('without --settings-dir the web host and the CLI keep settings in $SPIKEDESK_SETTINGS_DIR, else ~/.spikedesk', () => {
    const was = process.env.SPIKEDESK_SETTINGS_DIR;
    try {
      process.env.SPIKEDESK_SETTINGS_DIR = '/srv/lab/spikedesk';
      expect(defaultSettingsDir()).toBe('/srv/lab/spikedesk');
      delete process.env.SPIKEDESK_SETTINGS_DIR;
      expect(defaultSettingsDir()).toBe(path.join(os.homedir(), '.spikedesk'));
    } finally {
      if (was === undefined) delete process.env.SPIKEDESK_SETTINGS_DIR; else process.env.SPIKEDESK_SETTINGS_DIR = was;
    }
  });

  it('a --settings-dir that is a file is an error', () => {
    const file = path.join(tmp, 'settings-file');
    fs.writeFileSync(file, '');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/web/serve.ts', '--settings-dir', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/settings-file is not a folder/);
  });

  it('--help prints the usage and exits without starting the server', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/web/serve.ts', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: npm run serve -- \[options\] \[FILE\.\.\.\]/);
    expect(r.stdout).not.toMatch(/Open: /);
  });

  it('a missing FILE is an error, not the demo', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/web/serve.ts', path.join(tmp, 'nope.vhdr')], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.vhdr does not exist/);
  });
});

describe('did you mean', () => {
  it('suggests near names only', () => {
    expect(suggest('sotr', ['info', 'sort', 'correct', 'export'])).toBe('sort');
    expect(suggest('corect', ['info', 'sort', 'correct', 'export'])).toBe('correct');
    expect(suggest('banana', ['info', 'sort', 'correct', 'export'])).toBeNull();
    expect(suggest('sort', ['sort'])).toBeNull();
  });
});

describe('PATH_NOT_ALLOWED fix per host (#13)', () => {
  it('the web host names its --root folders and how to add one; no drag-and-drop', () => {
    const allow = new PathAllowList();
    allow.setFixHint(webFixHint('/demo'));
    allow.allowRoot('/data/rec');
    let err: unknown;
    try { allow.check('/etc/passwd'); } catch (e) { err = e; }
    expect(err).toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    expect((err as { fix: string }).fix).toMatch(/\/data\/rec/);
    expect((err as { fix: string }).fix).toMatch(/npm run serve -- --root DIR/);
    expect((err as { fix: string }).fix).not.toMatch(/drag/);
    expect(() => new PathAllowList().check('/etc/passwd')).toThrow(expect.objectContaining({ fix: expect.stringMatching(/File > Open/) }));
  });
});

describe('label carry-over by spike overlap (#2)', () => {
  const old = [
    { id: 0, channel: 0, label: 'good' as const, samples: [100, 200, 300, 400, 500] },
    { id: 1, channel: 0, label: 'unsorted' as const, samples: [150, 250, 350] },
    { id: 2, channel: 1, label: 'mua' as const, samples: [100, 200, 300, 400] },
  ];
  it('gives a new unit the label of the old unit holding most of its spikes', () => {
    const next = [
      { id: 10, channel: 0, samples: Int32Array.from([101, 199, 302, 400]) }, // within tolerance 3 of unit 0
      { id: 11, channel: 0, samples: Int32Array.from([150, 250, 351]) }, // old unit 1 is unsorted: nothing to carry
      { id: 12, channel: 1, samples: Int32Array.from([100, 200, 900, 950, 990]) }, // 2 of 5 in unit 2: below half
      { id: 13, channel: 2, samples: Int32Array.from([100, 200]) }, // channel not in the old sort
    ];
    expect(matchLabels(old, next, 3)).toEqual([{ id: 10, label: 'good', from: 0, overlap: 1 }]);
    // A merge in the old curation (unit 2 covers both halves) labels both new halves.
    const halves = [{ id: 20, channel: 1, samples: Int32Array.from([100, 200]) }, { id: 21, channel: 1, samples: Int32Array.from([300, 400]) }];
    expect(matchLabels(old, halves, 3).map((m) => [m.id, m.label])).toEqual([[20, 'mua'], [21, 'mua']]);
    // Spikes further apart than the tolerance do not match.
    expect(matchLabels(old, [{ id: 30, channel: 0, samples: Int32Array.from([110, 210, 310]) }], 3)).toEqual([]);
  });
});

describe('raw format guesses (#4)', () => {
  it('lists only layouts that divide the file size, common channel counts first', () => {
    const size = 32 * 2 * 30000 * 10; // 32 ch int16, 10 s at 30 kHz
    const g = guessFormats(size, 30000);
    expect(g[0]).toMatchObject({ channels: 32, dtype: 'int16', durationS: 10 });
    for (const x of g) expect(size % (x.channels * (x.dtype === 'float32' ? 4 : 2))).toBe(0);
    expect(guessFormats(7, 30000)).toEqual([]);
  });
  it('ranks the layout that makes each channel a continuous signal first', () => {
    // 4 interleaved slow sines (int16): 32, 16 and 8 channels also divide the size, but mix channels.
    const n = 8192, c = 4, buf = new Int16Array(n * c);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) buf[i * c + k] = Math.round(1000 * Math.sin(i / (20 + 13 * k)) + 400 * k);
    const head = new Uint8Array(buf.buffer);
    expect(layoutScore(head, 4, 'int16')).toBeGreaterThan(-Math.log(0.01)); // r > 0.99
    expect(layoutScore(head, 8, 'int16')).toBeLessThan(layoutScore(head, 4, 'int16'));
    const g = guessFormats(head.byteLength, 20000, head);
    expect(g[0]).toMatchObject({ channels: 4, dtype: 'int16' });
    expect(g.length).toBeGreaterThan(1);
  });
  it('checks every field of a format from the UI', () => {
    expect(checkRawFormat({ channels: 4, rate: 20000, dtype: 'int16', gain: 0.195, offset: 0 })).toEqual({ channels: 4, rate: 20000, dtype: 'int16', gain: 0.195, offset: 0 });
    expect(() => checkRawFormat({ channels: 4.5, rate: 20000, dtype: 'int16', gain: 1, offset: 0 })).toThrow(/channels must be a whole number.*/);
    expect(() => checkRawFormat({ channels: 4, rate: -1, dtype: 'int16', gain: 1, offset: 0 })).toThrow(/sample rate/);
    expect(() => checkRawFormat({ channels: 4, rate: 1, dtype: 'int8', gain: 1, offset: 0 })).toThrow(/sample type/);
    expect(() => checkRawFormat({ channels: 4, rate: 1, dtype: 'int16', gain: 0, offset: 0 })).toThrow(/gain/);
    expect(() => checkRawFormat(null)).toThrow(/missing/);
  });
});
