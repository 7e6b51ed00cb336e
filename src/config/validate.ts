// Checks one [profiles.NAME] table against the key contract (DESIGN §1) and turns it into a
// Profile. Problems are collected, not thrown: loadConfig reports every problem of every profile at
// once, each prefixed with its TOML path, so one edit fixes them all.
import { isAbsolute, resolve } from 'node:path';
import { META_API_URL } from '../core/types.js';
import { parseNotifyTarget } from '../notify/target.js';
import { parseConfigDuration } from './duration.js';
import { closest } from './suggest.js';
import { tokenFileProblem } from './token.js';
import { PROFILE_KEYS, type Profile } from './types.js';

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Table = Record<string, unknown>;

export function validateProfile(name: string, table: Table, configDir: string): { profile: Profile; problems: string[] } {
  const at = `profiles.${name}`;
  const problems: string[] = [];
  const add = (key: string, text: string) => problems.push(`${at}.${key}: ${text}`);
  const profile: Profile = { name };
  if (!PROFILE_NAME.test(name)) problems.push(`${at}: a profile name may hold letters, digits, ".", "_" and "-" only`);

  for (const key of Object.keys(table)) {
    if ((PROFILE_KEYS as readonly string[]).includes(key)) continue;
    const guess = closest(key, PROFILE_KEYS);
    add(key, `unknown key${guess ? ` (did you mean "${guess}"?)` : ` (known: ${PROFILE_KEYS.join(', ')})`}`);
  }
  const text = (key: string): string | undefined => {
    const v = table[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    add(
      key,
      typeof v === 'string'
        ? 'must not be empty'
        : `must be a string, got ${describe(v)}${typeof v === 'number' ? ` (quote it: ${key} = "${v}")` : ''}`,
    );
    return undefined;
  };
  const ids = (key: 'phone_number_id' | 'waba_id') => {
    const v = text(key);
    if (v !== undefined && !/^\d+$/.test(v)) add(key, `must be the numeric id Meta shows, got "${v}"`);
    return v;
  };
  profile.phoneNumberId = ids('phone_number_id');
  profile.wabaId = ids('waba_id');

  const apiUrl = text('api_url');
  const urlProblem = apiUrl === undefined ? null : httpUrlProblem(apiUrl);
  if (urlProblem) add('api_url', urlProblem);
  else if (apiUrl !== undefined) profile.apiUrl = apiUrl.replace(/\/+$/, '');

  const tokenEnv = text('token_env');
  if (tokenEnv !== undefined && !ENV_NAME.test(tokenEnv))
    add('token_env', `must be an environment variable name like ACME_WA_TOKEN, got "${tokenEnv}"`);
  else profile.tokenEnv = tokenEnv;
  const tokenFile = text('token_file');
  if (tokenFile !== undefined) {
    profile.tokenFile = isAbsolute(tokenFile) ? tokenFile : resolve(configDir, tokenFile);
    const problem = tokenFileProblem(profile.tokenFile);
    if (problem) add('token_file', problem.replace(/^token_file /, ''));
  }
  if (table.token_env !== undefined && table.token_file !== undefined) {
    problems.push(`${at}: has both token_env and token_file; keep one`);
  }

  profile.rate = wholeNumber(table, 'rate', add, 'messages per second');
  profile.dailyLimit = wholeNumber(table, 'daily_limit', add, 'messages per day');
  const notify = text('notify');
  const parsedNotify = notify === undefined ? null : parseNotifyTarget(notify);
  const notifyProblem = parsedNotify !== null && 'problem' in parsedNotify ? parsedNotify.problem : null;
  if (notifyProblem) add('notify', notifyProblem);
  else profile.notify = notify;

  if (table.dedup_window !== undefined) {
    const ms = parseConfigDuration(table.dedup_window);
    if (ms === null)
      add('dedup_window', `must be a duration like "7d", "12h" or "30m", or "0" for none; got ${describe(table.dedup_window)}`);
    else profile.dedupWindowMs = ms;
  }
  if (table.require_optin !== undefined) {
    if (typeof table.require_optin === 'boolean') profile.requireOptin = table.require_optin;
    else add('require_optin', `must be true or false (without quotes), got ${describe(table.require_optin)}`);
  }
  // Keys left undefined are dropped, so a Profile lists only what the file set.
  for (const k of Object.keys(profile) as (keyof Profile)[]) if (profile[k] === undefined) delete profile[k];
  return { profile, problems };
}

function wholeNumber(table: Table, key: string, add: (k: string, t: string) => void, unit: string): number | undefined {
  const v = table[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) return v;
  add(key, `must be a whole number ≥ 1 (${unit}), got ${describe(v)}`);
  return undefined;
}

/** null when `value` is an http(s) URL without a user name or password. */
function httpUrlProblem(value: string): string | null {
  const want = `an http(s) URL like ${META_API_URL}`;
  if (!URL.canParse(value)) return `must be ${want}, got "${value}"`;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be ${want}, got "${value}"`;
  if (url.username || url.password) return 'must not hold a user name or password';
  return null;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Date) return 'a date';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'a table';
  return String(v);
}
