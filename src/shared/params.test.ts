// The parameter schema: bounds on every field, field-by-field errors, one spec validator.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CORRECT, DEFAULT_FILTER, DEFAULT_SORT, DEFAULT_TF, mergeParams, paramsFromUser, validateCorrect, validateSort, validateSpec,
  type PipelineSpec,
} from './params';
import { SpikeDeskError } from './errors';
import { parseWith } from './schema/fields';
import { OpenOptionsSchema } from './schema/params-schema';

function fails(fn: () => unknown): SpikeDeskError {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(SpikeDeskError); return e as SpikeDeskError; }
  throw new Error('expected an error');
}

const mode = { kind: 'fast' as const, jobs: 2, memoryBudgetMB: 512 };
const rec = { sampleRate: 30000, nChannels: 4 };

describe('parameter schema', () => {
  it('accepts the defaults', () => {
    expect(validateSort(DEFAULT_SORT, 30000)).toEqual(DEFAULT_SORT);
    expect(validateCorrect(DEFAULT_CORRECT)).toEqual(DEFAULT_CORRECT);
  });

  it('bounds the sizes the review could blow up, naming each field', () => {
    const e = fails(() => validateSort(mergeParams(DEFAULT_SORT, { cluster: { restarts: 1e9, maxIter: 1e12 }, detect: { threshold: -1 } }), 30000));
    expect(e.code).toBe('BAD_PARAMETER');
    expect(e.fields?.map((f) => f.path).sort()).toEqual(['cluster.maxIter', 'cluster.restarts', 'detect.threshold']);
    expect(e.message).toMatch(/cluster\.restarts must be a whole number from 1 to 100 \(got 1000000000\)/);
    expect(e.fix).toBeTruthy();
  });

  it('rejects NaN, Infinity, strings and missing fields with the field path', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '5', undefined]) {
      const p = structuredClone(DEFAULT_SORT) as unknown as { detect: Record<string, unknown> };
      p.detect.threshold = bad;
      const e = fails(() => validateSort(p as never, 30000));
      expect(e.fields?.[0].path).toBe('detect.threshold');
    }
    const missing = structuredClone(DEFAULT_SORT) as unknown as { detect: Record<string, unknown> };
    delete missing.detect.threshold;
    expect(fails(() => validateSort(missing as never, 30000)).message).toMatch(/detect\.threshold.*is missing/);
  });

  it('names unknown fields instead of ignoring them', () => {
    const p = { ...structuredClone(DEFAULT_SORT), extra: 1 };
    expect(fails(() => validateSort(p as never, 30000)).fields?.[0]).toMatchObject({ path: 'extra' });
  });

  it('checks the fields that depend on the recording or on each other', () => {
    const e = fails(() => validateSort(mergeParams(DEFAULT_SORT, { filter: { lowHz: 20000 }, cluster: { kMin: 5, kMax: 2 } }), 30000));
    expect(e.fields?.map((f) => f.path).sort()).toEqual(['cluster.kMax', 'filter.lowHz']);
    const r = fails(() => validateCorrect(mergeParams(DEFAULT_CORRECT, { triggers: { source: 'events', regex: '([' } })));
    expect(r.fields?.[0].path).toBe('triggers.regex');
  });

  it('merges a partial params file and reports every problem at once', () => {
    const e = fails(() => mergeParams(DEFAULT_SORT, { cluster: { kMaxx: 3, restarts: 'many' }, nope: {} }));
    expect(e.fields?.map((f) => f.path).sort()).toEqual(['cluster.kMaxx', 'cluster.restarts', 'nope']);
    // "__proto__" in a JSON params file is an unknown field, never a prototype.
    const proto = fails(() => mergeParams(DEFAULT_SORT, JSON.parse('{"__proto__": {"polluted": 1}}')));
    expect(proto.fields?.[0].path).toBe('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(paramsFromUser('sort', { cluster: { kMax: 4 } }).cluster.kMax).toBe(4);
    expect(fails(() => paramsFromUser('filter', { order: 99 })).fields?.[0].path).toBe('order');
  });

  it('replaces lists whole (tf frequencies, bands) and names a list given as something else', () => {
    const p = mergeParams(DEFAULT_TF, { freqs: [6, 10], bands: [{ name: 'theta', lo: 4, hi: 8 }], baseline: { mode: 'zscore' } });
    expect(p.freqs).toEqual([6, 10]);
    expect(p.bands).toEqual([{ name: 'theta', lo: 4, hi: 8 }]);
    expect(p.baseline).toEqual({ ...DEFAULT_TF.baseline, mode: 'zscore' });
    expect(DEFAULT_TF.freqs.length).toBe(37);
    expect(fails(() => mergeParams(DEFAULT_TF, { freqs: 4, nCycles: { a: 1 } })).fields?.map((f) => [f.path, f.message])).toEqual([
      ['freqs', 'must be a list (got 4)'], ['nCycles', 'must be a list (got {"a":1})']]);
  });
});

describe('validateSpec (the one run-request validator)', () => {
  const ok: PipelineSpec = { workflow: 'filter', params: DEFAULT_FILTER, mode, channels: [0, 3] };
  it('accepts a valid spec and returns it parsed', () => {
    expect(validateSpec(ok, rec)).toEqual(ok);
  });
  it('rejects bad modes, workflows, channels and extra fields', () => {
    expect(fails(() => validateSpec({ ...ok, mode: { ...mode, jobs: 1e6 } }, rec)).fields?.[0].path).toBe('mode.jobs');
    expect(fails(() => validateSpec({ ...ok, workflow: 'rm -rf' }, rec)).code).toBe('BAD_PARAMETER');
    expect(fails(() => validateSpec({ ...ok, channels: [4] }, rec)).fields?.[0].path).toBe('channels.0');
    expect(fails(() => validateSpec({ ...ok, channels: [-1] }, rec)).fields?.[0].path).toBe('channels.0');
    expect(fails(() => validateSpec({ ...ok, evil: true }, rec)).fields?.[0].path).toBe('evil');
    expect(fails(() => validateSpec(null, rec)).code).toBe('BAD_PARAMETER');
    expect(fails(() => validateSpec({ workflow: 'sort', params: mergeParams(DEFAULT_SORT, { filter: { notchHz: 16000 } }), mode }, rec)).fields?.[0].path)
      .toBe('params.filter.notchHz');
  });
});

describe('open options', () => {
  it('bounds sample rate, channels and gain', () => {
    expect(parseWith(OpenOptionsSchema, { channels: 4, rate: 30000 }, 'x')).toEqual({ channels: 4, rate: 30000 });
    for (const bad of [{ rate: 1e12 }, { rate: 0 }, { channels: 1e9 }, { gain: 0 }, { format: 'exe' }, { offset: -1 }]) {
      expect(() => parseWith(OpenOptionsSchema, bad, 'x')).toThrow(SpikeDeskError);
    }
  });
});
