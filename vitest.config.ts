import { defineConfig } from 'vitest/config';

// Tests spawn real worker processes; on a 2-core machine a few files at a time is the sweet spot.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
