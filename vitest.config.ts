import { defineConfig } from 'vitest/config';

// Six files at a time on a 2-core box: most e2e time is spent waiting (stand-in latency, retry
// backoffs, a child process starting), not computing, so more files overlap their waits. Timeouts
// are generous: tests assert behaviour, never speed.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL server for the run: the PostgreSQL journal's tests and e2e variants use it.
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each worker keeps its modules between files (no fresh import of the CLI, SQLite and undici
    // per file): a third less CPU for the suite. Files share nothing else: every test makes its own
    // temp dirs, journals, sandboxes and servers, and closes them.
    isolate: false,
    maxWorkers: 6,
    reporters: ['default'],
  },
});
