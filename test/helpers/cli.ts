// CLI test helpers. `run` calls main(argv, env, io) in process (fast, and signals are delivered by
// the test); `exec`/`spawn` run the real binary (built to dist/) for what needs a real process:
// kill -9, the installed bin, real signals. Sandboxes run in their own process on 127.0.0.1, and
// every workspace has its own HOME and journal and a clean environment (no credentials leak in).

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Answer } from '../../src/cli/io.js';
import type { Clock } from '../../src/core/clock.js';
import { main } from '../../src/main.js';
import { csvOf, phones, tempDir } from './journal.js';
import { ExitCalled, type MemoryIO, memoryIO } from './memory-io.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'wa-send.js');
export const SAMPLES = join(ROOT, 'samples');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** In process: stdin and stderr are terminals. */
  tty?: boolean;
  /** In process: answers to confirmation questions. */
  answers?: Answer[];
  /** In process: called with the IO before main starts (to send signals on cue). */
  withIO?: (io: MemoryIO) => void;
  clock?: Clock;
  /** Real binary: stdout goes to this file (e.g. /dev/full) instead of a pipe. */
  stdoutPath?: string;
  timeoutMs?: number;
}

/** A workspace: its own HOME and journal, and the environment every command of a test shares. */
export function workspace(extraEnv: Record<string, string> = {}) {
  const dir = tempDir('wa-send-e2e-');
  const journal = join(dir, 'journal.db');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    NO_COLOR: '1',
    WA_SEND_JOURNAL: journal,
    ...extraEnv,
  };
  const merged = (opts: RunOptions) => ({ ...opts, env: { ...env, ...opts.env } });
  return {
    dir,
    journal,
    env,
    run: (args: string[], opts: RunOptions = {}) => runMain(args, merged(opts)),
    exec: (args: string[], opts: RunOptions = {}) => runCli(args, merged(opts)),
    spawn: (args: string[], opts: RunOptions = {}) => spawnCli(args, merged(opts)),
  };
}

/** main() in process, with an in-memory IO. */
export async function runMain(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const io = memoryIO({
    ...(opts.stdin !== undefined && { stdin: opts.stdin }),
    tty: Boolean(opts.tty),
    ...(opts.answers && { answers: opts.answers }),
  });
  opts.withIO?.(io);
  let code: number;
  try {
    code = await main(args, opts.env ?? {}, io, opts.clock ? { clock: opts.clock } : {});
  } catch (err) {
    if (!(err instanceof ExitCalled)) throw err;
    code = err.code;
  }
  return { code, signal: null, stdout: io.out(), stderr: io.err() };
}

export function spawnCli(args: string[], opts: RunOptions = {}): ChildProcess {
  // stdoutPath: stdout goes to that file (e.g. /dev/full) instead of a pipe.
  const stdout = opts.stdoutPath === undefined ? 'pipe' : openSync(opts.stdoutPath, 'w');
  try {
    return spawn(BIN, args, { env: opts.env, cwd: ROOT, stdio: ['pipe', stdout, 'pipe'] });
  } finally {
    if (typeof stdout === 'number') closeSync(stdout);
  }
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, opts);
  child.stdin!.end(opts.stdin ?? '');
  return collect(child, opts.timeoutMs ?? 90_000);
}

export function collect(child: ChildProcess, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves once the child's stdout or stderr has printed something matching `pattern`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) {
        cleanup();
        resolve(m[0]);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms; saw: ${seen}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr!.off('data', onData);
    };
    child.stdout?.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

/** Resolves once `condition` holds, polling every `everyMs` (an observable event, never a fixed sleep). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface SandboxProcess {
  url: string;
  /** Environment that points wa-send at this sandbox as a real Cloud API target. */
  env: Record<string, string>;
  stats(detail?: boolean): Promise<Record<string, any>>;
  configure(patch: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** `wa-send sandbox` in its own process on an ephemeral loopback port. */
/**
 * `wa-send sandbox` in its own process. `priority` (a nice value below 0) asks the kernel to run it
 * ahead of the suite's workers, for tests that judge when requests reach it; only root may, so
 * elsewhere it runs at the normal priority.
 */
export async function startSandboxProcess(args: string[] = [], opts: { priority?: number } = {}): Promise<SandboxProcess> {
  const child = spawn(BIN, ['sandbox', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.priority !== undefined && child.pid !== undefined) {
    try {
      setPriority(child.pid, opts.priority);
    } catch {
      // not root: the normal priority
    }
  }
  const url = await waitForOutput(child, /http:\/\/127\.0\.0\.1:\d+/);
  return sandboxAt(
    url,
    () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  );
}

/** A sandbox listening at `url`, read and configured over its HTTP API; `stop` ends it. */
export function sandboxAt(url: string, stop: () => Promise<void>): SandboxProcess {
  return {
    url,
    env: { WA_API_URL: url, WA_PHONE_NUMBER_ID: '100200300', WA_ACCESS_TOKEN: 'test-token-not-secret' },
    async stats(detail = false) {
      const res = await fetch(`${url}/_sandbox/stats${detail ? '?detail=1' : ''}`);
      return res.json() as Promise<Record<string, any>>;
    },
    async configure(patch) {
      const res = await fetch(`${url}/_sandbox/config`, {
        method: 'POST',
        body: JSON.stringify(patch),
        headers: { 'content-type': 'application/json' },
      });
      if (!res.ok) throw new Error(`configure failed: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}

export const csvWithPhones = (n: number, start = 0): string => csvOf(phones(n, start));

/** Rows of a read-only query on a journal another process writes (opened and closed per call). */
export function query<T = Record<string, unknown>>(journal: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(journal, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
