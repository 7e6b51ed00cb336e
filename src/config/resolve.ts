// Where each setting of a send comes from: flag > environment > profile > default (DESIGN §1,
// STYLE §10). Pure: flags, env and the chosen profile come in, values and their sources go out, so
// `doctor` can say "phone number id 1065… (from profile acme)". Reading the token is left to the
// caller (readToken): this only names where it is.

import { usageError } from '../core/errors.js';
import { META_API_URL } from '../core/types.js';
import { closest } from './suggest.js';
import { profileTokenSource, type TokenSource } from './token.js';
import type { LoadedConfig, Profile } from './types.js';

export type SettingSource = 'flag' | 'env' | 'profile' | 'default';

export interface Resolved<T> {
  value: T;
  from: SettingSource;
  /** The flag, environment variable or "profile NAME" it came from; null for a default. */
  origin: string | null;
}

export interface SettingFlags {
  profile?: string;
  phoneNumberId?: string;
  apiUrl?: string;
  wabaId?: string;
  rate?: number;
  dailyLimit?: number;
  notify?: string;
  dedupWindowMs?: number;
  requireOptin?: boolean;
}

export interface ResolvedSettings {
  phoneNumberId: Resolved<string | null>;
  apiUrl: Resolved<string>;
  token: Resolved<TokenSource | null>;
  wabaId: Resolved<string | null>;
  rate: Resolved<number>;
  dailyLimit: Resolved<number | null>;
  notify: Resolved<string | null>;
  dedupWindowMs: Resolved<number>;
  requireOptin: Resolved<boolean>;
  /**
   * Environment values that replaced a different value of the chosen profile. The order makes env
   * win, but WA_PHONE_NUMBER_ID from an env file silently beating `--profile acme` would send from
   * the wrong number: the CLI should at least warn about each of these.
   */
  envOverrides: { setting: string; env: string }[];
}

export const SETTING_DEFAULTS = {
  apiUrl: META_API_URL,
  rate: 80,
  dedupWindowMs: 7 * 86_400_000,
  requireOptin: false,
} as const;

/** The profile name to use: --profile, else WA_SEND_PROFILE, else none. */
export function resolveProfileName(flags: SettingFlags, env: NodeJS.ProcessEnv): Resolved<string | null> {
  if (flags.profile !== undefined) return { value: flags.profile, from: 'flag', origin: '--profile' };
  if (nonEmpty(env.WA_SEND_PROFILE)) return { value: env.WA_SEND_PROFILE!.trim(), from: 'env', origin: 'WA_SEND_PROFILE' };
  return { value: null, from: 'default', origin: null };
}

/** The named profile, or a usage error listing those that exist (with a suggestion). */
export function selectProfile(config: LoadedConfig, name: Resolved<string | null>): Profile | null {
  if (name.value === null) return null;
  const found = config.profiles.get(name.value);
  if (found) return found;
  const names = [...config.profiles.keys()];
  const where =
    config.path === null
      ? 'there is no config file'
      : `${config.path} defines ${names.length === 0 ? 'no profiles' : names.join(', ')}`;
  const guess = closest(name.value, names);
  throw usageError(
    `no profile "${name.value}" (from ${name.origin}): ${where}`,
    guess ? `did you mean ${guess}?` : 'list them with: wa-send profiles',
  );
}

export function resolveSettings(input: {
  flags: SettingFlags;
  env: NodeJS.ProcessEnv;
  profile: Profile | null;
}): ResolvedSettings {
  const { flags, env, profile } = input;
  const envOverrides: ResolvedSettings['envOverrides'] = [];
  const fromProfile = profile ? `profile ${profile.name}` : null;

  function pick<T>(
    setting: string,
    flag: [T | undefined, string],
    envName: string | null,
    profileValue: T | undefined,
    fallback: T,
  ): Resolved<T> {
    if (flag[0] !== undefined) return { value: flag[0], from: 'flag', origin: flag[1] };
    const envValue = envName ? env[envName] : undefined;
    if (envName && nonEmpty(envValue)) {
      if (profileValue !== undefined && bare(String(profileValue)) !== bare(envValue!))
        envOverrides.push({ setting, env: envName });
      return { value: envValue!.trim() as T, from: 'env', origin: envName };
    }
    if (profileValue !== undefined) return { value: profileValue, from: 'profile', origin: fromProfile };
    return { value: fallback, from: 'default', origin: null };
  }

  const profileToken = profile ? profileTokenSource(profile) : null;
  const token: Resolved<TokenSource | null> = nonEmpty(env.WA_ACCESS_TOKEN)
    ? { value: { kind: 'env', name: 'WA_ACCESS_TOKEN' }, from: 'env', origin: 'WA_ACCESS_TOKEN' }
    : profileToken
      ? { value: profileToken, from: 'profile', origin: fromProfile }
      : { value: null, from: 'default', origin: null };
  if (token.from === 'env' && profileToken) envOverrides.push({ setting: 'token', env: 'WA_ACCESS_TOKEN' });

  return {
    phoneNumberId: pick<string | null>(
      'phone number id',
      [flags.phoneNumberId, '--phone-number-id'],
      'WA_PHONE_NUMBER_ID',
      profile?.phoneNumberId,
      null,
    ),
    apiUrl: withoutSlash(
      pick<string>('api url', [flags.apiUrl, '--api-url'], 'WA_API_URL', profile?.apiUrl, SETTING_DEFAULTS.apiUrl),
    ),
    token,
    wabaId: pick<string | null>('waba id', [flags.wabaId, '--waba-id'], 'WA_WABA_ID', profile?.wabaId, null),
    rate: pick<number>('rate', [flags.rate, '--rate'], null, profile?.rate, SETTING_DEFAULTS.rate),
    dailyLimit: pick<number | null>('daily limit', [flags.dailyLimit, '--daily-limit'], null, profile?.dailyLimit, null),
    notify: pick<string | null>('notify', [flags.notify, '--notify'], 'WA_SEND_NOTIFY', profile?.notify, null),
    dedupWindowMs: pick<number>(
      'dedup window',
      [flags.dedupWindowMs, '--dedup-window'],
      null,
      profile?.dedupWindowMs,
      SETTING_DEFAULTS.dedupWindowMs,
    ),
    requireOptin: pick<boolean>(
      'require opt-in',
      [flags.requireOptin, '--require-optin'],
      null,
      profile?.requireOptin,
      SETTING_DEFAULTS.requireOptin,
    ),
    envOverrides,
  };
}

function withoutSlash(r: Resolved<string>): Resolved<string> {
  return { ...r, value: r.value.replace(/\/+$/, '') };
}

/** Values compared for an override: "https://x/" and "https://x" are the same URL. */
const bare = (v: string) => v.trim().replace(/\/+$/, '');

function nonEmpty(v: string | undefined): boolean {
  return v !== undefined && v.trim() !== '';
}
