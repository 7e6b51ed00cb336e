// Finds, reads and validates the config file. The default file may be absent (no profiles); a file
// named with --config must exist. Every problem in the file is reported in one error.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { WaSendError } from '../core/errors.js';
import { closest } from './suggest.js';
import type { LoadedConfig, Profile } from './types.js';
import { validateProfile } from './validate.js';

/** A config file that cannot be used; `problems` lists each, the message joins them on one line. */
export class ConfigError extends WaSendError {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    const what = problems.length === 1 ? problems[0]! : `${problems.length} problems: ${problems.join('; ')}`;
    super('usage', `config ${path}: ${what}`, { hint: 'fix the file (or point --config at another one)' });
    this.name = 'ConfigError';
  }
}

/** $XDG_CONFIG_HOME/wa-send/config.toml; XDG_CONFIG_HOME counts only when absolute (XDG spec), else ~/.config. */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const base =
    env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'wa-send', 'config.toml');
}

export function loadConfig(opts: { path?: string; env: NodeJS.ProcessEnv }): LoadedConfig {
  const explicit = opts.path !== undefined;
  if (explicit && opts.path!.trim() === '') throw new ConfigError('(none)', ['--config needs a file path']);
  const path = explicit ? resolve(opts.path!) : defaultConfigPath(opts.env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return { path: null, profiles: new Map() };
    throw new ConfigError(path, [
      code === 'ENOENT' ? 'the file does not exist' : `cannot read it (${code ?? (err as Error).message})`,
    ]);
  }
  return { path, profiles: profilesFrom(path, parseToml(path, text)) };
}

function parseToml(path: string, text: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // smol-toml's message carries a code frame after a blank line: the first line says it all.
    const reason = err.message.replace(/^Invalid TOML document: /, '').split('\n')[0];
    throw new ConfigError(path, [`not valid TOML at line ${err.line}, column ${err.column}: ${reason}`]);
  }
}

function profilesFrom(path: string, doc: Record<string, unknown>): Map<string, Profile> {
  const problems: string[] = [];
  const profiles = new Map<string, Profile>();
  for (const key of Object.keys(doc)) {
    if (key === 'profiles') continue;
    const guess = closest(key, ['profiles']);
    problems.push(
      `${key}: unknown key${guess ? ` (did you mean "[${guess}.NAME]"?)` : ' (profiles go in [profiles.NAME] tables)'}`,
    );
  }
  const tables = doc.profiles;
  if (tables !== undefined && !isTable(tables)) problems.push('profiles: must hold [profiles.NAME] tables');
  for (const [name, table] of Object.entries(isTable(tables) ? tables : {})) {
    if (!isTable(table)) {
      problems.push(`profiles.${name}: must be a table ([profiles.${name}] followed by its keys)`);
      continue;
    }
    const checked = validateProfile(name, table, dirname(path));
    problems.push(...checked.problems);
    profiles.set(name, checked.profile);
  }
  if (problems.length > 0) throw new ConfigError(path, problems);
  return profiles;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
