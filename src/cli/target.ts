// Where a broadcast goes and with which credentials: flags over environment (after --env-file).
// The token is read here and handed to the client; it is never printed or stored.
import { usageError } from '../core/errors.js';
import type { Target } from '../core/types.js';

export const DEFAULT_API_URL = 'https://graph.facebook.com';
export const DEFAULT_API_VERSION = 'v23.0';

export interface TargetFlags { sandbox?: boolean; apiUrl?: string; phoneNumberId?: string }

export interface Credentials { token: string; apiVersion: string }

/** The target the flags and environment name (credentials are checked separately). */
export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): Target | null {
  if (flags.sandbox) return 'sandbox';
  const apiUrl = (flags.apiUrl ?? env.WA_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const phoneNumberId = flags.phoneNumberId ?? env.WA_PHONE_NUMBER_ID;
  if (!phoneNumberId) return null;
  if (!/^https?:\/\/[^\s/]+/i.test(apiUrl)) throw usageError(`--api-url / WA_API_URL "${apiUrl}" is not an http(s) URL`);
  return { api_url: apiUrl, phone_number_id: phoneNumberId };
}

/** Credentials for a real target; every missing one is named at once. */
export function requireCredentials(target: Target | null, env: NodeJS.ProcessEnv): Credentials {
  const apiVersion = env.WA_API_VERSION?.trim() || DEFAULT_API_VERSION;
  if (target === 'sandbox') return { token: 'sandbox-token', apiVersion };
  const missing = [target === null ? 'WA_PHONE_NUMBER_ID (or --phone-number-id)' : null, env.WA_ACCESS_TOKEN ? null : 'WA_ACCESS_TOKEN']
    .filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw usageError(`missing credentials: set ${missing.join(' and ')}`, 'or add --sandbox to try it against the built-in Cloud API stand-in');
  }
  if (!/^v\d+(\.\d+)?$/.test(apiVersion)) throw usageError(`WA_API_VERSION "${apiVersion}" must look like v23.0`);
  return { token: env.WA_ACCESS_TOKEN!, apiVersion };
}
