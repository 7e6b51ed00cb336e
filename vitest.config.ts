import { defineConfig } from 'vitest/config';

// e2e tests spawn the built binary and a sandbox process each; on a 2-core CI box we keep
// file-level parallelism modest and timeouts generous (tests assert behaviour, never speed).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
