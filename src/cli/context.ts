// What every command gets: the environment (after --env-file layering), the IO object, the clock
// and the journal. Layers: defaults < --env-file < real environment < flags.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { type LoadedConfig, loadConfig } from '../config/index.js';
import { type Clock, systemClock } from '../core/clock.js';
import { usageError } from '../core/errors.js';
import type { Journal } from '../core/journal.js';
import { isJournalUrl, type JournalOptions, openJournal, printableLocation } from '../journal/index.js';
import type { IO } from './io.js';
import { readFlagFile } from './parse.js';

export interface GlobalOptions {
  journal?: string;
  config?: string;
  profile?: string;
  envFile?: string;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean; // commander turns --no-color into color: false
}

export interface Context {
  io: IO;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** The journal location, safe to print (a PostgreSQL URL without its password). */
  journalLabel: string;
  /** true when the journal is a local file that does not exist yet. */
  journalMissing(): boolean;
  /** --config and --profile as given (the profile may also come from WA_SEND_PROFILE). */
  globals: GlobalOptions;
  /** The config file's profiles, read once when first asked for (no file at the default place: none). */
  config(): LoadedConfig;
  /** Opens the journal, runs fn, closes it (also when fn throws). */
  withJournal<T>(opts: JournalOptions, fn: (journal: Journal) => Promise<T>): Promise<T>;
}

export function buildContext(io: IO, processEnv: NodeJS.ProcessEnv, globals: GlobalOptions, clock: Clock = systemClock): Context {
  const env = { ...readEnvFile(globals.envFile), ...processEnv };
  const location = resolveJournalLocation(globals.journal, env);
  io.quiet = Boolean(globals.quiet);
  io.verbose = Boolean(globals.verbose);
  let config: LoadedConfig | null = null;
  return {
    io,
    env,
    clock,
    globals,
    config: () => {
      config ??= loadConfig({ ...(globals.config !== undefined && { path: globals.config }), env });
      return config;
    },
    journalLabel: printableLocation(location),
    journalMissing: () => !isJournalUrl(location) && !existsSync(location),
    async withJournal(opts, fn) {
      const journal = await openJournal(location, { env, ...opts });
      try {
        return await fn(journal);
      } finally {
        await journal.close();
      }
    },
  };
}

export function resolveJournalLocation(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const given = flag ?? env.WA_SEND_JOURNAL;
  if (given !== undefined && given !== '') {
    if (given.trim() === '') throw usageError('--journal needs a file path or a postgres:// URL');
    return isJournalUrl(given) ? given : resolve(given);
  }
  if (flag !== undefined) throw usageError('--journal needs a file path or a postgres:// URL');
  const dataHome = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : join(env.HOME ?? homedir(), '.local', 'share');
  return join(dataHome, 'wa-send', 'journal.db');
}

function readEnvFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  return parseEnv(readFlagFile('--env-file', path)) as Record<string, string>;
}
