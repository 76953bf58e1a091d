// Runs one task (a channel's chain of stages, or a group/global stage) in a worker or inline,
// posts throttled progress as plain messages and returns a small summary. Results go to the
// cache files named in the task, each written atomically.

import { SpikeDeskError } from '../../shared/errors';
import { throttledProgress } from './progress-throttle';
import { sharedSource } from './open-source';
import { runChannelStages, runGlobalStage } from './stage-runner';
import type { InjectedFault, TaskProgressMessage, TaskResult, WorkerTask } from './task';
import { SpanLog, threadClock } from './trace';

function rssMB(): number {
  return process.memoryUsage.rss() / 1048576;
}

function fireFault(f: InjectedFault): void {
  if (f.kind === 'throw') throw new SpikeDeskError({ code: 'INTERNAL', message: `injected fault on channel ${f.channel}` });
  if (f.kind === 'exit') process.exit(3);
  // Exhaust the JavaScript heap (plain arrays live on the heap, unlike typed array buffers).
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length + 0.5));
}

export interface RunTaskOptions {
  /** Checked at every progress report: a cancelled inline run stops at the next one. */
  cancelled?: () => boolean;
}

export async function runTask(task: WorkerTask, post: (m: unknown) => void, opts: RunTaskOptions = {}): Promise<TaskResult> {
  const t0 = performance.now();
  let peak = rssMB();
  const channel = task.kind === 'channel' ? task.channel : -1;
  const send = throttledProgress<TaskProgressMessage>((m) => post(m));
  const progress = (stage: string, fraction: number): void => {
    if (opts.cancelled?.()) throw new SpikeDeskError({ code: 'CANCELLED', message: 'run cancelled' });
    const rss = rssMB();
    if (rss > peak) peak = rss;
    send({ type: 'progress', runId: task.runId, channel, stage, fraction, rssMB: rss });
  };
  const log = task.trace ? new SpanLog('worker', channel) : undefined;
  const source = log ? await log.timeAsync('open:source', () => sharedSource(task.source)) : await sharedSource(task.source);
  let summary: Record<string, unknown> = {};
  let stagesRun: string[];
  if (task.kind === 'channel') {
    const f = task.injectFault;
    stagesRun = runChannelStages(task, source, progress, summary, (stage) => {
      if (f && f.channel === task.channel && task.attempt < f.attempts && stage === task.steps[0]) fireFault(f);
    }, log);
  } else {
    summary = await runGlobalStage(task, source, progress, log);
    stagesRun = [task.stage];
  }
  peak = Math.max(peak, rssMB());
  const result: TaskResult = { channel, stagesRun, peakRssMB: peak, ms: performance.now() - t0, summary };
  if (log) {
    const c = threadClock();
    result.trace = { spans: log.spans, threadCpuMs: c?.cpuMs ?? null, threadWaitMs: c?.waitMs ?? null };
  }
  return result;
}
