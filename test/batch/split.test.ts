// Which recordings become channel-group array tasks (Slurm): only when asked or when large, only
// with more than one group, and never when a stage's result depends on which channels run
// together (a common reference), since the pieces' cache entries would then not be the whole run's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJob } from '../../src/main/batch/job';
import { resolveInputs } from '../../src/main/batch/inputs';
import { channelGroups, LARGE_TASK_S, planGroupTasks } from '../../src/main/batch/split';
import { openMeta, specFor } from '../../src/main/batch/recording';
import { estimateRun } from '../../src/main/pipeline/estimate';
import type { RecordingMeta } from '../../src/shared/recording';
import { GAIN, removeTmpDirs, tmpDir } from '../engine/helpers';
import { writeRecordings } from './helpers';

const open = { channels: 4, rate: 20000, dtype: 'int16' as const, gain: GAIN };
const mode = { kind: 'fast' as const, jobs: 1, memoryBudgetMB: 512 };

describe('channel-group tasks', () => {
  let inputs: string;
  beforeAll(() => { inputs = path.join(tmpDir('split'), 'in'); writeRecordings(inputs, 2, { durationS: 1 }); });
  afterAll(() => removeTmpDirs());

  it('splits by the recording\'s own groups, else by runs of N channels', () => {
    const meta = (groups: string[]) => ({ channels: groups.map((group, i) => ({ name: `c${i}`, group, kind: 'ephys' })) }) as unknown as RecordingMeta;
    expect(channelGroups(meta(['a', 'a', 'a', 'a', 'a']), [0, 1, 2, 3, 4], 2)).toEqual([[0, 1], [2, 3], [4]]);
    expect(channelGroups(meta(['s1', 's1', 's2', 's2']), [0, 1, 2, 3], 8)).toEqual([[0, 1], [2, 3]]);
    expect(channelGroups(meta(['s1', 's2', 's1', 's2']), [0, 1, 2, 3], 1)).toEqual([[0], [2], [1], [3]]);
  });

  it('plans tasks when asked, none for small recordings on auto, none when a common reference ties the channels', async () => {
    const items = resolveInputs([inputs], open);
    const plain = makeJob('sort', undefined, mode, 'parallel');
    expect(await planGroupTasks(items, plain, 1, 2)).toEqual([
      { item: 0, name: 'rec-0', channels: [0, 1] }, { item: 0, name: 'rec-0', channels: [2, 3] },
      { item: 1, name: 'rec-1', channels: [0, 1] }, { item: 1, name: 'rec-1', channels: [2, 3] },
    ]);
    expect(await planGroupTasks(items, plain, 1, 'auto')).toEqual([]);
    expect(await planGroupTasks(items, plain, 1, 'off')).toEqual([]);
    const log: string[] = [];
    const car = makeJob('sort', { filter: { reference: 'car' } }, mode, 'parallel');
    expect(await planGroupTasks(items, car, 1, 2, (m) => log.push(m))).toEqual([]);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/rec-0: not split/);
  });

  it('auto splits a recording whose one-CPU estimate exceeds LARGE_TASK_S into enough groups to bring each under it', async () => {
    // A day-long 4-channel recording as a sparse file: only its header-less size is read here.
    const dir = path.join(tmpDir('split-large'), 'in');
    fs.mkdirSync(dir, { recursive: true });
    const big = path.join(dir, 'day.dat');
    const frames = 20000 * 24 * 3600;
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, frames * 4 * 2);
    const items = resolveInputs([dir, inputs], open);
    const job = makeJob('sort', undefined, mode, 'parallel');
    const est = estimateRun(specFor(job, 1, null), await openMeta(items.find((i) => i.name === 'day')!), 1).fast.seconds;
    expect(est).toBeGreaterThan(LARGE_TASK_S);
    const log: string[] = [];
    const tasks = await planGroupTasks(items, job, 1, 'auto', (m) => log.push(m));
    // Only the large recording is split (the 1-s ones stay whole), every channel exactly once.
    expect(new Set(tasks.map((t) => t.name))).toEqual(new Set(['day']));
    expect(tasks.flatMap((t) => t.channels).sort()).toEqual([0, 1, 2, 3]);
    expect(tasks.length).toBeGreaterThanOrEqual(2);
    for (const t of tasks) expect((est * t.channels.length) / 4).toBeLessThanOrEqual(LARGE_TASK_S);
    expect(log).toEqual([expect.stringMatching(/^day: \d+ channel-group tasks/)]);
  });
});
