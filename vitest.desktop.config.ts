import { defineConfig } from 'vitest/config';

// Desktop scenario: the built Electron app (out/) under the Electron API emulation
// (test/desktop/emulation), one file at a time (each runs one emulated app in its process).
export default defineConfig({
  test: {
    include: ['test/desktop/**/*.desktop.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
