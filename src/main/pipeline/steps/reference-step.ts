// The global common-reference stage: the per-sample mean (CAR) or median (CMR) of a channel
// group's filtered channels, computed once in blocks and written as one float32 file per group.
// Every channel task of the group subtracts the same reference, whatever mode or worker count.

import { referenceSignal } from '../../../workers/dsp/reference';
import { AtomicStream } from '../cache';
import type { ReferenceTask } from '../task';
import { ChannelFile } from './filter-steps';

export function referenceStep(task: ReferenceTask, progress: (stage: string, f: number) => void): void {
  const files = task.inputs.map((f) => new ChannelFile(f));
  const out = new AtomicStream(task.out);
  try {
    // The reference is a per-sample statistic, so any block size gives the same samples.
    const B = task.blockSamples > 0 ? task.blockSamples : 1 << 18;
    for (let s = 0; s < task.nSamples; s += B) {
      const e = Math.min(task.nSamples, s + B);
      out.write(referenceSignal(files.map((f) => f.read(s, e)), task.mode));
      progress('reference', e / task.nSamples);
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  } finally {
    for (const f of files) f.close();
  }
}
