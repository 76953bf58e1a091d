// Correction and time-frequency batches. Correction: each recording gets corrected.edf (+ provenance) in its folder, with the
// trigger count and epochs in batch.tsv, and the same samples as the single recording's export.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/main/batch/run-batch';
import { makeJob } from '../../src/main/batch/job';
import { openSource } from '../../src/main/io';
import { makeEegRecording, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';
import { runCli } from '../engine/cli-helpers';
import { RAW_ARGS, treeBytes, writeRecordings } from './helpers';

afterAll(() => removeTmpDirs());

describe('batch --workflow correct', () => {
  it('writes corrected.edf per recording with its metrics', async () => {
    const d = tmpDir('correct-batch');
    for (const sub of ['a', 'b']) fs.mkdirSync(path.join(d, sub));
    const a = await makeEegRecording(path.join(d, 'a'), { durationS: 20 });
    const b = await makeEegRecording(path.join(d, 'b'), { durationS: 20 });
    const inputs = path.join(d, 'list.tsv');
    fs.writeFileSync(inputs, `path\n${a.meta.path}\n${b.meta.path}\n`);
    const s = await startBatch({
      inputs: [inputs], job: makeJob('correct', undefined, { kind: 'fast', jobs: 1, memoryBudgetMB: 512 }, 'serial'),
      outDir: path.join(d, 'out'), executor: 'local', jobs: 1, memoryBudgetMB: 2048, workerEntry: WORKER_ENTRY,
    }).done;
    expect(s.counts).toEqual({ done: 2 });
    // Same file name in two folders: names carry a hash of the path.
    expect(s.recordings.map((r) => r.name).every((n) => /^eeg-[0-9a-f]{8}$/.test(n))).toBe(true);
    for (const r of s.recordings) {
      expect(r.files).toEqual(['corrected.edf', 'corrected.edf.provenance.json']);
      expect(r.metrics.triggers).toBeGreaterThan(10);
      expect(r.metrics.channels).toBe(a.eeg.nChannels);
      const edf = await openSource(path.join(d, 'out', r.name, 'corrected.edf'));
      expect(edf.meta.channels.length).toBe(a.eeg.nChannels);
      expect(edf.meta.nSamples).toBe(a.meta.nSamples);
      edf.close();
    }
    expect(fs.readFileSync(path.join(d, 'out', 'batch.tsv'), 'utf8')).toMatch(/triggers=\d+/);
  }, 120_000);

  it('takes the trigger flags of `spikedesk correct` (they were ignored), and tf --corrected runs on the corrected channels', async () => {
    const d = tmpDir('correct-batch-flags');
    fs.mkdirSync(path.join(d, 'in'));
    const a = await makeEegRecording(path.join(d, 'in'), { durationS: 16, nChannels: 2 });
    const wrong = await runCli(['batch', path.join(d, 'in'), '--workflow', 'correct', '--out', path.join(d, 'out-wrong'), '--trigger-regex', 'NoSuchLabel', '--json', '--parallel', 'serial']);
    const w = JSON.parse(wrong.stdout) as { recordings: { state: string; error?: string }[] };
    expect(w.recordings.map((r) => r.state)).toEqual(['failed']);
    expect(JSON.stringify(w.recordings[0])).toMatch(/NoSuchLabel/);
    const label = a.meta.events[0]?.label ?? '';
    const right = await runCli(['batch', path.join(d, 'in'), '--workflow', 'correct', '--out', path.join(d, 'out-right'), '--trigger-regex', label.split('/').pop()!, '--json', '--parallel', 'serial']);
    expect(right.code, right.stderr).toBe(0);
    const tf = await runCli(['batch', path.join(d, 'in'), '--workflow', 'tf', '--corrected', '--freqs', '15,20', '--n-cycles', '5', '--decim', '8', '--out', path.join(d, 'out-tf'), '--json', '--parallel', 'serial']);
    expect(tf.code, tf.stderr).toBe(0);
    const prov = JSON.parse(fs.readFileSync(path.join(d, 'out-tf', 'eeg', 'provenance.json'), 'utf8')) as { params: { correction: unknown } };
    expect(prov.params.correction).toMatchObject({ engine: 'spline' });
    const sortFlags = await runCli(['batch', path.join(d, 'in'), '--workflow', 'sort', '--out', path.join(d, 'out-sort'), '--trigger-regex', 'R128']);
    expect(sortFlags.code).toBe(1);
    expect(sortFlags.stderr).toMatch(/use them with --workflow correct or tf --corrected/);
    const corrSort = await runCli(['batch', path.join(d, 'in'), '--workflow', 'correct', '--out', path.join(d, 'out-c2'), '--corrected']);
    expect(corrSort.code).toBe(1);
    expect(corrSort.stderr).toMatch(/--corrected analyses the corrected signal: use it with --workflow tf \(not correct\)/);
  }, 180_000);
});

describe('batch --workflow tf', () => {
  it('writes the folder of `spikedesk tf --out` for each recording (same bytes but the provenance times)', async () => {
    const d = tmpDir('tf-batch');
    const inputs = path.join(d, 'in');
    writeRecordings(inputs, 2, { durationS: 3 }); // the longest default wavelet is 2.8 s
    const out = path.join(d, 'out');
    const b = await runCli(['batch', inputs, '--workflow', 'tf', '--out', out, '--jobs', '2', '--json', ...RAW_ARGS]);
    expect(b.code, b.stderr).toBe(0);
    const s = JSON.parse(b.stdout);
    expect(s.recordings.map((r: { metrics: Record<string, number> }) => r.metrics)).toEqual([
      { channels: 4, frequencies: 37, times: 60000 }, { channels: 4, frequencies: 37, times: 60000 }]);
    const single = path.join(d, 'single');
    const one = await runCli(['tf', path.join(inputs, 'rec-1.dat'), '--out', single, '--no-progress', ...RAW_ARGS]);
    expect(one.code, one.stderr).toBe(0);
    const a = treeBytes(single, (f) => f === 'provenance.json'), c = treeBytes(path.join(out, 'rec-1'), (f) => f === 'provenance.json');
    expect([...c.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBeGreaterThanOrEqual(4);
    for (const [k, v] of a) expect(Buffer.compare(v, c.get(k)!), k).toBe(0);
  }, 120_000);

  it('--decim auto decimates each recording by its own sample rate (the batch panel of the app), as `spikedesk tf --decim auto`', async () => {
    const d = tmpDir('tf-batch-auto');
    const [r0, r1] = writeRecordings(path.join(d, 'in'), 2, { durationS: 3 });
    // The same bytes read at two rates: top frequency 40 Hz keeps 8x 40 Hz at decim 32 (20 kHz) and 4 (2.5 kHz).
    const manifest = path.join(d, 'list.tsv');
    fs.writeFileSync(manifest, `path\tchannels\trate\tdtype\tgain\n${r0}\t4\t20000\tint16\t${RAW_ARGS[7]}\n${r1}\t4\t2500\tint16\t${RAW_ARGS[7]}\n`);
    const out = path.join(d, 'out');
    const b = await runCli(['batch', manifest, '--workflow', 'tf', '--freqs', '4:40:12', '--n-cycles', '5', '--decim', 'auto', '--out', out, '--json', '--parallel', 'serial']);
    expect(b.code, b.stderr).toBe(0);
    const s = JSON.parse(b.stdout) as { recordings: { name: string; metrics: Record<string, number> }[] };
    expect(s.recordings.map((r) => [r.name, r.metrics.times])).toEqual([['rec-0', 1875], ['rec-1', 15000]]);
    const single = path.join(d, 'single');
    const one = await runCli(['tf', r1, '--freqs', '4:40:12', '--n-cycles', '5', '--decim', 'auto', '--out', single, '--no-progress', '--channels', '4', '--rate', '2500', '--dtype', 'int16', '--gain', RAW_ARGS[7]]);
    expect(one.code, one.stderr).toBe(0);
    const a = treeBytes(single, (f) => f === 'provenance.json'), c = treeBytes(path.join(out, 'rec-1'), (f) => f === 'provenance.json');
    expect([...c.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(Buffer.compare(v, c.get(k)!), k).toBe(0);
    const prov = JSON.parse(fs.readFileSync(path.join(out, 'rec-0', 'provenance.json'), 'utf8')) as { params: { decim: number } };
    expect(prov.params.decim).toBe(32);
    // Other workflows have no output to thin.
    const sortDecim = await runCli(['batch', manifest, '--workflow', 'sort', '--decim', 'auto', '--out', path.join(d, 'out-sort')]);
    expect(sortDecim.code).toBe(1);
    expect(sortDecim.stderr).toMatch(/--decim thins a time-frequency output: use it with --workflow tf \(not sort\)/);
    expect(() => makeJob('correct', undefined, { kind: 'fast', jobs: 1, memoryBudgetMB: 512 }, 'auto', { autoDecim: true })).toThrow(/a correct batch has none/);
  }, 120_000);
});
