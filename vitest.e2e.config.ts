import { defineConfig } from 'vitest/config';

// End-to-end tests: Debian Chromium (playwright-core) against the web host, one file at a time.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    // Generates the demos once before the specs (no time limit; see the file).
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
