import { defineConfig } from 'vitest/config';

// e2e tests spawn the built binary and a sandbox process each; on a 2-core CI box we keep
// file-level parallelism modest and timeouts generous (tests assert behaviour, never speed).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL server for the run: the PostgreSQL journal's tests and e2e variants use it.
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
