import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The timed estimate test runs alone after this suite (vitest.calibration.config.ts).
    exclude: ['test/e2e/**', 'node_modules/**', 'test/first-hour/estimate.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
