// Domain types shared by every layer. Nothing here knows about SQLite, HTTP or argv.

export const RECIPIENT_STATES = [
  'pending',
  'sending',
  'retry',
  'sent',
  'delivered',
  'read',
  'failed',
  'unknown',
  'skipped',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** States in which the API has accepted the message (HTTP 200 or a status webhook said so). */
export const ACCEPTED_STATES: readonly RecipientState[] = ['sent', 'delivered', 'read'];

export const BROADCAST_STATES = [
  'planned',
  'running',
  'paused',
  'halted',
  'completed',
  'partial',
  'failed',
  'cancelled',
] as const;
export type BroadcastState = (typeof BROADCAST_STATES)[number];

/** Reasons a CSV row never became a recipient. Every one appears (with zero) in status JSON. */
export const REJECTION_REASONS = [
  'invalid_number',
  'duplicate',
  'missing_phone',
  'missing_value',
  'value_too_long',
  'malformed_row',
  'opted_out',
  'already_sent',
  'no_optin',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Where a broadcast is sent. Frozen at plan time: a broadcast is never sent to another target. */
export type Target = 'sandbox' | { api_url: string; phone_number_id: string };

export function targetLabel(target: Target): string {
  return target === 'sandbox' ? 'sandbox' : `${target.api_url} (phone number id ${target.phone_number_id})`;
}

/** Meta's Graph API: the Cloud API's base URL unless the flags, the environment or a profile name another. */
export const META_API_URL = 'https://graph.facebook.com';

export function sameTarget(a: Target, b: Target): boolean {
  if (a === 'sandbox' || b === 'sandbox') return a === b;
  return a.api_url.replace(/\/+$/, '') === b.api_url.replace(/\/+$/, '') && a.phone_number_id === b.phone_number_id;
}

/**
 * The frozen message: a Cloud API message object without `to`, whose strings may hold `{{column}}`
 * placeholders, plus the (lower-cased) columns those placeholders use. Rendering a recipient is
 * "replace placeholders with the recipient's frozen values and add `to`".
 */
export interface MessageSpec {
  message: Record<string, unknown>;
  columns: string[];
}

/** One recipient as the engine needs it to build and send its request. */
export interface RecipientToSend {
  id: number;
  broadcastId: string;
  phone: string;
  vars: Record<string, string>;
  attempts: number;
  /** Sent as biz_opaque_callback_data so a webhook can find the row even without a wamid. */
  recipientKey: string;
  /** 131056 answers this row had before (its next pair-rate wait is 4^hits seconds). */
  pairRateHits: number;
}

export function recipientKey(broadcastId: string, phone: string): string {
  return `${broadcastId}:${phone}`;
}

export function parseRecipientKey(key: string): { broadcastId: string; phone: string } | null {
  const at = key.lastIndexOf(':');
  if (at <= 0) return null;
  const phone = key.slice(at + 1);
  if (!/^\+\d{6,16}$/.test(phone)) return null;
  return { broadcastId: key.slice(0, at), phone };
}

export type StateCounts = Record<RecipientState, number>;
export type RejectionCounts = Record<RejectionReason, number> & Record<string, number>;

export interface ErrorCount {
  code: number;
  title: string;
  count: number;
}

export interface DeliverySummary {
  /** Accepted by the API, then reported failed by a webhook. */
  failed: number;
  delivered: number;
  read: number;
  delivered_rate: number | null;
  read_rate: number | null;
}

/** The status object of DESIGN §11 (contract: field names keep their meaning), and wa-send's extras. */
export interface BroadcastStatus {
  id: string;
  name: string | null;
  key: string;
  state: BroadcastState;
  reason: string | null;
  created_at: string;
  target: Target;
  recipients: number;
  counts: StateCounts;
  rejections: RejectionCounts;
  /** Error codes of failed rows, most frequent first. */
  errors: ErrorCount[];
  rows_read: number;
  source_file: string | null;
  /** Messages the API took (a wamid came back), including those whose delivery failed later. */
  accepted: number;
  /** Failed before the API took them: these decide exit 3. */
  send_failed: number;
  delivery: DeliverySummary;
  next_retry_at: string | null;
  /** When failed 131049 rows (not retried within 24 h) become eligible for retry-failed. */
  deferred_until: string | null;
  /** When the last run ended. */
  last_run_at: string | null;
  /** The number it sends from (phone number id, or "sandbox"), and the profile it was planned with. */
  sending_number: string;
  profile: string | null;
  /** How the last run ended: its mode, outcome (done, halted, daily_limit, …) and reason. */
  last_run: { mode: string; outcome: string | null; reason: string | null; ended_at: string | null } | null;
}

/** A broadcast as stored: its frozen plan and the few facts kept on it (the rest is derived from rows). */
export interface BroadcastRecord {
  id: string;
  key: string;
  name: string | null;
  target: Target;
  spec: MessageSpec;
  sourceFile: string | null;
  sourceSha256: string | null;
  rowsRead: number;
  createdAt: number;
  /** The sending number: the phone number id, or "sandbox". */
  sender: string;
  /** The profile the broadcast was planned with, if any. */
  profile: string | null;
  /** Rows need a recorded opt-in (--require-optin): checked again just before each send. */
  requireOptin: boolean;
  status: StoredStatus;
  reason: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

export type StoredStatus = 'open' | 'halted' | 'cancelled';

export function zeroStateCounts(): StateCounts {
  return Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as StateCounts;
}

export function zeroRejectionCounts(): RejectionCounts {
  return Object.fromEntries(REJECTION_REASONS.map((r) => [r, 0])) as RejectionCounts;
}
