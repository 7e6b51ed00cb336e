// DESIGN §3 rule 5: status webhooks form a lattice on each row. Nothing accepted (pending, retry,
// unknown, failed by the API) < sent < failed (after sending) < delivered < read. An event only
// ever raises a row, and timestamps keep the earliest value seen, so the final row depends on which
// events arrived, never on their order or on duplicates.
import type { StatusError, StatusEvent } from '../delivery-events.js';
import { ACCEPTED_STATES, type RecipientState } from '../types.js';

/** What a status event needs to know about its row. */
export interface DeliveryRow {
  state: RecipientState;
  wamid: string | null;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
}

export type StatusEffect =
  /** The request is in flight: the engine records its answer only on a `sending` row. Apply later. */
  | { kind: 'waiting' }
  /** Skipped rows were opted out or cancelled on purpose: the operator's decision stands. */
  | { kind: 'ignored' }
  /** A duplicate or an older status: nothing to change. */
  | { kind: 'unchanged' }
  | { kind: 'failed'; wamid: string; failedAt: number; error: StatusError }
  | {
      kind: 'forward';
      state: RecipientState;
      wamid: string;
      sentAt: number;
      deliveredAt: number | null;
      readAt: number | null;
      /** Moving into sent/delivered/read from a state without acceptance: clear retry schedule and last error. */
      clearError: boolean;
    };

const EVENT_RANK = { sent: 1, failed: 1.5, delivered: 2, read: 3 } as const;
const ACCEPTED = new Set<RecipientState>(ACCEPTED_STATES);

export function rowRank(row: Pick<DeliveryRow, 'state' | 'wamid'>): number {
  if (ACCEPTED.has(row.state)) return EVENT_RANK[row.state as 'sent' | 'delivered' | 'read'];
  // A failed row with a wamid failed after the API accepted it (a webhook said so); without one,
  // the API refused the request, and any status for it proves an earlier attempt got through.
  return row.state === 'failed' && row.wamid !== null ? EVENT_RANK.failed : 0;
}

const minTs = (current: number | null, ts: number): number => (current === null ? ts : Math.min(current, ts));

const NO_ERROR: StatusError = {
  code: null,
  title: 'Failed (no error in the webhook)',
  detail: null,
  errorClass: 'permanent',
};

export function statusEffect(row: DeliveryRow, event: StatusEvent, now: number): StatusEffect {
  if (row.state === 'sending') return { kind: 'waiting' };
  if (row.state === 'skipped') return { kind: 'ignored' };
  const ts = event.timestampMs ?? now;
  const from = rowRank(row);
  const to = EVENT_RANK[event.status];
  const wamid = row.wamid ?? event.wamid;
  if (event.status === 'failed') {
    return to > from ? { kind: 'failed', wamid, failedAt: ts, error: event.error ?? NO_ERROR } : { kind: 'unchanged' };
  }
  const state = to > from ? event.status : row.state;
  const sentAt = minTs(row.sentAt, ts);
  const deliveredAt = to >= EVENT_RANK.delivered ? minTs(row.deliveredAt, ts) : row.deliveredAt;
  const readAt = to >= EVENT_RANK.read ? minTs(row.readAt, ts) : row.readAt;
  const same =
    state === row.state &&
    wamid === row.wamid &&
    sentAt === row.sentAt &&
    deliveredAt === row.deliveredAt &&
    readAt === row.readAt;
  if (same) return { kind: 'unchanged' };
  const clearError = state !== row.state && !ACCEPTED.has(row.state);
  return { kind: 'forward', state, wamid, sentAt, deliveredAt, readAt, clearError };
}
