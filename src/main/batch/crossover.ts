// Measured costs behind the automatic serial/parallel choice (auto-executor.ts). Source:
// bench/batch-crossover.ts (run by `npm run bench batch`), measured on MEASURED_ON: 2 cores shared
// with 7 other engineers' jobs (load average ~18), workers started through tsx (no JS build).
// Re-run it and copy its figures here when the worker start-up or the kernels change.

export const MEASURED_ON = '2026-12-01, 2-core VM, load average ~18';

/** Seconds to start k workers and have them ready (measured: 1.86 s for 1, 4.31 s for 2; linear beyond). */
const START_1 = 1.86;
const START_2 = 4.31;

export const CROSSOVER = {
  workerStartS: (k: number): number => Math.max(0, START_1 + (START_2 - START_1) * (k - 1)),
  /** Fixed cost of one channel task inline (open the recording, stage bookkeeping), s (measured 0.332). */
  inlineTaskS: 0.332,
  /** Fixed cost of one channel task on the pool (dispatch, open in the worker, results), s (measured 0.249). */
  poolTaskS: 0.249,
  /** Inline sort rate measured alongside (channel-samples per second), for the crossover table. */
  inlineSortRate: 2.30e6,
};
