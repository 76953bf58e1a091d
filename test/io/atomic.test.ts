// Crash-safe writing: commit replaces atomically, abort and failures leave no trace.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFileWriter, withAtomicFile, writeFileAtomic } from '../../src/main/io/atomic';
import { expectError, tmpDir } from './helpers';

const dir = tmpDir('atomic');
const others = (d: string) => fs.readdirSync(d).filter((n) => n.endsWith('.tmp'));

describe('atomic files', () => {
  it('writeFileAtomic writes and overwrites, leaving no temp', () => {
    const p = path.join(dir, 'a.json');
    writeFileAtomic(p, '{"v":1}');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(p)]).toEqual([1, 2, 3]);
    expect(others(dir)).toEqual([]);
    const e = (() => { try { writeFileAtomic(p, 'x', { overwrite: false }); } catch (err) { return err; } })();
    expect((e as { code: string }).code).toBe('OUTPUT_EXISTS');
  });

  it('the target does not exist until commit; abort removes the temp', () => {
    const p = path.join(dir, 'b.bin');
    const w = AtomicFileWriter.open(p);
    w.write(Buffer.alloc(1000, 7));
    w.write('tail');
    expect(fs.existsSync(p)).toBe(false);
    expect(fs.existsSync(w.tempPath)).toBe(true);
    expect(w.bytesWritten).toBe(1004);
    w.abort();
    expect(fs.existsSync(w.tempPath)).toBe(false);
    expect(fs.existsSync(p)).toBe(false);
    const w2 = AtomicFileWriter.open(p);
    w2.write('ok');
    w2.commit();
    expect(fs.readFileSync(p, 'utf8')).toBe('ok');
  });

  it('withAtomicFile aborts when the producer throws, keeping the old file', async () => {
    const p = path.join(dir, 'c.txt');
    writeFileAtomic(p, 'old');
    await expect(withAtomicFile(p, (w) => { w.write('half'); throw new Error('boom'); })).rejects.toThrow('boom');
    expect(fs.readFileSync(p, 'utf8')).toBe('old');
    expect(others(dir)).toEqual([]);
  });

  it('a missing folder gives WRITE_FAILED naming the file', async () => {
    const p = path.join(dir, 'nope', 'x.bin');
    const e = await expectError(() => writeFileAtomic(p, 'x'), 'WRITE_FAILED');
    expect(e.file).toBe(p);
  });
});
