// Two opens in flight (a slow file, then another one or the demo): the one asked for last wins,
// even when the earlier one finishes later; the loser's source is closed, not leaked, and its
// caller gets CANCELLED. The file opener is a fake whose answers the test releases in any order.
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Source } from '../../src/main/io/source';
import type { RecordingMeta } from '../../src/shared/recording';

const pending = new Map<string, (s: Source) => void>();
const closed: string[] = [];
vi.mock('../../src/main/io', () => ({
  openSource: (file: string) => new Promise<Source>((resolve) => { pending.set(path.basename(file), resolve); }),
}));

const { Backend } = await import('../../src/main/backend');
const { PathAllowList } = await import('../../src/main/security/path-allow-list');

const root = path.join(os.tmpdir(), `sd-open-race-${process.pid}`);
function source(name: string): Source {
  const meta = { path: path.join(root, name), format: 'edf', sampleRate: 1000, nSamples: 1000, channels: [{ name }], events: [] } as unknown as RecordingMeta;
  return { meta, read: () => [], close: () => { closed.push(name); } };
}

function backend() {
  const allow = new PathAllowList();
  allow.allowRoot(root);
  return new Backend({ host: 'test', version: '0', pool: {} as never, engine: {} as never, allow, demoDir: path.join(root, 'demo'), emit: () => undefined });
}

async function until(name: string): Promise<void> {
  await vi.waitFor(() => { if (!pending.has(name)) throw new Error(`${name} not asked yet`); });
}

describe('opening while an open is in flight', () => {
  it('keeps the later open when the earlier one finishes last', async () => {
    const b = backend();
    const first = b.openRecording(path.join(root, 'slow.edf'));
    await until('slow.edf');
    const second = b.openRecording(path.join(root, 'fast.edf'));
    await until('fast.edf');
    pending.get('fast.edf')!(source('fast.edf'));
    expect((await second).path).toBe(path.join(root, 'fast.edf'));
    pending.get('slow.edf')!(source('slow.edf'));
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await b.listChannels())[0].name).toBe('fast.edf');
    expect(closed).toContain('slow.edf'); // the loser's file is not left open
    expect(closed).not.toContain('fast.edf');
  });

  it('an open finishing first is replaced by a later one as usual', async () => {
    const b = backend();
    const first = b.openRecording(path.join(root, 'a.edf'));
    await until('a.edf');
    pending.get('a.edf')!(source('a.edf'));
    await first;
    const second = b.openRecording(path.join(root, 'b.edf'));
    await until('b.edf');
    pending.get('b.edf')!(source('b.edf'));
    await second;
    expect((await b.listChannels())[0].name).toBe('b.edf');
    expect(closed).toContain('a.edf');
  });
});
