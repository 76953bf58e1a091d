// Worker side of the engine: runs one task (a channel's chain of stages, or a global stage),
// posts throttled progress as plain messages and returns a small summary. Results go to the
// cache files named in the task, each written atomically.

import { SpikeDeskError } from '../../shared/errors';
import { throttledProgress } from './progress-throttle';
import { sharedSource } from './open-source';
import type { StepContext, Step } from './steps/context';
import { filterStep } from './steps/filter-steps';
import { referenceStep } from './steps/reference-step';
import { correctStep, triggersStep } from './steps/correct-steps';
import { clusterStep, detectStep, featuresStep, metricsStep } from './steps/sort-steps';
import type { ChannelStage, ChannelTask, InjectedFault, TaskProgressMessage, TaskResult, WorkerTask } from './task';

const steps: Partial<Record<ChannelStage, Step>> = {
  filter: filterStep,
  detect: detectStep,
  features: featuresStep,
  cluster: clusterStep,
  metrics: metricsStep,
  correct: correctStep,
};

function rssMB(): number {
  return process.memoryUsage().rss / 1048576;
}

function fireFault(f: InjectedFault): void {
  if (f.kind === 'throw') throw new SpikeDeskError({ code: 'INTERNAL', message: `injected fault on channel ${f.channel}` });
  if (f.kind === 'exit') process.exit(3);
  // Exhaust the JavaScript heap (plain arrays live on the heap, unlike typed array buffers).
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length + 0.5));
}

export async function runTask(task: WorkerTask, post: (m: unknown) => void): Promise<TaskResult> {
  const t0 = performance.now();
  let peak = rssMB();
  const channel = task.kind === 'channel' ? task.channel : -1;
  const send = throttledProgress<TaskProgressMessage>((m) => post(m));
  const progress = (stage: string, fraction: number): void => {
    const rss = rssMB();
    if (rss > peak) peak = rss;
    send({ type: 'progress', runId: task.runId, channel, stage, fraction, rssMB: rss });
  };
  const summary: Record<string, unknown> = {};
  let stagesRun: TaskResult['stagesRun'] = [];
  if (task.kind === 'channel') {
    stagesRun = await runChannel(task, progress, summary);
  } else {
    const global = globalRunners[task.kind];
    if (!global) throw new SpikeDeskError({ code: 'INTERNAL', message: `no runner for global stage ${task.kind}` });
    await global(task, progress, summary);
    stagesRun = [task.kind];
  }
  peak = Math.max(peak, rssMB());
  return { channel, stagesRun, peakRssMB: peak, ms: performance.now() - t0, summary };
}

async function runChannel(task: ChannelTask, progress: StepContext['progress'], summary: Record<string, unknown>): Promise<ChannelStage[]> {
  const source = await sharedSource(task.source);
  const ctx: StepContext = { task, source, progress, memo: new Map(), summary };
  const f = task.injectFault;
  for (const stage of task.steps) {
    if (f && f.channel === task.channel && task.attempt < f.attempts && stage === task.steps[0]) fireFault(f);
    const step = steps[stage];
    if (!step) throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${stage} is not available in this build` });
    progress(stage, 0);
    await step(ctx);
    progress(stage, 1);
  }
  return task.steps;
}

type GlobalRunner = (task: WorkerTask, progress: StepContext['progress'], summary: Record<string, unknown>) => Promise<void> | void;
const globalRunners: Partial<Record<WorkerTask['kind'], GlobalRunner>> = {
  reference: (t, progress) => referenceStep(t as Extract<WorkerTask, { kind: 'reference' }>, progress),
  triggers: (t, progress, summary) => triggersStep(t as Extract<WorkerTask, { kind: 'triggers' }>, progress, summary),
};
