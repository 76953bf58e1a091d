// The CLI's first-hour fixes, run through the real launcher: "did you mean" (friction), the raw
// file error naming --channels/--rate, --jobs above the cores capped with a warning (#7), an output
// folder that cannot be written refused before the run with one WRITE_FAILED (#8, NWB export
// included), sort --out / correct --out refusing to overwrite without --force (#9), and a run
// printing the reader's notes on its file (as info does), and --label-rule (the quality rule's labels).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRecording, removeTmpDirs, tmpDir, type TestRecording } from '../engine/helpers';
import { runCli } from '../engine/cli-helpers';
import { readTsv } from '../../src/main/export/sort-folder';
import { judgeUnit } from '../../src/shared/quality-rule';

let dir: string;
let rec: TestRecording;
const raw = (): string[] => [rec.meta.path, '--channels', '3', '--rate', '20000', '--gain', '0.195'];
const cores = os.availableParallelism?.() ?? os.cpus().length;

beforeAll(async () => {
  dir = tmpDir('cli-first');
  rec = await makeRecording(dir, { nChannels: 3, durationS: 3, sampleRate: 20000, unitsPerChannel: [1, 1, 1] });
});
afterAll(() => removeTmpDirs());

describe('spikedesk CLI first hour', () => {
  it('suggests the command or option meant, and names --channels/--rate for a raw file', async () => {
    const cmd = await runCli(['sotr', 'demo']);
    expect(cmd.code).toBe(1);
    expect(cmd.stderr).toMatch(/unknown command "sotr" \(did you mean "sort"\?\)/);
    const opt = await runCli(['info', rec.meta.path, '--chanels', '3']);
    expect(opt.code).toBe(1);
    expect(opt.stderr).toMatch(/unknown option --chanels \(did you mean --channels\?\)/);
    const bare = await runCli(['info', rec.meta.path]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/Fix: give --channels N --rate HZ/);
  });

  it('a run prints the reader\'s notes on the file, as info does (a partial last frame hints at a wrong --channels)', async () => {
    const odd = path.join(dir, 'odd.dat');
    fs.writeFileSync(odd, Buffer.concat([fs.readFileSync(rec.meta.path), Buffer.alloc(1)]));
    const r = await runCli(['sort', odd, ...raw().slice(1), '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: The last 1 bytes do not fill a frame of 3 channels and are ignored \(check the channel count\)/);
    const clean = await runCli(['sort', ...raw(), '--json', '--no-progress']);
    expect(clean.stderr).not.toMatch(/note:/);
  }, 120_000);

  it('sort counts the spikes in units (as spikes.tsv holds them) apart from unassigned detections', async () => {
    const out = path.join(dir, 'counted');
    const r = await runCli(['sort', ...raw(), '--out', out, '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { units: number; spikes: number; unassigned: number };
    const rows = fs.readFileSync(path.join(out, 'spikes.tsv'), 'utf8').trim().split('\n').length - 1;
    expect(j.spikes).toBe(rows);
    expect(j.unassigned).toBeGreaterThanOrEqual(0);
    const text = await runCli(['sort', ...raw(), '--no-progress']);
    expect(text.stdout).toMatch(new RegExp(`units: ${j.units}, spikes in units: ${j.spikes}, unassigned detections: ${j.unassigned}`));
  }, 120_000);

  it('--label-rule labels the written units by the quality rule (sort --out, export) and leaves the source alone', async () => {
    fs.mkdirSync(path.join(dir, 'long'), { recursive: true });
    const long = await makeRecording(path.join(dir, 'long'), { nChannels: 2, durationS: 30, sampleRate: 20000, unitsPerChannel: [2, 1] });
    const args = [long.meta.path, '--channels', '2', '--rate', '20000', '--gain', '0.195', '--no-progress'];
    const plain = path.join(dir, 'plain'), ruled = path.join(dir, 'ruled'), exported = path.join(dir, 'exported');
    const metric = (v: string): number | null => (v.trim() === '' ? null : Number(v));
    const labels = (d: string): Map<string, string> => new Map(readTsv(path.join(d, 'units.tsv')).map((u) => [u.unit, u.label]));
    expect((await runCli(['sort', ...args, '--out', plain])).code).toBe(0);
    const r = await runCli(['sort', ...args, '--out', ruled, '--label-rule']);
    expect(r.code, r.stderr).toBe(0);
    const units = readTsv(path.join(ruled, 'units.tsv'));
    expect(units.length).toBeGreaterThan(1);
    const want = new Map(units.map((u) => [u.unit, judgeUnit({ violationRatio: metric(u.violationRatio), amplitudeCutoff: metric(u.amplitudeCutoff), presenceRatio: metric(u.presenceRatio) }).label]));
    expect(labels(ruled)).toEqual(want);
    const good = [...want.values()].filter((l) => l === 'good').length;
    expect(r.stdout).toContain(`labelled by the quality rule: ${good} good, ${want.size - good} mua`);
    // phy reads the labels from cluster_group.tsv
    expect(new Map(readTsv(path.join(ruled, 'cluster_group.tsv')).map((g) => [g.cluster_id, g.group]))).toEqual(want);
    expect([...labels(plain).values()].every((l) => l === 'unsorted')).toBe(true);
    // export from the unlabelled folder gives the same labels, and the folder keeps its own
    const e = await runCli(['export', plain, '--format', 'phy', '--out', exported, '--label-rule']);
    expect(e.code, e.stderr).toBe(0);
    expect(labels(exported)).toEqual(want);
    expect([...labels(plain).values()].every((l) => l === 'unsorted')).toBe(true);
    const bad = await runCli(['sort', ...args, '--label-rule']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--label-rule labels the units written to --out DIR: give --out/);
    // A switch of other commands is a usage error, not silently ignored.
    const elsewhere = await runCli(['correct', 'demo:eeg', '--label-rule']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/--label-rule applies to sort, export, batch, not correct/);
    const phase = await runCli(['sort', ...args, '--with-phase']);
    expect(phase.code).toBe(1);
    expect(phase.stderr).toMatch(/--with-phase applies to tf, batch, batch-task, not sort/);
  }, 120_000);

  it('the start line knows what the cache holds: a re-run with new clustering parameters names the cached stages', async () => {
    expect((await runCli(['sort', ...raw(), '--no-progress'])).code).toBe(0);
    const r = await runCli(['sort', ...raw(), '--no-progress', '--params', '{"cluster":{"kMax":3}}']);
    expect(r.code, r.stderr).toBe(0);
    const m = /estimated peak \d+ MB, ~[\d.]+ s for the (\d+) % of the work not in the cache \(([a-z, ]+) from the cache\); a full run ~\d+ s/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![2].split(', ')).toEqual(expect.arrayContaining(['filter', 'detect']));
    expect(m![2]).not.toMatch(/cluster/);
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBeLessThan(100);
  }, 120_000);

  it('#7 caps --jobs at the cores with a warning; --force-jobs keeps it', async () => {
    const r = await runCli(['sort', ...raw(), '--jobs', '99', '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`99 workers asked for but this machine has ${cores} cores: using ${cores}.*--force-jobs`));
    expect(JSON.parse(r.stdout).report.jobs).toBe(cores);
    const f = await runCli(['sort', ...raw(), '--jobs', String(cores + 1), '--force-jobs', '--json', '--no-progress']);
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(f.stdout).report.jobs).toBe(cores + 1);
  }, 120_000);

  it('#9 sort --out and correct --out refuse an existing output without --force, before running', async () => {
    const out = path.join(dir, 'sorted');
    const first = await runCli(['sort', ...raw(), '--out', out, '--no-progress']);
    expect(first.code, first.stderr).toBe(0);
    const params = fs.readFileSync(path.join(out, 'params.py'));
    const again = await runCli(['sort', ...raw(), '--out', out, '--no-progress']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/OUTPUT_EXISTS.*Fix: .*--force/);
    expect(again.stderr).not.toMatch(/estimated peak/); // refused before the run
    expect(fs.readFileSync(path.join(out, 'params.py'))).toEqual(params);
    fs.writeFileSync(path.join(out, 'stray.txt'), 'left from an earlier run');
    const forced = await runCli(['sort', ...raw(), '--out', out, '--force', '--no-progress']);
    expect(forced.code, forced.stderr).toBe(0);
    // Replaced as a whole through a temp folder and a rename: nothing of the old folder is merged in,
    // and no temp folder is left beside it.
    expect(fs.existsSync(path.join(out, 'stray.txt'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'params.py'))).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.sorted.'))).toEqual([]);
    // The same input again: every stage from the cache, said as such rather than as a mis-estimate.
    expect(forced.stderr).toMatch(/every stage came from the cache: [\d.]+ s \(a full run was estimated at ~[\d.]+ s\)/);
    // ... and the start line already knew it.
    expect(forced.stderr).toMatch(/sort: fast mode, \d+ worker\(s\); every stage is in the cache, so little is left to compute \(a full run is estimated at ~\d+ s/);
    expect(forced.stderr).not.toMatch(/estimate vs actual/);

    const edf = path.join(dir, 'corrected.edf');
    fs.writeFileSync(edf, 'an earlier result');
    const c = await runCli(['correct', ...raw(), '--out', edf, '--no-progress']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/OUTPUT_EXISTS/);
    expect(fs.readFileSync(edf, 'utf8')).toBe('an earlier result');
  }, 180_000);

  it('#8 an unwritable output fails before the run with one WRITE_FAILED and a fix (sort --out, NWB export)', async () => {
    const s = await runCli(['sort', ...raw(), '--out', '/sys/spikedesk-sorted', '--no-progress']);
    expect(s.code).toBe(3);
    expect(s.stderr).toMatch(/WRITE_FAILED: The output folder \/sys is not writable \(EACCES\).*Fix: Choose a folder you can write to\./);
    expect(s.stderr).not.toMatch(/estimated peak/);
    expect(s.stderr.trim().split('\n')).toHaveLength(1);
    const sorted = await runCli(['sort', ...raw(), '--no-progress']);
    expect(sorted.code, sorted.stderr).toBe(0);
    const n = await runCli(['export', ...raw(), '--format', 'nwb', '--out', '/sys/units.nwb']);
    expect(n.code).toBe(3);
    expect(n.stderr).toMatch(/WRITE_FAILED/);
    expect(n.stderr).not.toMatch(/FORMAT_CORRUPT|damaged/);
  }, 180_000);
});
