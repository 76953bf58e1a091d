// `spikedesk batch` on the local executor, run as a user would: one folder per recording with
// the same bytes as `spikedesk sort --out`, batch.tsv/batch.json, a bad recording that does not
// stop the others, and a re-run that takes finished recordings from the cache and retries the
// failed one.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../engine/cli-helpers';
import { removeTmpDirs, tmpDir } from '../engine/helpers';
import { RAW_ARGS, treeBytes, writeRecordings } from './helpers';
import { generateSpikeRecording } from '../../src/workers/synth/spikes';
import { writeDat } from '../engine/helpers';

afterAll(() => removeTmpDirs());

describe('spikedesk batch (local)', () => {
  it('writes per-recording folders and a report; one bad recording never stops the batch; a re-run skips and retries', async () => {
    const d = tmpDir('batch-cli');
    const inputs = path.join(d, 'in');
    writeRecordings(inputs, 3, { durationS: 3, broken: true });
    const out = path.join(d, 'out');
    const first = await runCli(['batch', inputs, '--workflow', 'sort', '--out', out, '--jobs', '2', '--json', ...RAW_ARGS]);
    expect(first.code, first.stderr).toBe(3); // partial: one recording failed
    const s1 = JSON.parse(first.stdout);
    expect(s1.counts).toEqual({ failed: 1, done: 3 });
    const bad = s1.recordings.find((r: { name: string }) => r.name === 'bad');
    expect(bad.error).toBeTruthy();
    const tsv = fs.readFileSync(path.join(out, 'batch.tsv'), 'utf8').trim().split('\n');
    expect(tsv[0].split('\t').slice(0, 8)).toEqual(['recording', 'state', 'wall_s', 'peak_mb', 'cached', 'units', 'spikes', 'metrics']);
    expect(tsv.slice(1).map((l) => l.split('\t').slice(0, 2).join(' '))).toEqual(['bad failed', 'rec-0 done', 'rec-1 done', 'rec-2 done']);
    for (const r of s1.recordings.filter((x: { state: string }) => x.state === 'done')) {
      expect(r.units).toBeGreaterThan(0);
      expect(r.peakMB).toBeGreaterThan(0);
      expect(r.wallS).toBeGreaterThan(0);
    }

    // The same files as the single-recording command, byte for byte.
    const single = path.join(d, 'single');
    const one = await runCli(['sort', path.join(inputs, 'rec-1.dat'), '--out', single, '--no-progress', ...RAW_ARGS]);
    expect(one.code, one.stderr).toBe(0);
    const a = treeBytes(single), b = treeBytes(path.join(out, 'rec-1'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(Buffer.compare(v, b.get(k)!), k).toBe(0);

    // Fix the bad recording and run the same batch again.
    writeDat(path.join(inputs, 'bad.dat'), generateSpikeRecording({ seed: 200, nChannels: 4, durationS: 3, sampleRate: 20000 }));
    const again = await runCli(['batch', inputs, '--workflow', 'sort', '--out', out, '--jobs', '2', '--json', ...RAW_ARGS]);
    expect(again.code, again.stderr).toBe(0);
    const s2 = JSON.parse(again.stdout);
    const by = (n: string): { state: string; cached: boolean } => s2.recordings.find((r: { name: string }) => r.name === n);
    expect(by('bad')).toMatchObject({ state: 'done', cached: false });
    for (const n of ['rec-0', 'rec-1', 'rec-2']) expect(by(n)).toMatchObject({ state: 'done', cached: true });
    expect(Buffer.compare(fs.readFileSync(path.join(out, 'rec-1', 'spike_times.npy')), a.get('spike_times.npy')!)).toBe(0);

    // --label-rule: the folders carry the quality rule's labels, the same bytes as `sort --out --label-rule`.
    const ruled = await runCli(['batch', inputs, '--workflow', 'sort', '--out', out, '--jobs', '2', '--json', '--label-rule', ...RAW_ARGS]);
    expect(ruled.code, ruled.stderr).toBe(0);
    const singleRuled = path.join(d, 'single-ruled');
    expect((await runCli(['sort', path.join(inputs, 'rec-1.dat'), '--out', singleRuled, '--no-progress', '--label-rule', ...RAW_ARGS])).code).toBe(0);
    const c = treeBytes(singleRuled), e = treeBytes(path.join(out, 'rec-1'));
    expect([...e.keys()].sort()).toEqual([...c.keys()].sort());
    for (const [k, v] of c) expect(Buffer.compare(v, e.get(k)!), k).toBe(0);
    for (const n of ['rec-0', 'rec-1', 'rec-2', 'bad']) {
      const labels = fs.readFileSync(path.join(out, n, 'cluster_group.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[1]);
      expect(labels.length, n).toBeGreaterThan(0);
      expect(labels.every((l) => l === 'good' || l === 'mua'), `${n}: ${labels.join(' ')}`).toBe(true);
    }
    const wrong = await runCli(['batch', inputs, '--workflow', 'correct', '--out', path.join(d, 'nope'), '--label-rule', ...RAW_ARGS]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--label-rule labels sorted units: use it with --workflow sort \(not correct\)/);
    expect(fs.existsSync(path.join(d, 'nope'))).toBe(false);
  }, 180_000);

  it('usage errors name the missing option; a non-batch output folder is refused, untouched', async () => {
    const r = await runCli(['batch', '/nonexistent', '--out', '/tmp/x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--workflow sort, correct or tf/);
    const d = tmpDir('batch-out');
    writeRecordings(path.join(d, 'in'), 1, { durationS: 1 });
    const mine = path.join(d, 'mine');
    fs.mkdirSync(path.join(mine, 'rec-0'), { recursive: true });
    fs.writeFileSync(path.join(mine, 'rec-0', 'notes.txt'), 'keep');
    const o = await runCli(['batch', path.join(d, 'in'), '--workflow', 'sort', '--out', mine, ...RAW_ARGS]);
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(/not empty and holds no earlier batch/);
    expect(fs.readdirSync(path.join(mine, 'rec-0'))).toEqual(['notes.txt']);
  });
});
