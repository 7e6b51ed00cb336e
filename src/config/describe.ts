// What `wa-send profiles` shows of a profile: everything an operator needs to tell numbers apart
// and see where the token comes from, nothing secret. The notify URL is cut to its origin because a
// chat webhook URL carries its own secret in the path.
import { statSync } from 'node:fs';
import { notifyLabel, parseNotifyTarget } from '../notify/target.js';
import { formatDuration } from './duration.js';
import { octal, profileTokenSource } from './token.js';
import type { Profile } from './types.js';

export interface ProfileDescription {
  name: string;
  /** For `profiles --json` (snake_case like the config keys); absent settings are null. */
  json: {
    name: string;
    phone_number_id: string | null;
    waba_id: string | null;
    api_url: string | null;
    token: { env: string } | { file: string; mode: string | null } | null;
    rate: number | null;
    daily_limit: number | null;
    notify: string | null;
    dedup_window: string | null;
    require_optin: boolean | null;
  };
  /** "label: value" lines for the human listing, only for what the profile sets; the token line always. */
  lines: string[];
}

export function describeProfile(profile: Profile): ProfileDescription {
  const source = profileTokenSource(profile);
  const mode = source?.kind === 'file' ? fileMode(source.path) : null;
  const token = source === null ? null : source.kind === 'env' ? { env: source.name } : { file: source.path, mode };
  const notify = profile.notify === undefined ? null : maskNotify(profile.notify);
  const dedup = profile.dedupWindowMs === undefined ? null : formatDuration(profile.dedupWindowMs);
  const lines = [
    ['phone number id', profile.phoneNumberId],
    ['WABA id', profile.wabaId],
    ['API URL', profile.apiUrl],
    ['rate', profile.rate === undefined ? undefined : `${profile.rate} msg/s`],
    ['daily limit', profile.dailyLimit],
    ['notify', notify ?? undefined],
    ['dedup window', dedup ?? undefined],
    ['require opt-in', profile.requireOptin],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  lines.push(tokenLine(source, mode));
  return {
    name: profile.name,
    json: {
      name: profile.name,
      phone_number_id: profile.phoneNumberId ?? null,
      waba_id: profile.wabaId ?? null,
      api_url: profile.apiUrl ?? null,
      token,
      rate: profile.rate ?? null,
      daily_limit: profile.dailyLimit ?? null,
      notify,
      dedup_window: dedup,
      require_optin: profile.requireOptin ?? null,
    },
    lines,
  };
}

function tokenLine(source: ReturnType<typeof profileTokenSource>, mode: string | null): string {
  if (source === null) return 'token: none in the profile (WA_ACCESS_TOKEN is used)';
  if (source.kind === 'env') return `token from $${source.name}`;
  return `token file ${source.path} (${mode ?? 'missing'})`;
}

function fileMode(path: string): string | null {
  try {
    return octal(statSync(path).mode);
  } catch {
    return null;
  }
}

/** "https://hooks.slack.com/services/T000/B000/XXXX" → "https://hooks.slack.com/…"; smtp: host and recipients. */
function maskNotify(url: string): string {
  const target = parseNotifyTarget(url);
  return 'problem' in target ? '(set)' : notifyLabel(target);
}
