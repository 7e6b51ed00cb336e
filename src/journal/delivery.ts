// Applying stored webhook events (DESIGN §3 rule 5). Status events form a lattice on each row:
// nothing accepted (pending, retry, unknown, failed by the API) < sent < failed (after sending) <
// delivered < read. An event only ever raises a row, and timestamps keep the earliest value seen,
// so the final row depends on which events arrived, never on their order or on duplicates.
import { ACCEPTED_STATES, parseRecipientKey } from '../core/types.js';
import { readStatus, waIdToPhones, type StatusUpdate } from '../webhook/wire.js';
import { perConnection, writeTx, type Db } from './db.js';
import { addOptoutsEach, applyInboundOptout, applyUserPreference, type OptoutChange } from './optouts.js';
import { countPendingEvents, hasPendingEvents, markEventApplied, pendingEventsPage, type StoredWebhookEvent } from './webhook-events.js';

/**
 * How long a status that matches no recipient at all waits for its wamid to be recorded. wa-send
 * always sends the recipient key as biz_opaque_callback_data and plans rows before sending, so a
 * status of ours finds its row by that key (and waits while the row is `sending`, however long).
 * Only a status without the key can be ahead of its send response, which is bounded by the HTTP
 * timeout (30 s + 30 s in src/whatsapp/client.ts). Anything else is another tool's message on the
 * same number: kept for the record, marked done, no longer rescanned.
 */
export const UNMATCHED_GRACE_MS = 5 * 60_000;
const PAGE_SIZE = 500;

export type StatusOutcome = 'applied' | 'waiting' | 'unmatched' | 'ignored';

export interface ApplyResult {
  applied: number;
  waiting: number;
  ignored: number;
  optouts: OptoutChange[];
  /** Events that could not be applied because of an error; they stay pending (first few messages). */
  errors: string[];
}

interface Row {
  id: number; broadcast_id: string; phone: string; state: string; wamid: string | null;
  sent_at: number | null; delivered_at: number | null; read_at: number | null;
}

function prepare(db: Db) {
  const cols = 'id, broadcast_id, phone, state, wamid, sent_at, delivered_at, read_at';
  return {
    byWamid: db.prepare(`SELECT ${cols} FROM recipients WHERE wamid = ? LIMIT 1`),
    byKey: db.prepare(`SELECT ${cols} FROM recipients WHERE broadcast_id = ? AND phone = ?`),
    forward: db.prepare(`UPDATE recipients SET state = @state, wamid = @wamid, sent_at = @sentAt, delivered_at = @deliveredAt,
      read_at = @readAt, next_attempt_at = CASE WHEN @clear THEN NULL ELSE next_attempt_at END,
      error_code = CASE WHEN @clear THEN NULL ELSE error_code END, error_title = CASE WHEN @clear THEN NULL ELSE error_title END,
      error_detail = CASE WHEN @clear THEN NULL ELSE error_detail END, error_class = CASE WHEN @clear THEN NULL ELSE error_class END,
      failed_at = CASE WHEN @clear THEN NULL ELSE failed_at END, updated_at = @now WHERE id = @id`),
    failed: db.prepare(`UPDATE recipients SET state = 'failed', wamid = ?, failed_at = ?, next_attempt_at = NULL,
      error_code = ?, error_title = ?, error_detail = ?, error_class = ?, updated_at = ? WHERE id = ?`),
  };
}
const stmts = perConnection(prepare);

const EVENT_RANK = { sent: 1, failed: 1.5, delivered: 2, read: 3 } as const;
const ACCEPTED = new Set<string>(ACCEPTED_STATES);

function rowRank(row: Row): number {
  if (ACCEPTED.has(row.state)) return EVENT_RANK[row.state as 'sent' | 'delivered' | 'read'];
  // A failed row with a wamid failed after the API accepted it (a webhook said so); without one,
  // the API refused the request, and any status for it proves an earlier attempt got through.
  return row.state === 'failed' && row.wamid !== null ? EVENT_RANK.failed : 0;
}

const minTs = (current: number | null, ts: number): number => (current === null ? ts : Math.min(current, ts));

export function findRecipient(db: Db, wamid: string | null, callbackData: string | null): Row | undefined {
  const s = stmts(db);
  const byWamid = wamid ? (s.byWamid.get(wamid) as Row | undefined) : undefined;
  if (byWamid) return byWamid;
  const key = callbackData ? parseRecipientKey(callbackData) : null;
  return key ? (s.byKey.get(key.broadcastId, key.phone) as Row | undefined) : undefined;
}

