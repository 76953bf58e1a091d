// Scheduling of per-channel tasks (issue 12): a stage with a taskCost (features, from the spike
// count) starts a second task per channel, and those run busiest channel first once the even
// filter + detect tasks are queued, so one busy channel at the end no longer leaves a worker idle.
// Order only: the bytes are those of any other order (stage-equality.test.ts runs 1, 2, 4 workers).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SORT } from '../../src/shared/params';
import { Engine } from '../../src/main/pipeline/engine';
import { InlineExecutor } from '../../src/main/pipeline/inline-executor';
import { PriorityLanes } from '../../src/main/pipeline/lanes';
import type { SubmitOptions } from '../../src/main/pipeline/executor';
import type { TaskResult, WorkerTask } from '../../src/main/pipeline/task';
import { makeRecording, removeTmpDirs, tmpDir } from './helpers';

afterAll(() => removeTmpDirs());

/** The inline executor, recording what was submitted in order. */
class Recording extends InlineExecutor {
  readonly seen: { channel: number; steps: string[] }[] = [];
  override submit(task: WorkerTask, opts?: SubmitOptions): Promise<TaskResult> {
    if (task.kind === 'channel') this.seen.push({ channel: task.channel, steps: task.steps });
    return super.submit(task, opts);
  }
}

describe('task order', () => {
  it('runs priority first, first come first served among equals, with jobs added by running jobs', async () => {
    const lanes = new PriorityLanes();
    const order: string[] = [];
    let running = 0, most = 0;
    const job = (name: string, then?: () => void) => async (): Promise<void> => {
      running++;
      most = Math.max(most, running);
      order.push(name);
      await new Promise((r) => setTimeout(r, 1));
      then?.();
      running--;
    };
    lanes.add(1, job('a1'));
    lanes.add(5, job('b5', () => lanes.add(9, job('c9'))));
    lanes.add(1, job('d1'));
    await lanes.drain(1, () => false);
    expect(order).toEqual(['b5', 'c9', 'a1', 'd1']);
    const two = new PriorityLanes();
    for (let i = 0; i < 6; i++) two.add(0, job(`x${i}`));
    most = 0;
    await two.drain(2, () => false);
    expect(most).toBe(2);
  });

  it('sorts the busiest channels first after every channel is filtered and detected', async () => {
    const dir = tmpDir('schedule');
    const r = await makeRecording(dir, { nChannels: 4, durationS: 4, unitsPerChannel: [1, 3, 0, 2] });
    const ex = new Recording();
    const engine = new Engine(ex);
    const spec = { workflow: 'sort' as const, params: DEFAULT_SORT, mode: { kind: 'fast' as const, jobs: 1, memoryBudgetMB: 512 } };
    const report = await engine.start(spec, r.ref, r.meta, () => undefined).done;
    expect(report.state).toBe('done');
    expect(ex.seen.slice(0, 4)).toEqual([0, 1, 2, 3].map((channel) => ({ channel, steps: ['filter', 'detect'] })));
    const rest = ex.seen.slice(4);
    expect(rest.map((t) => t.steps)).toEqual(Array(4).fill(['features', 'cluster', 'metrics']));
    const session = JSON.parse(fs.readFileSync(path.join(engine.sessionDir(r.meta.path), 'session.json'), 'utf8')) as { runs: { summary: Record<string, { nSpikes: number }> }[] };
    const spikes = rest.map((t) => session.runs[0].summary[`ch${t.channel}`].nSpikes);
    expect(new Set(spikes).size).toBe(4);
    expect(spikes).toEqual([...spikes].sort((a, b) => b - a));
  });
});
