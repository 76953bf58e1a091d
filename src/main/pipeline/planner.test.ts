import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORRECT, DEFAULT_SORT, mergeParams, type PipelineSpec } from '../../shared/params';
import type { RecordingMeta } from '../../shared/recording';
import { sessionDirFor, sourceIdentity, sourceKey, stableJson } from './cache';
import { makePlan, planChannels, validateStages } from './planner';
import { featuresStage } from './stages/sort';

const meta: RecordingMeta = {
  path: '/x/rec.dat', format: 'raw', sampleRate: 30000, nSamples: 300000, events: [],
  channels: [
    { name: 'a', group: 'g1', unit: 'uV', scale: 1, kind: 'ephys' }, { name: 'b', group: 'g1', unit: 'uV', scale: 1, kind: 'ephys' },
    { name: 'c', group: 'g2', unit: 'uV', scale: 1, kind: 'ephys' }, { name: 'STI', group: 'g2', unit: 'uV', scale: 1, kind: 'ephys' },
    { name: 'trig', group: 'x', unit: 'V', scale: 1, kind: 'stim' },
  ],
};
const mode = { kind: 'fast' as const, jobs: 2, memoryBudgetMB: 256 };
const sort = (p: unknown): PipelineSpec => ({ workflow: 'sort', params: mergeParams(DEFAULT_SORT, p), mode });
const keys = (spec: PipelineSpec, src = 'src1'): Record<string, string> => Object.fromEntries(makePlan(spec, meta, src, '/c').stages.map((s) => [s.name, s.key]));

describe('planner', () => {
  it('keys each stage by its parameters and everything upstream', () => {
    const base = keys(sort({}));
    expect(Object.keys(base)).toEqual(['filter', 'detect', 'features', 'cluster', 'metrics']);
    const cl = keys(sort({ cluster: { kMax: 5 } }));
    expect([cl.filter, cl.detect, cl.features]).toEqual([base.filter, base.detect, base.features]);
    expect(cl.cluster).not.toBe(base.cluster);
    expect(cl.metrics).not.toBe(base.metrics);
    const det = keys(sort({ detect: { threshold: 4 } }));
    expect(det.filter).toBe(base.filter);
    expect(det.detect).not.toBe(base.detect);
    expect(det.cluster).not.toBe(base.cluster);
    // Another source (or another file identity) invalidates everything.
    const other = keys(sort({}), 'src2');
    for (const k of Object.keys(base)) expect(other[k]).not.toBe(base[k]);
    // The mode is a job setting, not a method parameter: same keys.
    expect(keys({ ...sort({}), mode: { kind: 'low-memory', jobs: 1, memoryBudgetMB: 64 } })).toEqual(base);
  });

  it('adds the global reference stage per channel group and the trigger stage for correction', () => {
    const p = makePlan(sort({ filter: { reference: 'cmr' } }), meta, 'src1', '/c');
    expect(p.phases).toEqual([{ kind: 'channels', stages: ['filter'] }, { kind: 'global', stage: 'reference' },
      { kind: 'channels', stages: ['detect'] }, { kind: 'channels', stages: ['features', 'cluster', 'metrics'], ordered: true }]);
    expect(p.groups).toEqual([[0, 1], [2]]);
    // The filter key ignores the reference, so switching CAR on reuses the filtered channels.
    expect(p.stages[0].key).toBe(keys(sort({})).filter);
    const c = makePlan({ workflow: 'correct', params: DEFAULT_CORRECT, mode }, meta, 's', '/c');
    expect(c.phases.map((x) => x.kind)).toEqual(['global', 'channels']);
  });

  it('versions the cache per stage: a new layout of one stage invalidates it and what depends on it only', () => {
    const base = keys(sort({}));
    const v = featuresStage.version;
    try {
      (featuresStage as { version: number }).version = v + 1;
      const bumped = keys(sort({}));
      expect([bumped.filter, bumped.detect]).toEqual([base.filter, base.detect]);
      for (const k of ['features', 'cluster', 'metrics']) expect(bumped[k]).not.toBe(base[k]);
    } finally {
      (featuresStage as { version: number }).version = v;
    }
    expect(keys(sort({}))).toEqual(base);
  });

  it('runs on data channels only unless channels are chosen', () => {
    expect(planChannels(sort({}), meta)).toEqual([0, 1, 2]);
    expect(planChannels({ ...sort({}), channels: [3, 1, 1] }, meta)).toEqual([1, 3]);
  });
});

describe('cache helpers', () => {
  it('hashes parameter objects independently of key order', () => {
    expect(stableJson({ b: 1, a: { d: 2, c: [1, { f: 1, e: 2 }] } })).toBe(stableJson({ a: { c: [1, { e: 2, f: 1 }], d: 2 }, b: 1 }));
  });

  it('identifies a source by size, mtime and content at both ends', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cache-'));
    const f = path.join(dir, 'r.dat');
    fs.writeFileSync(f, Buffer.alloc(3 << 20, 1));
    const a = sourceIdentity(f);
    const fd = fs.openSync(f, 'r+');
    fs.writeSync(fd, Buffer.from([9]), 0, 1, (3 << 20) - 10); // change one byte in the last MB
    fs.closeSync(fd);
    fs.utimesSync(f, new Date(a.mtimeMs / 1000), new Date(a.mtimeMs / 1000)); // same mtime
    const b = sourceIdentity(f);
    expect(b.headTail).not.toBe(a.headTail);
    expect(sourceKey(a, { path: f })).not.toBe(sourceKey(b, { path: f }));
    expect(sourceKey(a, { path: f, open: { channels: 2 } })).not.toBe(sourceKey(a, { path: f }));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('puts the session beside the recording, or in the fallback folder when that is impossible', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-sess-'));
    const rec = path.join(dir, 'r.dat');
    fs.writeFileSync(rec, 'x');
    expect(sessionDirFor(rec)).toBe(`${rec}.spikedesk`);
    const blocked = path.join(dir, 'q.dat');
    fs.writeFileSync(blocked, 'x');
    fs.writeFileSync(`${blocked}.spikedesk`, 'a file where the folder should be');
    const fb = sessionDirFor(blocked, path.join(dir, 'fallback'));
    expect(fb.startsWith(path.join(dir, 'fallback'))).toBe(true);
    expect(fs.statSync(fb).isDirectory()).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a common reference on a group of one channel (the reference stage\'s validate hook) and says why', () => {
    expect(() => validateStages(sort({ filter: { reference: 'cmr' } }), meta)).toThrow(/group "g2" has only channel c.*zero/);
    expect(() => validateStages({ ...sort({ filter: { reference: 'car' } }), channels: [0, 1] }, meta)).not.toThrow();
    expect(() => validateStages(sort({}), meta)).not.toThrow();
  });
});
