// What `wa-send report` renders: plain aggregates the data layer computes from the journal, so the
// HTML renderer (src/report) is a pure function of these values and a 1,000,000-recipient broadcast
// costs no more to draw than a small one. The helpers below are pure too: they are what the data
// layer needs to fill these types (masking, latency statistics, wording) and have no I/O.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { BroadcastState } from './types.js';

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Ascending upper bounds; a value v is counted in the first bucket with v <= upToMs. */
  histogram: { upToMs: number; count: number }[];
}

export interface BroadcastReportData {
  generatedAt: string;
  broadcast: {
    id: string;
    name: string | null;
    state: BroadcastState;
    reason: string | null;
    message: { kind: 'template'; name: string; language: string } | { kind: 'other'; type: string };
    sendingNumber: string;
    createdAt: string;
    firstSendAt: string | null;
    lastSendAt: string | null;
    durationS: number | null;
    continueCommand: string | null;
    sourceFile: string | null;
  };
  funnel: {
    rowsRead: number;
    recipients: number;
    accepted: number;
    delivered: number;
    read: number;
    failed: number;
    skipped: number;
    unknown: number;
    open: number;
    rejections: Record<string, number>;
  };
  timeline: {
    bucketS: number;
    points: { t: number; started: number; accepted: number; throttled: number; errors: number }[];
    rate: number | null;
    runs: { startedAt: number; endedAt: number | null; mode: string; rate: number; outcome: string; reason: string | null }[];
    halts: { at: number; reason: string }[];
  };
  latency: { acceptedToDelivered: LatencyStats | null; deliveredToRead: LatencyStats | null };
  errors: {
    code: number | null;
    title: string;
    action: string;
    count: number;
    examples: { phone: string; line: number; detail: string | null }[];
  }[];
  rejections: { reason: string; count: number; examples: { line: number; input: string; detail: string | null }[] }[];
  countries: { country: string; name: string; recipients: number; accepted: number; delivered: number; failed: number }[];
}

export interface JournalReportData {
  generatedAt: string;
  since: string;
  broadcasts: {
    id: string;
    name: string | null;
    state: BroadcastState;
    createdAt: string;
    sendingNumber: string;
    recipients: number;
    accepted: number;
    delivered: number;
    read: number;
    failed: number;
  }[];
  perDay: { day: string; sendingNumber: string; accepted: number; failed: number }[];
  ratesOverTime: { day: string; accepted: number; delivered: number; read: number }[];
  topErrors: { code: number | null; title: string; action: string; count: number }[];
}

const MASK = '•••';

/**
 * "+1 415 ••• 4567": enough to recognise a number you already know, not enough to message it.
 * Keeps the country code, the first group of the international format and the last 4 digits; the
 * first group is dropped too when keeping it would leave fewer than 3 digits hidden. Anything that
 * is not a possible number keeps its first 3 and last 2 characters (nothing when that is all of it).
 */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.isPossible()) {
    const chars = Array.from(e164);
    return chars.length <= 5 ? MASK : `${chars.slice(0, 3).join('')}${MASK}${chars.slice(-2).join('')}`;
  }
  const national = String(parsed.nationalNumber);
  const [cc = `+${parsed.countryCallingCode}`, first = '', ...rest] = parsed.formatInternational().split(' ');
  const keepLast = national.length > 6 ? 4 : 2;
  const last = national.slice(-keepLast);
  const firstDigits = first.replace(/\D/g, '');
  if (rest.length > 0 && national.length - firstDigits.length - keepLast >= 3) return `${cc} ${first} ${MASK} ${last}`;
  return `${cc} ${MASK} ${last}`;
}

/** ISO 3166 code of a number's country, "??" when libphonenumber cannot tell (e.g. +800). */
export function countryOfPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.country ?? '??';
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

export function countryName(iso: string): string {
  if (!/^[A-Z]{2}$/.test(iso)) return 'Unknown country';
  return regionNames.of(iso) ?? iso;
}

/** Upper bounds of the latency histogram: receipts take from a second to days to arrive. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 21_600_000, 86_400_000,
];

/** Nearest-rank percentile (p in 0..100) of an ascending array; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/**
 * Counts per bound; values above the last bound go into one more bucket whose bound is the maximum,
 * so every value is counted and the last bar is labelled with a real figure rather than "∞".
 */
export function histogramOf(sorted: readonly number[], bounds: readonly number[] = LATENCY_BOUNDS_MS): LatencyStats['histogram'] {
  const out = bounds.map((upToMs) => ({ upToMs, count: 0 }));
  let i = 0;
  for (const v of sorted) {
    while (i < out.length && v > out[i]!.upToMs) i++;
    if (i === out.length) out.push({ upToMs: sorted[sorted.length - 1]!, count: 0 });
    out[i]!.count++;
  }
  // Trailing empty buckets say nothing and widen the chart; leading ones place the first bar.
  while (out.length > 1 && out[out.length - 1]!.count === 0) out.pop();
  return out;
}

/** Latency statistics of raw durations (milliseconds, any order); null when there are none. */
export function latencyStats(valuesMs: readonly number[], bounds: readonly number[] = LATENCY_BOUNDS_MS): LatencyStats | null {
  if (valuesMs.length === 0) return null;
  const sorted = Float64Array.from(valuesMs).sort();
  const arr = Array.from(sorted);
  return {
    count: arr.length,
    p50Ms: percentile(arr, 50),
    p90Ms: percentile(arr, 90),
    p99Ms: percentile(arr, 99),
    maxMs: arr[arr.length - 1]!,
    histogram: histogramOf(arr, bounds),
  };
}

