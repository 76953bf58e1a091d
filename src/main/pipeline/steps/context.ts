// What a stage step sees inside a worker: the task, its open source, progress reporting and
// the in-memory results of earlier steps of the same task (fast mode keeps a filtered channel
// in memory instead of reading it back from the cache).

import type { Source } from '../../io/source';
import type { ChannelTask } from '../task';

export interface StepContext {
  task: ChannelTask;
  source: Source;
  /** Report progress of the current step (0..1); also samples memory for the peak. */
  progress(stage: string, fraction: number): void;
  /** Results of earlier steps of this task, by stage name. */
  memo: Map<string, unknown>;
  /** Summary values returned to main. */
  summary: Record<string, unknown>;
}

export type Step = (ctx: StepContext) => Promise<void> | void;
