// Measured costs behind the automatic serial/parallel choice (auto-executor.ts). Source:
// bench/batch-crossover.ts (run by `npm run bench batch`), measured on MEASURED_ON: 2 cores shared
// with 7 other engineers' jobs (load average ~15), workers started through tsx (no JS build).
// Re-run it and copy its figures here when the worker start-up or the kernels change.
// Not adopted: the 2026-12-01 12:05 UTC re-run (load average 12-23, median 16) measured start-up
// 3.51 s for 1 worker, 0.322 s per inline task and 0.49 Msamples/s inline, all inflated by
// contention (the sort rate fell 2.5x); these figures stay those of the less contended run.

export const MEASURED_ON = '2026-12-01 08:53 UTC, 2-core VM, load average ~15 (bench/results/batch.json)';

/** Seconds to start k workers and have them ready (measured: 1.12 s for 1, 3.05 s for 2; linear beyond). */
const START_1 = 1.12;
const START_2 = 3.05;

export const CROSSOVER = {
  workerStartS: (k: number): number => Math.max(0, START_1 + (START_2 - START_1) * (k - 1)),
  /** Fixed cost of one channel task inline (open the recording, stage bookkeeping), s (measured 0.299). */
  inlineTaskS: 0.299,
  /** Fixed cost of one channel task on the pool (dispatch, open in the worker, results), s (measured 0.558). */
  poolTaskS: 0.558,
  /** Inline sort rate measured alongside (channel-samples per second), for the crossover table. */
  inlineSortRate: 1.23e6,
};
