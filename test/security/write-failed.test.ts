// Issue #11, medium 10 (export side): a full disk during an NWB/blech export was reported as
// FORMAT_CORRUPT (blaming the input) with a 30-line HDF5 dump. Write errors of the output are
// WRITE_FAILED with one line of reason and a fix.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withAtomicOutput } from '../../src/main/export/atomic-output';
import { openForWrite } from '../../src/main/export/h5-write';
import { condense, writeFailed } from '../../src/main/io/atomic';
import { h5Error } from '../../src/main/io/hdf5/h5';
import { SpikeDeskError } from '../../src/shared/errors';

const HDF5_DUMP = ['HDF5-DIAG: Error detected in HDF5 (1.14.6) thread 0:',
  ...Array.from({ length: 12 }, (_, i) => `  #${String(i).padStart(3, '0')}: H5Dint.c line ${100 + i} in H5D__write(): can't write data\n    major: Dataset\n    minor: Write failed`),
  '    major: Low-level I/O', '    minor: File write failed'].join('\n');

describe('write failures name the output, not the input', () => {
  it('condenses an HDF5 error stack to one line and recognises a full disk', () => {
    expect(condense(HDF5_DUMP)).toBe('Low-level I/O: File write failed');
    const e = writeFailed('/out/x.nwb', new Error(HDF5_DUMP), 'write the export');
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.fix).toMatch(/disk is full/);
  });

  it('a real ENOSPC (/dev/full) is WRITE_FAILED with the disk-full fix', () => {
    if (!fs.existsSync('/dev/full')) return;
    let err: unknown;
    try { fs.writeFileSync('/dev/full', Buffer.alloc(1024)); } catch (x) { err = x; }
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(writeFailed('/dev/full', err, 'write').fix).toMatch(/disk is full/);
  });

  it('an allocation failure (h5wasm heap) says memory, not disk', () => {
    const e = writeFailed('/out/tf.nwb', new Error('Requested allocation of 2841600000 bytes exceeds maximum memory of 2147483648 bytes'), 'write the export');
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.fix).toMatch(/did not fit in memory/);
    expect(e.fix).not.toMatch(/disk/);
  });

  it('an HDF5 "damaged file" error raised on the temp output becomes WRITE_FAILED', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-wf-'));
    const target = path.join(dir, 'sorted.nwb');
    const e = await withAtomicOutput(target, 'file', false, (temp) => { throw h5Error(new Error(HDF5_DUMP), temp, 'writing'); }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SpikeDeskError);
    expect((e as SpikeDeskError).code).toBe('WRITE_FAILED');
    expect((e as SpikeDeskError).file).toBe(target);
    expect((e as SpikeDeskError).message).not.toMatch(/\n/);
    expect(fs.readdirSync(dir)).toEqual([]);
    // An error about another file (the input) keeps its code.
    const input = await withAtomicOutput(target, 'file', false, () => { throw h5Error(new Error('truncated file'), '/data/in.nwb', 'reading'); }).catch((x: unknown) => x);
    expect((input as SpikeDeskError).code).toBe('FILE_TRUNCATED');
  });

  it('creating an HDF5 output where it cannot be written is WRITE_FAILED', async () => {
    const e = await openForWrite(path.join(os.tmpdir(), 'no-such-folder-sd', 'x.nwb'), 'w').catch((x: unknown) => x);
    expect((e as SpikeDeskError).code).toBe('WRITE_FAILED');
  });
});
