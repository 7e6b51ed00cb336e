// e2e helpers: run the real wa-send binary (built to dist/) and a sandbox in its own process, both
// on 127.0.0.1, with a temp journal and a clean environment (no credentials leak in from the host).
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvOf, phones, tempDir } from './journal.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'wa-send.js');
export const SAMPLES = join(ROOT, 'samples');

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** A workspace: its own HOME and journal, and the environment every command of a test shares. */
export function workspace(extraEnv: Record<string, string> = {}) {
  const dir = tempDir('wa-send-e2e-');
  const journal = join(dir, 'journal.db');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', WA_SEND_JOURNAL: journal, ...extraEnv };
  return {
    dir, journal, env,
    run: (args: string[], opts: RunOptions = {}) => runCli(args, { ...opts, env: { ...env, ...opts.env } }),
    spawn: (args: string[], opts: RunOptions = {}) => spawnCli(args, { ...opts, env: { ...env, ...opts.env } }),
  };
}

interface RunOptions { env?: Record<string, string>; timeoutMs?: number; stdin?: string; stdoutPath?: string }

export function spawnCli(args: string[], opts: RunOptions = {}): ChildProcess {
  // stdoutPath: stdout goes to that file (e.g. /dev/full) instead of a pipe.
  const stdout = opts.stdoutPath === undefined ? 'pipe' : openSync(opts.stdoutPath, 'w');
  try {
    return spawn(process.execPath, [BIN, ...args], { env: opts.env, cwd: ROOT, stdio: ['pipe', stdout, 'pipe'] });
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
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)); }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

/** Resolves once the child's stdout or stderr has printed something matching `pattern`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) { cleanup(); resolve(m[0]); }
    };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${pattern} within ${timeoutMs} ms; saw: ${seen}`)); }, timeoutMs);
    const cleanup = () => { clearTimeout(timer); child.stdout!.off('data', onData); child.stderr!.off('data', onData); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
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
export async function startSandboxProcess(args: string[] = []): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', ...args], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await waitForOutput(child, /http:\/\/127\.0\.0\.1:\d+/);
  return {
    url,
    env: { WA_API_URL: url, WA_PHONE_NUMBER_ID: '100200300', WA_ACCESS_TOKEN: 'test-token-not-secret' },
    async stats(detail = false) {
      const res = await fetch(`${url}/_sandbox/stats${detail ? '?detail=1' : ''}`);
      return res.json() as Promise<Record<string, any>>;
    },
    async configure(patch) {
      const res = await fetch(`${url}/_sandbox/config`, { method: 'POST', body: JSON.stringify(patch), headers: { 'content-type': 'application/json' } });
      if (!res.ok) throw new Error(`configure failed: ${res.status} ${await res.text()}`);
    },
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('close', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export const csvWithPhones = (n: number, start = 0): string => csvOf(phones(n, start));

/** Rows of a read-only query on a journal another process writes (opened and closed per call). */
export function query<T = Record<string, unknown>>(journal: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(journal, { readonly: true });
  try { return db.prepare(sql).all(...params) as T[]; } finally { db.close(); }
}
