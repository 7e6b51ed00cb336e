// Per sending number (a phone number id, or "sandbox"): how close it is to its daily messaging limit,
// whether it is failing now, and what is sending from it. Every series carries the same two labels,
// number and profile, so that `used / limit` and alerts join them without `on()` clauses.
import type { MetricsFacts } from './journal.js';
import type { Sample } from './metrics.js';
import type { BroadcastStatus } from './types.js';

/** A config profile's sending number (core does not read the config file: the CLI hands these over). */
export interface ConfiguredNumber {
  profile: string;
  phoneNumberId: string;
  dailyLimit: number | null;
}

export interface NumberRow {
  number: string;
  profile: string;
  sent5m: number;
  failed5m: number;
  reached24h: number;
  /** From the config file's daily_limit; null: none set for this number. */
  dailyLimit: number | null;
  /** Broadcasts sending from the number now (a live lease). */
  active: number;
}

/**
 * Numbers the journal has sent from, and numbers the config file names (so a configured number's
 * limit shows before its first broadcast). A number's profile is its latest broadcast's, else the
 * first config profile for it, else "".
 */
export function numberRows(
  numbers: MetricsFacts['numbers'],
  statuses: readonly BroadcastStatus[],
  configured: readonly ConfiguredNumber[],
): NumberRow[] {
  const facts = new Map(numbers.map((n) => [n.sender, n]));
  const all = [...new Set([...facts.keys(), ...configured.map((c) => c.phoneNumberId)])].sort();
  return all.map((number) => {
    const n = facts.get(number);
    const profiles = configured.filter((c) => c.phoneNumberId === number);
    const profile = n?.profile ?? profiles[0]?.profile ?? '';
    return {
      number,
      profile,
      sent5m: n?.sent5m ?? 0,
      failed5m: n?.failed5m ?? 0,
      reached24h: n?.reached24h ?? 0,
      dailyLimit: dailyLimitOf(profile, profiles),
      active: statuses.filter((s) => s.sending_number === number && s.state === 'running').length,
    };
  });
}

/** The labelled profile's limit; when it sets none (or is not in the file), the lowest any profile of the number sets. */
function dailyLimitOf(profile: string, profiles: readonly ConfiguredNumber[]): number | null {
  const own = profiles.find((p) => p.profile === profile)?.dailyLimit ?? null;
  if (own !== null) return own;
  const limits = profiles.flatMap((p) => (p.dailyLimit === null ? [] : [p.dailyLimit]));
  return limits.length === 0 ? null : Math.min(...limits);
}

export function numberSamples(
  numbers: MetricsFacts['numbers'],
  statuses: readonly BroadcastStatus[],
  configured: readonly ConfiguredNumber[],
): Sample[] {
  const rows = numberRows(numbers, statuses, configured);
  const limited = rows.filter((r) => r.dailyLimit !== null && r.dailyLimit > 0);
  const series = (name: string, help: string, of: readonly NumberRow[], value: (r: NumberRow) => number): Sample => ({
    name,
    help,
    type: 'gauge',
    labels: ['number', 'profile'],
    values: of.map((r) => ({ labels: { number: r.number, profile: r.profile }, value: value(r) })),
  });
  return [
    series('wa_send_number_sent_5m', 'Messages from this number the API accepted in the last 5 minutes.', rows, (r) => r.sent5m),
    series(
      'wa_send_number_failed_5m',
      'Sends from this number that failed in the last 5 minutes (permanent, payload, halting or unexpected answers; throttling and scheduled retries are not failures).',
      rows,
      (r) => r.failed5m,
    ),
    series(
      'wa_send_number_daily_reached',
      "Distinct recipients this number reached in the last 24 hours (a moving window: what Meta's daily messaging limit counts).",
      rows,
      (r) => r.reached24h,
    ),
    series(
      'wa_send_number_daily_limit',
      'The daily messaging limit the config file sets for this number (daily_limit); absent when none is set.',
      limited,
      (r) => r.dailyLimit!,
    ),
    series(
      'wa_send_number_daily_limit_used_ratio',
      'wa_send_number_daily_reached / wa_send_number_daily_limit: 1 means the limit is reached and runs stop (exit 6) until the window frees room; absent without a limit.',
      limited,
      (r) => r.reached24h / r.dailyLimit!,
    ),
    series('wa_send_active_broadcasts', 'Broadcasts sending from this number now (a live lease).', rows, (r) => r.active),
  ];
}
