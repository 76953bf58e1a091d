import { defineConfig } from 'vitest/config';

// Estimate-vs-actual tests (#15 item 6): they compare a calibrated estimate with the run's wall
// time, so they run alone, after the unit suite, where the probe and the run see the same load
// (the unit suite runs many files in parallel and its load changes from second to second).
export default defineConfig({
  test: {
    include: ['test/first-hour/estimate.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