/**
 * Percentile read off a histogram (when SQL grouped the durations instead of returning them):
 * linear interpolation inside the bucket that holds the rank, so an estimate, never above maxMs.
 */
export function percentileFromHistogram(histogram: LatencyStats['histogram'], p: number, maxMs: number): number {
  const total = histogram.reduce((n, b) => n + b.count, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  let lower = 0;
  for (const b of histogram) {
    if (seen + b.count >= rank) return Math.min(maxMs, lower + ((rank - seen) / b.count) * (b.upToMs - lower));
    seen += b.count;
    lower = b.upToMs;
  }
  return maxMs;
}

const STATE_MEANINGS: Record<BroadcastState, string> = {
  planned: 'planned, nothing sent yet; start it with resume',
  running: 'a wa-send process is sending it right now',
  paused: 'stopped with work left (interrupted, or retries waiting); resume continues where it stopped',
  halted: 'a run-wide error stopped it; fix the cause, then resume',
  completed: 'every recipient that could be sent to was accepted by the API',
  partial: 'finished, but some recipients failed permanently or are unknown; see the errors below',
  failed: 'finished without a single message accepted',
  cancelled: 'cancelled; the rows not yet sent were skipped',
};

export function stateMeaning(state: BroadcastState): string {
  return STATE_MEANINGS[state];
}

// What an operator should do about each Cloud API error code (FACTS §3, "wa-send action", put as
// advice). Titles live with the wire format in src/whatsapp/error-codes.ts; this is the next step.
const RENEW_TOKEN = 'Get a new access token (a system-user token does not expire), then resume the broadcast.';
const PERMISSIONS = 'Give the token whatsapp_business_messaging permission for this number, then resume.';
const ACCOUNT =
  'The account or number is blocked by Meta: check WhatsApp Manager (account status, billing), fix it, then resume.';
const FIX_PAYLOAD = 'The message does not match the API or the template: fix the message flags, then retry-failed --all-errors.';
const FIX_TEMPLATE = 'Check the template in WhatsApp Manager (name, language, approval, quality), then resume.';
const RETRIED = 'Temporary: wa-send retries it on its own; what is left is retried by retry-failed.';
const SLOWER = 'Throughput limit: wa-send slowed down and retried these; if frequent, lower --rate.';
const ACTIONS: Readonly<Record<number, string>> = {
  0: RENEW_TOKEN,
  190: RENEW_TOKEN,
  1: RETRIED,
  2: RETRIED,
  131000: RETRIED,
  131016: RETRIED,
  133004: RETRIED,
  3: PERMISSIONS,
  10: PERMISSIONS,
  200: PERMISSIONS,
  131005: PERMISSIONS,
  4: SLOWER,
  80007: SLOWER,
  130429: SLOWER,
  33: 'The business phone number was deleted: send from another number.',
  368: ACCOUNT,
  131031: ACCOUNT,
  131042: ACCOUNT,
  131045: ACCOUNT,
  133010: ACCOUNT,
  133000: ACCOUNT,
  134011: ACCOUNT,
  131037: 'Get the display name of this number approved in WhatsApp Manager, then resume.',
  100: FIX_PAYLOAD,
  131008: FIX_PAYLOAD,
  131009: FIX_PAYLOAD,
  132000: FIX_PAYLOAD,
  132012: FIX_PAYLOAD,
  132005: FIX_PAYLOAD,
  135000: FIX_PAYLOAD,
  131051: FIX_PAYLOAD,
  131053: 'The media could not be fetched or is the wrong type or size: fix the media, then retry-failed --all-errors.',
  130403: 'You blocked this user: unblock them first, or leave them out.',
  130472: 'Meta held this user out of a marketing experiment: nothing to do, do not resend.',
  130497: 'Your account may not message users in this country: leave these numbers out.',
  131021: 'The recipient is the sending number itself: remove it from the list.',
  131026: 'Not deliverable (not on WhatsApp, an old app, or terms not accepted): reach these people another way; do not resend.',
  131047: 'More than 24 h since the user wrote: send a template instead of free text.',
  131048:
    'Too many of your messages were blocked or reported as spam: check quality in WhatsApp Manager and wait before sending again.',
  131049: 'Meta limits marketing messages per user: wait at least 24 h before retry-failed.',
  131050: 'The user stopped your marketing messages: recorded as an opt-out; never resend.',
  131056: 'Too many messages to the same person too fast: wa-send retries them later; spread sends to one person out.',
  131057: 'The number was in maintenance (a throughput upgrade): retried after a minute; resume if anything is left.',
  131063: 'Marketing messages are off for this account on the Cloud API: turn them on, or send a utility template.',
  131064: 'Messaging is limited for template-category violations: wait for the enforcement period to end.',
  132001: FIX_TEMPLATE,
  132007: FIX_TEMPLATE,
  132015: FIX_TEMPLATE,
  132016: 'The template is disabled for good: create a new one and send a new broadcast.',
  132068: 'The flow is blocked: fix it in WhatsApp Manager, then resume.',
  132069: 'The flow may be sent 10 times an hour: resume after an hour.',
};

export function errorAction(code: number | null): string {
  if (code === null) return 'No error code: see the detail; retry-failed resends these if they were transient.';
  const known = ACTIONS[code] ?? (code >= 200 && code <= 299 ? ACTIONS[200] : undefined);
  return known ?? "Not an error wa-send knows: look the code up in Meta's error-code list and see the detail.";
}
