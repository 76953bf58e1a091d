// The --params boundary of the CLI (issue 12): a partial file is deep-merged over the defaults and
// parsed by the schema; a wrong one gets one BAD_PARAMETER error naming every bad field.
import { describe, expect, it } from 'vitest';
import { SpikeDeskError } from '../../src/shared/errors';
import { DEFAULT_CORRECT, DEFAULT_SORT, DEFAULT_TF } from '../../src/shared/params';
import { userParams } from '../../src/main/headless';
import { parseArgs } from '../../src/cli/args';
import { parseFreqs, tfParamsFrom } from '../../src/cli/tf-command';
import { readParamsFile } from '../../src/cli/common';

function errorOf(f: () => unknown): SpikeDeskError {
  try { f(); } catch (e) { return e as SpikeDeskError; }
  throw new Error('expected an error');
}

describe('CLI parameters', () => {
  it('merges a partial file over the defaults of each workflow', () => {
    expect(userParams('sort', { cluster: { kMax: 2 } })).toEqual({ ...DEFAULT_SORT, cluster: { ...DEFAULT_SORT.cluster, kMax: 2 } });
    expect(userParams('correct', undefined)).toEqual(DEFAULT_CORRECT);
    expect(userParams('tf', { decim: 4 })).toEqual({ ...DEFAULT_TF, decim: 4 });
  });

  it('names every unknown or mistyped field, then every value out of bounds', () => {
    const e = errorOf(() => userParams('sort', { cluster: { kMaxx: 3 }, detect: { threshold: 'high' } }));
    expect(e.code).toBe('BAD_PARAMETER');
    expect(e.fields?.map((f) => f.path)).toEqual(['cluster.kMaxx', 'detect.threshold']);
    const b = errorOf(() => userParams('sort', { cluster: { restarts: 1e9 }, detect: { threshold: -1 } }));
    expect(b.code).toBe('BAD_PARAMETER');
    expect(b.fields?.map((f) => f.path).sort()).toEqual(['cluster.restarts', 'detect.threshold']);
    expect(b.message).toMatch(/cluster\.restarts must be a whole number from 1 to 100/);
    const t = errorOf(() => userParams('tf', { freqs: [] }));
    expect(t.fields?.[0].path).toBe('freqs');
  });

  it('takes --params as a file or as the JSON itself', () => {
    expect(readParamsFile(parseArgs(['sort', 'x', '--params', ' {"cluster":{"kMax":4}}']))).toEqual({ cluster: { kMax: 4 } });
    expect(() => readParamsFile(parseArgs(['sort', 'x', '--params', '{"cluster":']))).toThrow(/not valid JSON/);
    expect(() => readParamsFile(parseArgs(['sort', 'x', '--params', 'missing.json']))).toThrow(/missing\.json: cannot read the file \(give a JSON file, or the JSON itself/);
  });

  it('reads --freqs as start:stop:step, start:stop (1 Hz steps) or a list', () => {
    expect(parseFreqs('4:8:2')).toEqual([4, 6, 8]);
    expect(parseFreqs('4:8')).toEqual([4, 5, 6, 7, 8]);
    expect(parseFreqs('4, 5.5')).toEqual([4, 5.5]);
    expect(() => parseFreqs('40:10')).toThrow(/40:10: expected start:stop\[:step\] with 0 < start <= stop/);
    expect(() => parseFreqs('4:8:0')).toThrow(/step > 0/);
    expect(() => parseFreqs('a,b')).toThrow(/comma list of positive frequencies/);
  });

  it('tf flags override the --params file', () => {
    const a = parseArgs(['tf', 'x', '--decim', '2', '--band', 'theta']);
    const p = tfParamsFrom(a);
    expect(p.decim).toBe(2);
    expect(p.bands).toEqual([{ name: 'theta', lo: 4, hi: 8 }]);
    expect(p.freqs).toEqual(DEFAULT_TF.freqs);
  });
});

describe('util.parseArgs front end', () => {
  it('keeps the old flag syntax: repeats, short options, values starting with a dash, hints', () => {
    const a = parseArgs(['tf', 'f', '--band', 'theta', '--band=alpha', '-j', '2', '--baseline', '-0.5:0', '--zero-mean']);
    expect(a.flags.get('band')).toBe('theta\nalpha');
    expect(a.flags.get('jobs')).toBe('2');
    expect(a.flags.get('baseline')).toBe('-0.5:0');
    expect(a.flags.get('zero-mean')).toBe(true);
    expect(() => parseArgs(['sort', '--jbos', '2'])).toThrow(/unknown option --jbos \(did you mean --jobs\?\)/);
    expect(() => parseArgs(['sort', '--json=1'])).toThrow(/--json takes no value/);
    expect(() => parseArgs(['sort', '--out', '--json'])).toThrow(/--out needs a value/);
  });
});
