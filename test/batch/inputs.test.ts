// Batch inputs: folder, glob and manifest resolve to the same deterministic folder names; bad
// manifests are typed errors naming the line and the fix.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globFiles, nameItems, resolveInputs } from '../../src/main/batch/inputs';
import { SpikeDeskError } from '../../src/shared/errors';
import { removeTmpDirs, tmpDir } from '../engine/helpers';

afterAll(() => removeTmpDirs());

function touch(f: string): string {
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, 'x');
  return f;
}

describe('batch inputs', () => {
  it('a folder, a glob and a manifest give the same recordings and names', () => {
    const d = tmpDir('inputs');
    for (const n of ['b.dat', 'a.dat', 'c.edf']) touch(path.join(d, 'data', n));
    touch(path.join(d, 'data', 'c.vmrk')); // sidecar, not a recording
    fs.mkdirSync(path.join(d, 'data', 'a.dat.spikedesk'));
    fs.writeFileSync(path.join(d, 'list.tsv'), 'path\tchannels\trate\tdtype\tgain\toffset\ndata/b.dat\t4\t20000\tint16\t0.195\t0\ndata/a.dat\t8\t30000\tfloat32\t\t16\ndata/c.edf\n');
    const folder = resolveInputs([path.join(d, 'data')], { channels: 2 });
    const glob = resolveInputs([path.join(d, 'data', '*.{dat,edf}').replace('{dat,edf}', '[de][ad][tf]')]);
    const manifest = resolveInputs([path.join(d, 'list.tsv')]);
    expect(folder.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(glob.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(manifest.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(folder[0].open).toEqual({ channels: 2 });
    expect(manifest[0].open).toEqual({ channels: 8, rate: 30000, dtype: 'float32', offset: 16 });
    expect(manifest[1].open).toEqual({ channels: 4, rate: 20000, dtype: 'int16', gain: 0.195, offset: 0 });
    expect(manifest[2].path).toBe(path.join(d, 'data', 'c.edf'));
  });

  it('** spans folders; files sharing a name get a stable hash suffix', () => {
    const d = tmpDir('glob');
    touch(path.join(d, 's1', 'exp', 'continuous.dat'));
    touch(path.join(d, 's2', 'exp', 'continuous.dat'));
    touch(path.join(d, 's1', 'x', 'rec.dat'));
    touch(path.join(d, 's2', 'rec.dat'));
    const hits = globFiles(path.join(d, '**', '*.dat'));
    expect(hits.length).toBe(4);
    const items = resolveInputs([path.join(d, '**', 'rec.dat')]);
    expect(items.map((i) => i.name)).toHaveLength(2);
    expect(new Set(items.map((i) => i.name)).size).toBe(2);
    for (const it of items) expect(it.name).toMatch(/^rec-[0-9a-f]{8}$/);
    // Same input, same names, whatever the order given.
    expect(nameItems([...items].reverse()).map((i) => i.name).sort()).toEqual(items.map((i) => i.name).sort());
    const oe = resolveInputs([path.join(d, 's1', 'exp', 'continuous.dat')]);
    expect(oe[0].name).toBe('exp_continuous');
  });

  it('bad manifests and inputs are typed errors naming the problem', () => {
    const d = tmpDir('bad');
    const m = path.join(d, 'm.tsv');
    const err = (inputs: string[]): SpikeDeskError => {
      try { resolveInputs(inputs); } catch (e) { return e as SpikeDeskError; }
      throw new Error('no error');
    };
    fs.writeFileSync(m, 'file\tchannels\nx.dat\t4\n');
    expect(err([m]).message).toMatch(/no 'path' column/);
    fs.writeFileSync(m, 'path\tchannels\tcolour\nx.dat\t4\tred\n');
    expect(err([m]).message).toMatch(/unknown manifest column.*colour/);
    fs.writeFileSync(m, 'path\tchannels\nx.dat\tfour\n');
    const e = err([m]);
    expect(e.code).toBe('BAD_PARAMETER');
    expect(e.message).toMatch(/line 2: channels 'four'/);
    expect(err([path.join(d, 'nope')]).code).toBe('FILE_NOT_FOUND');
    expect(err([path.join(d, '*.dat')]).message).toMatch(/matches no file/);
    fs.mkdirSync(path.join(d, 'empty'));
    expect(err([path.join(d, 'empty')]).message).toMatch(/holds no recording/);
  });
});
