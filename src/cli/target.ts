// Where a broadcast goes and with which credentials: flags over environment (after --env-file).
// The token is read here and handed to the client; it is never printed or stored. Values that can
// only fail (a URL undici cannot use, a token with a line break) are usage errors before planning:
// a plan that no request can carry helps nobody, and finding out on the first request is exit 1.
import { usageError } from '../core/errors.js';
import { META_API_URL, type Target } from '../core/types.js';

export const DEFAULT_API_URL = META_API_URL;
export const DEFAULT_API_VERSION = 'v23.0';

export interface TargetFlags {
  sandbox?: boolean;
  apiUrl?: string;
  phoneNumberId?: string;
}

export interface Credentials {
  token: string;
  apiVersion: string;
}

/** The target the flags and environment name (credentials are checked separately). */
export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): Target | null {
  if (flags.sandbox) return 'sandbox';
  const apiUrl =
    flags.apiUrl !== undefined
      ? validateApiUrl(flags.apiUrl, '--api-url')
      : env.WA_API_URL !== undefined
        ? validateApiUrl(env.WA_API_URL, 'WA_API_URL')
        : DEFAULT_API_URL;
  const phoneNumberId = flags.phoneNumberId ?? env.WA_PHONE_NUMBER_ID;
  if (!phoneNumberId) return null;
  return { api_url: apiUrl, phone_number_id: phoneNumberId };
}

/**
 * Checks an API base URL and returns it without trailing slashes. `source` names where it came from
 * (`--api-url`, `WA_API_URL`, a profile's key). A path prefix (a proxy's /graph) is fine: the client
 * appends /{version}/{phone number id}/messages to it. The URL is shown with any user:password and
 * query masked, since those are where a secret would sit.
 */
export function validateApiUrl(value: string, source: string): string {
  const problem = apiUrlProblem(value);
  if (problem !== null) throw usageError(`${source} ${JSON.stringify(masked(value))} ${problem}`);
  return value.replace(/\/+$/, '');
}

/** What is wrong with a URL, phrased to follow it ("… is not a valid URL"), or null. */
function apiUrlProblem(value: string): string | null {
  if (/[\s\0-\x1f\x7f]/.test(value)) return 'contains a space or a control character';
  const authority = /^https?:\/\/([^/?#]*)/i.exec(value)?.[1];
  if (authority === undefined) return 'must be an http:// or https:// URL';
  // undici sends neither to the server: they would be silently dropped.
  if (authority.includes('@')) return 'must not contain a user name or password (the token goes in WA_ACCESS_TOKEN)';
  if (authority === '') return 'has no host name';
  // WHATWG URL says only "Invalid URL" for a port past 65535; undici would fail on port 0.
  const port = /^(?:\[[^\]]*\]|[^:]*):(\d+)$/.exec(authority)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `has port ${port}, out of range (1–65535)`;
  if (!URL.canParse(value)) return 'is not a valid URL';
  if (/[?#]/.test(value))
    return 'must not have a ?query or #fragment: wa-send appends /<version>/<phone number id>/messages to it';
  return null;
}

function masked(url: string): string {
  return url.replace(/^([^/?#]*\/\/)[^/?#]*@/, '$1…@').replace(/([?#])[\s\S]*$/, '$1…');
}

/** Credentials for a real target; every missing one is named at once. */
export function requireCredentials(target: Target | null, env: NodeJS.ProcessEnv): Credentials {
  const apiVersion = env.WA_API_VERSION?.trim() || DEFAULT_API_VERSION;
  if (target === 'sandbox') return { token: 'sandbox-token', apiVersion };
  const missing = [
    target === null ? 'WA_PHONE_NUMBER_ID (or --phone-number-id)' : null,
    env.WA_ACCESS_TOKEN ? null : 'WA_ACCESS_TOKEN',
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw usageError(
      `missing credentials: set ${missing.join(' and ')}`,
      'or add --sandbox to try it against the built-in Cloud API stand-in',
    );
  }
  const token = env.WA_ACCESS_TOKEN!;
  const problem = tokenProblem(token);
  if (problem !== null) throw usageError(`WA_ACCESS_TOKEN ${problem}`);
  if (!/^v\d+(\.\d+)?$/.test(apiVersion)) throw usageError(`WA_API_VERSION "${apiVersion}" must look like v23.0`);
  return { token, apiVersion };
}

/**
 * Why a token can only fail, or null. A bearer token is printable ASCII (RFC 6750); anything else was
 * picked up on the way (a copy-paste, a CRLF env file) and would fail every request, or make undici
 * refuse the header. The token itself is never shown: error lines end up in cron mail and logs.
 */
export function tokenProblem(token: string): string | null {
  if (token.trim() !== token)
    return 'starts or ends with a space or a line break (a copy-paste, or an env file saved with CRLF?): remove it';
  if (/[\r\n]/.test(token)) return 'contains a line break';
  if (token.includes('\0')) return 'contains a NUL character';
  if (/[\x00-\x1f\x7f]/.test(token)) return 'contains a control character';
  if (/\s/.test(token)) return 'contains a space';
  if (/[^\x21-\x7e]/.test(token))
    return 'contains a character that is not printable ASCII (a token is letters, digits and - . _ ~ + / =)';
  return null;
}
