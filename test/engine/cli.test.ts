// The spikedesk CLI end to end: info, sort with a phy folder, correct to EDF+, parameter files,
// and the exit codes (usage 1, bad input 2, partial run 3, Ctrl+C 130).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/main/export/npy';
import { openSource } from '../../src/main/io';
import { makeEegRecording, makeRecording, tmpDir, type TestRecording, removeTmpDirs } from './helpers';
import { runCli } from './cli-helpers';

let dir: string;
let r: TestRecording;
let raw: string[];

beforeAll(async () => {
  dir = tmpDir('cli');
  r = await makeRecording(dir, { nChannels: 3, durationS: 10, sampleRate: 20000, unitsPerChannel: [2, 1, 2] });
  raw = [r.meta.path, '--channels', '3', '--rate', '20000', '--gain', '0.195'];
});

const npy = (d: string, f: string): ReturnType<typeof decodeNpy> => decodeNpy(fs.readFileSync(path.join(d, f)));

afterAll(() => removeTmpDirs());

describe('spikedesk CLI', () => {
  it('info prints channels, rate and duration (text and --json)', async () => {
    const t = await runCli(['info', ...raw]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/channels:\s+3/);
    expect(t.stdout).toMatch(/sample rate: 20000 Hz/);
    expect(t.stdout).toMatch(/duration:\s+10\.000 s/);
    const j = await runCli(['info', ...raw, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ sampleRate: 20000, nSamples: 200000, durationS: 10 });
  });

  it('exits 1 on usage errors and 2 on a bad input file', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(1);
    const turbo = await runCli(['sort', ...raw, '--mode', 'turbo']);
    expect(turbo.code).toBe(1);
    // A usage error ends with the message and where the help is, not with the whole help text.
    expect(turbo.stderr).toBe('spikedesk: --mode turbo: use fast or low-memory\nRun `spikedesk --help` for every command and option.\n');
    expect(unknown.stderr).toMatch(/^spikedesk: unknown command "frobnicate"\nRun `spikedesk --help`/);
    // With no command at all, the usage itself.
    const none = await runCli([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^spikedesk: no command given\n\nUsage: spikedesk <command>/);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"cluster": {"kMaxx": 3}}');
    const p = await runCli(['sort', ...raw, '--params', bad]);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/cluster\.kMaxx is not a known parameter/);
    expect((await runCli(['info', path.join(dir, 'missing.dat')])).code).toBe(2);
    const empty = path.join(dir, 'empty.dat');
    fs.writeFileSync(empty, '');
    const e = await runCli(['info', empty, '--channels', '2', '--rate', '1000', '--json']);
    expect(e.code).toBe(2);
    expect(JSON.parse(e.stdout).error.code).toBe('FILE_EMPTY');
  });

  it('sort --out writes a complete phy folder and the TSV tables, with --params merged over defaults', async () => {
    const out = path.join(dir, 'phy');
    const params = path.join(dir, 'params.json');
    fs.writeFileSync(params, JSON.stringify({ cluster: { kMax: 2 } }));
    const res = await runCli(['sort', ...raw, '--params', params, '--jobs', '2', '--out', out, '--json']);
    expect(res.code).toBe(0);
    const j = JSON.parse(res.stdout);
    expect(j.report.state).toBe('done');
    for (const f of ['params.py', 'spike_times.npy', 'spike_clusters.npy', 'spike_templates.npy', 'amplitudes.npy', 'templates.npy',
      'channel_map.npy', 'channel_positions.npy', 'pc_features.npy', 'pc_feature_ind.npy', 'cluster_group.tsv', 'cluster_info.tsv',
      'spikes.tsv', 'units.tsv']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const times = npy(out, 'spike_times.npy');
    const clusters = npy(out, 'spike_clusters.npy');
    expect(times.dtype).toBe('<i8');
    expect(times.values.every((t, i) => i === 0 || t >= times.values[i - 1])).toBe(true);
    expect(clusters.shape).toEqual(times.shape);
    const units = fs.readFileSync(path.join(out, 'units.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    expect(units.length).toBe(j.units);
    expect(new Set(clusters.values)).toEqual(new Set(units.map((u) => Number(u[0]))));
    // kMax 2 from the parameter file: at most two units per channel.
    for (const c of [0, 1, 2]) expect(units.filter((u) => u[1] === String(c)).length).toBeLessThanOrEqual(2);
    const templates = npy(out, 'templates.npy');
    expect(templates.shape).toEqual([j.units, 50, 3]);
    const spikes = fs.readFileSync(path.join(out, 'spikes.tsv'), 'utf8').trim().split('\n');
    expect(spikes[0]).toBe('unit\tchannel\tsample\ttime_s');
    expect(spikes.length - 1).toBe(times.shape[0]);
    expect(fs.readFileSync(path.join(out, 'params.py'), 'utf8')).toMatch(/n_channels_dat = 3\ndtype = "int16"/);

    // export re-writes the units from the session (with any curation), without sorting again:
    // from the recording, from its session folder, and from the sort --out folder itself.
    const sortedTimes = spikes.slice(1).map((l) => l.split('\t')[2]).sort();
    const rowsOf = (d: string) => fs.readFileSync(path.join(d, 'spikes.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[2]).sort();
    const ex = path.join(dir, 'export');
    const e = await runCli(['export', ...raw, '--format', 'tsv', '--out', ex]);
    expect(e.code, e.stderr).toBe(0);
    expect(rowsOf(ex)).toEqual(sortedTimes);
    const again = await runCli(['export', ...raw, '--format', 'csv', '--out', ex, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).error.code).toBe('OUTPUT_EXISTS');
    expect((await runCli(['export', ...raw, '--format', 'csv', '--out', ex, '--force'])).code).toBe(0);
    const session = `${r.meta.path}.spikedesk`;
    const nwb = path.join(dir, 'units.nwb');
    const n = await runCli(['export', session, '--format', 'nwb', '--out', nwb]);
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toMatch(new RegExp(`exported ${j.units} units`));
    expect(fs.readFileSync(nwb).subarray(1, 4).toString()).toBe('HDF');
    expect((await runCli(['export', session, '--format', 'blech', '--out', path.join(dir, 'units.h5')])).code).toBe(0);
    const fromFolder = path.join(dir, 'phy-again');
    const f = await runCli(['export', out, '--format', 'phy', '--out', fromFolder]);
    expect(f.code, f.stderr).toBe(0);
    expect(npy(fromFolder, 'spike_times.npy').shape).toEqual(times.shape);
    expect((await runCli(['export', out, '--format', 'edf', '--out', path.join(dir, 'x.edf')])).code).toBe(1);
    // A folder that is none of the sources export takes: named as such, with what to give instead.
    const other = path.join(dir, 'not-a-source');
    fs.mkdirSync(other, { recursive: true });
    const o = await runCli(['export', other, '--format', 'csv', '--out', path.join(dir, 'nowhere')]);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/FORMAT_UNKNOWN: This folder is not a session folder \(RECORDING\.spikedesk\), a `spikedesk sort --out` folder or a recording folder.*Fix: Give export the folder/);
    expect(fs.existsSync(path.join(dir, 'nowhere'))).toBe(false);
  }, 180_000); // spawns the CLI for a whole sort: over a minute on a loaded 2-core machine

  it('exits 3 with a report naming the failed channel when a channel fails', async () => {
    // Parameters not run before, so the channels are really processed (not taken from the cache).
    const params = path.join(dir, 'params-fault.json');
    fs.writeFileSync(params, JSON.stringify({ detect: { threshold: 4.5 } }));
    const res = await runCli(['sort', ...raw, '--params', params, '--only', '0-1', '--jobs', '2'], { env: { SPIKEDESK_TEST_FAULT: '1:throw:2' } });
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(/channel 1 FAILED: injected fault/);
  });

  it('a NaN sample fails its channel with a fix the command line can follow (--non-finite zero), which then sorts it', async () => {
    // 2 float32 channels, 4 s at 20 kHz: channel 1 has one NaN.
    const n = 80_000, x = new Float32Array(2 * n);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 20;
    x[2 * 5000 + 1] = Number.NaN;
    const f = path.join(dir, 'nan.dat');
    fs.writeFileSync(f, Buffer.from(x.buffer));
    const args = ['sort', f, '--channels', '2', '--rate', '20000', '--dtype', 'float32', '--jobs', '1'];
    const failed = await runCli(args);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/channel 1 FAILED: Channel 'ch1' has a non-finite value \(NaN\) at sample 5000\. Fix: .*\(command line: --non-finite zero; app: "Read NaN\/Inf as 0" under the run report\)/);
    const zeroed = await runCli([...args, '--non-finite', 'zero']);
    expect(zeroed.code, zeroed.stdout + zeroed.stderr).toBe(0);
    expect(zeroed.stderr).toMatch(/note: NaN\/Inf samples are read as 0/);
    expect((await runCli([...args, '--non-finite', 'nan'])).stderr).toMatch(/--non-finite nan: use zero .* or error/);
  }, 120_000);

  it('exits 130 when interrupted with Ctrl+C', async () => {
    const long = await makeRecording(tmpDir('cli-long'), { nChannels: 4, durationS: 40, sampleRate: 30000 });
    let sent = false;
    const res = await runCli(['sort', long.meta.path, '--channels', '4', '--rate', '30000', '--mode', 'low-memory'], {
      onStderr: (text, child) => { if (!sent && /estimated peak/.test(text)) { sent = true; setTimeout(() => child.kill('SIGINT'), 200); } },
    });
    expect(sent).toBe(true);
    expect(res.code).toBe(130);
    expect(res.stdout).toMatch(/sort cancelled/);
  });

  it('correct finds the triggers itself, says which it used and writes EDF+', async () => {
    const eeg = await makeEegRecording(tmpDir('cli-eeg'));
    const out = path.join(path.dirname(eeg.meta.path), 'clean.edf');
    const res = await runCli(['correct', eeg.meta.path, '--out', out, '--jobs', '2']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/triggers: \d+ from markers matching .*R128/);
    const src = await openSource(out);
    // Only the corrected (EEG) channels: the stim channel is not corrected, so it is not written as such.
    expect(src.meta.channels.map((c) => c.name)).toEqual(eeg.meta.channels.filter((c) => !/^sti/i.test(c.name)).map((c) => c.name));
    expect(src.meta.nSamples).toBe(eeg.meta.nSamples);
    src.close();
    // The same export path as the app: an existing output is kept unless --force.
    const again = await runCli(['correct', eeg.meta.path, '--out', out, '--jobs', '2']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists|OUTPUT_EXISTS/i);
    expect((await runCli(['correct', eeg.meta.path, '--out', out, '--jobs', '2', '--force'])).code).toBe(0);
    // export the corrected recording again from the session, as BrainVision.
    const vhdr = path.join(path.dirname(eeg.meta.path), 'again.vhdr');
    const ex = await runCli(['export', eeg.meta.path, '--format', 'brainvision', '--out', vhdr]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toMatch(/corrected channels as brainvision/);
    const bv = await openSource(vhdr);
    expect(bv.meta.nSamples).toBe(eeg.meta.nSamples);
    bv.close();
  });
});