/** Applies one status; `waiting` while its row is `sending`, `unmatched` when no row is known yet. */
export function applyStatus(db: Db, st: StatusUpdate, now: number, row = findRecipient(db, st.wamid, st.callbackData)): StatusOutcome {
  if (!row) return 'unmatched';
  // The request is in flight: the engine records its answer only on a `sending` row, so touching
  // it now would lose that answer. The event is applied once the row leaves `sending`.
  if (row.state === 'sending') return 'waiting';
  // Skipped rows were opted out or cancelled on purpose; the operator's decision stands.
  if (row.state === 'skipped') return 'ignored';
  const s = stmts(db);
  const ts = st.timestampMs ?? now;
  const from = rowRank(row);
  const to = EVENT_RANK[st.status];
  const wamid = row.wamid ?? st.wamid;
  if (st.status === 'failed') {
    if (to > from) {
      const e = st.error;
      s.failed.run(wamid, ts, e?.code ?? null, e?.title ?? 'Failed (no error in the webhook)', e?.detail ?? null, e?.errorClass ?? 'permanent', now, row.id);
    }
    return 'applied';
  }
  const state = to > from ? st.status : row.state;
  const sentAt = minTs(row.sent_at, ts);
  const deliveredAt = to >= EVENT_RANK.delivered ? minTs(row.delivered_at, ts) : row.delivered_at;
  const readAt = to >= EVENT_RANK.read ? minTs(row.read_at, ts) : row.read_at;
  if (state === row.state && wamid === row.wamid && sentAt === row.sent_at && deliveredAt === row.delivered_at && readAt === row.read_at) {
    return 'applied'; // a duplicate or an older status: nothing to change
  }
  // Moving into sent/delivered/read from anything else (no acceptance yet, or failed): clear the
  // retry schedule and the last error, as the engine does on a 200.
  const clear = state !== row.state && !ACCEPTED.has(row.state) ? 1 : 0;
  s.forward.run({ state, wamid, sentAt, deliveredAt, readAt, clear, now, id: row.id });
  return 'applied';
}

/**
 * Applies every stored event that can be applied now. Cheap when nothing is pending (one probe of
 * the partial index). Events waiting for a `sending` row stay pending and are retried on the next call.
 */
export function applyPendingEvents(db: Db, now: number = Date.now()): ApplyResult {
  const result: ApplyResult = { applied: 0, waiting: 0, ignored: 0, optouts: [], errors: [] };
  if (!hasPendingEvents(db)) return result;
  let afterId = 0;
  let more = true;
  while (more) {
    more = writeTx(db, () => {
      const page = pendingEventsPage(db, afterId, PAGE_SIZE, now - UNMATCHED_GRACE_MS);
      for (const event of page) {
        afterId = event.id;
        let outcome: ReturnType<typeof applyEvent>;
        try {
          outcome = applyEvent(db, event, now, result.optouts);
        } catch (err) {
          // One bad event must not stop the engine's run or the receiver: it stays pending, reported.
          if (result.errors.length < 5) result.errors.push(`event ${event.id}: ${(err as Error).message}`);
          continue;
        }
        if (outcome === 'waiting') continue;
        markEventApplied(db, event.id, now);
        result[outcome]++;
      }
      return page.length === PAGE_SIZE;
    });
  }
  result.waiting = countPendingEvents(db); // whatever is left waits, including what the page query skipped
  return result;
}

function applyEvent(db: Db, event: StoredWebhookEvent, now: number, optouts: OptoutChange[]): 'applied' | 'waiting' | 'ignored' {
  let payload: unknown;
  try {
    payload = JSON.parse(event.payload);
  } catch {
    return 'ignored';
  }
  if (event.kind === 'inbound') { optouts.push(...applyInboundOptout(db, payload, now)); return 'applied'; }
  if (event.kind === 'user_preference') { optouts.push(...applyUserPreference(db, payload, now)); return 'applied'; }
  const st = event.kind === 'status' ? readStatus(payload) : null;
  if (!st) return 'ignored';
  const row = findRecipient(db, st.wamid, st.callbackData);
  const outcome = applyStatus(db, st, now, row);
  if (st.status === 'failed' && st.error?.code === 131050) recordStoppedMarketing(db, st, row, now, optouts);
  if (outcome !== 'unmatched') return outcome;
  return now - event.received_at > UNMATCHED_GRACE_MS ? 'ignored' : 'waiting';
}

/** An async 131050: the user stopped marketing messages; suppress them like a sync one. */
function recordStoppedMarketing(db: Db, st: StatusUpdate, row: Row | undefined, now: number, optouts: OptoutChange[]): void {
  const phones = new Set([...(row ? [row.phone] : []), ...(st.recipientId ? waIdToPhones(st.recipientId) : [])]);
  optouts.push(...addOptoutsEach(db, phones, 'error_131050', st.error?.title ?? null, now));
}
