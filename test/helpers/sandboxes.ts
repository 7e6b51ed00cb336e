// Sandboxes for one test file, stopped after each test. By default the real `wa-send sandbox`
// command runs in this process (main() with an in-memory IO, stopped by a SIGTERM through it): the
// same HTTP server and flags, without paying a Node start per test. Tests that judge timing at the
// stand-in (requests per 1-second window) give it its own process, so our work cannot bunch its
// arrivals together.
import { afterEach } from 'vitest';
import { main } from '../../src/main.js';
import { type SandboxProcess, sandboxAt, startSandboxProcess, until } from './cli.js';
import { memoryIO } from './memory-io.js';

export function useSandboxes(opts: { ownProcess?: boolean } = {}): (args?: string[]) => Promise<SandboxProcess> {
  const running: SandboxProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  return async (args = []) => {
    const s = opts.ownProcess ? await startSandboxProcess(args) : await startSandboxInProcess(args);
    running.push(s);
    return s;
  };
}

/** The `wa-send sandbox` command in this process; `stop` ends it (for tests that manage their own). */
export async function startSandboxInProcess(args: string[] = []): Promise<SandboxProcess> {
  const io = memoryIO();
  const done = main(['sandbox', '--port', '0', ...args], { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, io);
  let failed: unknown = null;
  done.then(
    (code) => {
      if (code !== 0) failed = new Error(`wa-send sandbox exited ${code}: ${io.err()}`);
    },
    (err: unknown) => {
      failed = err;
    },
  );
  await until(() => {
    if (failed) throw failed;
    return /http:\/\/127\.0\.0\.1:\d+/.test(io.out());
  }, 'the sandbox to listen');
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(io.out())![0];
  let stopped: Promise<void> | null = null;
  return sandboxAt(url, () => {
    stopped ??= (async () => {
      io.signal('SIGTERM');
      await done.catch(() => {});
    })();
    return stopped;
  });
}
