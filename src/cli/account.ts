// Which number a command sends from and with what: the profile (--profile, WA_SEND_PROFILE, else the
// one a broadcast was planned with), then flags > environment > profile > default for each setting
// (src/config/resolve.ts), the target, and the credentials. The token is read here and handed to the
// client; it is never printed or stored.
import {
  type Profile,
  type Resolved,
  type ResolvedSettings,
  readToken,
  resolveProfileName,
  resolveSettings,
  selectProfile,
} from '../config/index.js';
import { usageError } from '../core/errors.js';
import type { BroadcastRecord, Target } from '../core/types.js';
import type { Context } from './context.js';
import { note } from './io.js';
import { type Credentials, DEFAULT_API_VERSION, type TargetFlags, tokenProblem, validateApiUrl } from './target.js';

export interface AccountFlags extends TargetFlags {
  rate?: number;
  dailyLimit?: number;
  notify?: string;
  dedupWindow?: number;
  requireOptin?: boolean;
  wabaId?: string;
}

export interface Account {
  profile: Profile | null;
  settings: ResolvedSettings;
  /** The sandbox, a real number, or null when nothing names a phone number id. */
  target: Target | null;
  /** Named on the command line (--sandbox, --api-url, --phone-number-id, --profile), not only by the environment. */
  explicit: boolean;
}

/** For a command, or for continuing `planned` (whose profile is used when the command names none). */
export function resolveAccount(ctx: Context, flags: AccountFlags, planned?: BroadcastRecord): Account {
  let name: Resolved<string | null> = resolveProfileName(
    ctx.globals.profile !== undefined ? { profile: ctx.globals.profile } : {},
    ctx.env,
  );
  if (name.value === null && planned?.profile) {
    if (ctx.config().profiles.has(planned.profile))
      name = { value: planned.profile, from: 'profile', origin: `broadcast ${planned.id}` };
    else note(ctx.io, `Broadcast ${planned.id} was planned with profile ${planned.profile}, which the config no longer has.`);
  }
  const profile = name.value === null ? null : selectProfile(ctx.config(), name);
  const settings = resolveSettings({
    flags: {
      ...(flags.phoneNumberId !== undefined && { phoneNumberId: flags.phoneNumberId }),
      ...(flags.apiUrl !== undefined && { apiUrl: flags.apiUrl }),
      ...(flags.wabaId !== undefined && { wabaId: flags.wabaId }),
      ...(flags.rate !== undefined && { rate: flags.rate }),
      ...(flags.dailyLimit !== undefined && { dailyLimit: flags.dailyLimit }),
      ...(flags.notify !== undefined && { notify: flags.notify }),
      ...(flags.dedupWindow !== undefined && { dedupWindowMs: flags.dedupWindow }),
      ...(flags.requireOptin && { requireOptin: true }),
    },
    env: ctx.env,
    profile,
  });
  const explicit =
    Boolean(flags.sandbox) || flags.apiUrl !== undefined || flags.phoneNumberId !== undefined || name.from === 'flag';
  return { profile, settings, target: targetOf(flags, settings), explicit };
}

function targetOf(flags: TargetFlags, settings: ResolvedSettings): Target | null {
  if (flags.sandbox) return 'sandbox';
  const id = settings.phoneNumberId.value;
  if (id === null || id === '') return null;
  return { api_url: validateApiUrl(settings.apiUrl.value, settings.apiUrl.origin ?? 'the default API URL'), phone_number_id: id };
}

/** Once per command: an environment value that replaced a different value of the chosen profile. */
export function warnEnvOverrides(ctx: Context, account: Account): void {
  if (!account.profile) return;
  for (const o of account.settings.envOverrides) {
    note(ctx.io, `Warning: ${o.env} from the environment replaces the ${o.setting} of profile ${account.profile.name}.`);
  }
}

/** Credentials for `target`; every missing one is named at once. The sandbox needs none. */
export function credentialsFor(ctx: Context, account: Account, target: Target | null): Credentials {
  const apiVersion = ctx.env.WA_API_VERSION?.trim() || DEFAULT_API_VERSION;
  if (!/^v\d+(\.\d+)?$/.test(apiVersion)) throw usageError(`WA_API_VERSION "${apiVersion}" must look like v23.0`);
  if (target === 'sandbox') return { token: 'sandbox-token', apiVersion };
  const source = account.settings.token.value;
  const missing = [
    target === null ? 'WA_PHONE_NUMBER_ID (or --phone-number-id, or a profile)' : null,
    source === null ? 'WA_ACCESS_TOKEN (or a profile with token_env or token_file)' : null,
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw usageError(
      `missing credentials: set ${missing.join(' and ')}`,
      'or add --sandbox to try it against the built-in Cloud API stand-in',
    );
  }
  const owner = account.settings.token.from === 'profile' ? `profile ${account.profile!.name}` : 'WA_ACCESS_TOKEN';
  // An environment token is checked as it is (a CRLF env file must be named, not silently trimmed).
  const raw = source!.kind === 'env' ? ctx.env[source!.name] : undefined;
  const token = raw !== undefined && raw.trim() !== '' ? raw : readToken(source!, ctx.env, owner);
  const problem = tokenProblem(token);
  const where = source!.kind === 'env' ? source!.name : `the token in ${source!.path}`;
  if (problem !== null) throw usageError(`${where} ${problem}`);
  return { token, apiVersion };
}
