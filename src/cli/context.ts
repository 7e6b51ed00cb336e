// What every command gets: the environment (after --env-file layering), the IO object, and the
// journal location. Layers: defaults < --env-file < real environment < flags.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { usageError } from '../core/errors.js';
import { getBroadcast, type BroadcastRow } from '../journal/broadcasts.js';
import { openJournal, type Db, type OpenOptions } from '../journal/db.js';
import type { IO } from './io.js';
import { readFlagFile } from './parse.js';

export interface GlobalOptions {
  journal?: string;
  envFile?: string;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean; // commander turns --no-color into color: false
}

export interface Context {
  io: IO;
  env: NodeJS.ProcessEnv;
  journalPath: string;
  openJournal(opts?: OpenOptions): Db;
}

export function buildContext(io: IO, processEnv: NodeJS.ProcessEnv, globals: GlobalOptions): Context {
  const env = { ...readEnvFile(globals.envFile), ...processEnv };
  const journalPath = resolveJournalPath(globals.journal, env);
  io.quiet = Boolean(globals.quiet);
  io.verbose = Boolean(globals.verbose);
  return { io, env, journalPath, openJournal: (opts) => openJournal(journalPath, opts) };
}

export function resolveJournalPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw usageError('--journal needs a file path');
    return resolve(flag);
  }
  if (env.WA_SEND_JOURNAL) return resolve(env.WA_SEND_JOURNAL);
  const dataHome = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(env.HOME ?? homedir(), '.local', 'share');
  return join(dataHome, 'wa-send', 'journal.db');
}

function readEnvFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  return parseEnv(readFlagFile('--env-file', path)) as Record<string, string>;
}

/** The broadcast an id names, or the usage error every command gives for an unknown id. */
export function requireBroadcast(ctx: Context, db: Db, id: string): BroadcastRow {
  const b = getBroadcast(db, id);
  if (!b) throw usageError(`no broadcast ${id} in the journal ${ctx.journalPath}`, 'list them with: wa-send status');
  return b;
}
