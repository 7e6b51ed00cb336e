// The webhook_events table: every status/inbound/preference event as received, deduplicated by
// key, with applied_at NULL until it has been applied (the partial index keeps "what is left" cheap).
import { perConnection, writeTx, type Db } from './db.js';

export type WebhookEventKind = 'status' | 'inbound' | 'user_preference';

export interface NewWebhookEvent {
  dedupKey: string;
  kind: WebhookEventKind;
  wamid: string | null;
  callbackData: string | null;
  /** The event object as received, as JSON. */
  payload: string;
  /** false: kept for the record only, stored as already applied. */
  needsApply: boolean;
}

export interface StoredWebhookEvent {
  id: number;
  kind: string;
  wamid: string | null;
  callback_data: string | null;
  payload: string;
  received_at: number;
}


function prepare(db: Db) {
  return {
    insert: db.prepare(`INSERT OR IGNORE INTO webhook_events (dedup_key, kind, wamid, callback_data, payload, received_at, applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    anyPending: db.prepare('SELECT 1 FROM webhook_events WHERE applied_at IS NULL LIMIT 1').pluck(),
    // Skips, in SQL, statuses that can only be waiting for their send response to be recorded (no
    // recipient key, a wamid no row has yet, still within the grace period): rescanning them is
    // then nearly free for callers that apply often, like the engine after each group commit.
    page: db.prepare(`SELECT e.id, e.kind, e.wamid, e.callback_data, e.payload, e.received_at FROM webhook_events e
      WHERE e.applied_at IS NULL AND e.id > @afterId
        AND NOT (e.kind = 'status' AND e.callback_data IS NULL AND e.received_at >= @graceStart
                 AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.wamid = e.wamid))
      ORDER BY e.id LIMIT @limit`),
    markApplied: db.prepare('UPDATE webhook_events SET applied_at = ? WHERE id = ? AND applied_at IS NULL'),
    countPending: db.prepare('SELECT count(*) FROM webhook_events WHERE applied_at IS NULL').pluck(),
    // The dedup key of a preference starts with "pref:<wa_id>:", so a key range finds one user's events.
    preferences: db.prepare('SELECT payload FROM webhook_events WHERE dedup_key >= ? AND dedup_key < ?').pluck(),
  };
}

const stmts = perConnection(prepare);

/** Persists one POST's events in one transaction; a key seen before is a duplicate and is skipped. */
export function insertEvents(db: Db, events: readonly NewWebhookEvent[], now: number): { inserted: number; duplicates: number } {
  if (events.length === 0) return { inserted: 0, duplicates: 0 };
  const s = stmts(db);
  const inserted = writeTx(db, () => {
    let n = 0;
    for (const e of events) {
      n += s.insert.run(e.dedupKey, e.kind, e.wamid, e.callbackData, e.payload, now, e.needsApply ? null : now).changes;
    }
    return n;
  });
  return { inserted, duplicates: events.length - inserted };
}

export function hasPendingEvents(db: Db): boolean {
  return stmts(db).anyPending.get() !== undefined;
}

export function countPendingEvents(db: Db): number {
  return stmts(db).countPending.get() as number;
}

/**
 * Unapplied events after `afterId`, oldest first (paging keeps events that still wait from looping),
 * leaving out statuses received since `graceStart` that match no recipient by wamid and carry no key.
 */
export function pendingEventsPage(db: Db, afterId: number, limit: number, graceStart: number): StoredWebhookEvent[] {
  return stmts(db).page.all({ afterId, limit, graceStart }) as StoredWebhookEvent[];
}

export function markEventApplied(db: Db, id: number, now: number): void {
  stmts(db).markApplied.run(now, id);
}

/** Every stored user_preferences payload for one wa_id, applied or not. */
export function preferencePayloadsFor(db: Db, waId: string): string[] {
  return stmts(db).preferences.all(`pref:${waId}:`, `pref:${waId};`) as string[];
}
