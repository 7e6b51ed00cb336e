// Webhook events in SQLite: stored as received (deduplicated by key, synced before the receiver's
// 200), then applied to recipients and the suppression list with the rules of src/core/rules.
import type {
  ApplyResult,
  DeliveryEvent,
  LegacyEventReader,
  NewWebhookEvent,
  OptoutChange,
  PreferenceEvent,
  StatusEvent,
} from '../../core/delivery-events.js';
import type { EventStore } from '../../core/journal.js';
import { type DeliveryRow, statusEffect } from '../../core/rules/delivery.js';
import { latestPreference, PREFERENCE_SOURCE } from '../../core/rules/preferences.js';
import { parseRecipientKey, type RecipientState } from '../../core/types.js';
import { type Db, perConnection, writeTx } from './db.js';
import type { JournalFile } from './journal-file.js';
import { addOptoutsEach, removeOptouts } from './optout-store.js';

/**
 * How long a status that matches no recipient at all waits for its wamid to be recorded. wa-send
 * always sends the recipient key as biz_opaque_callback_data and plans rows before sending, so a
 * status of ours finds its row by that key (and waits while the row is `sending`, however long).
 * Only a status without the key can be ahead of its send response, which is bounded by the HTTP
 * timeout. Anything else is another tool's message on the same number: kept, marked done.
 */
export const UNMATCHED_GRACE_MS = 5 * 60_000;
const PAGE_SIZE = 500;

interface Row extends DeliveryRow {
  id: number;
  broadcast_id: string;
  phone: string;
}

interface Stored {
  id: number;
  event: string;
  received_at: number;
}

const stmts = perConnection((db) => {
  const cols = `id, broadcast_id, phone, state, wamid, sent_at AS sentAt, delivered_at AS deliveredAt, read_at AS readAt`;
  return {
    insert: db.prepare(`INSERT OR IGNORE INTO webhook_events
      (dedup_key, kind, wamid, callback_data, subject, payload, event, received_at, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    anyPending: db.prepare('SELECT 1 FROM webhook_events WHERE applied_at IS NULL AND event IS NOT NULL LIMIT 1').pluck(),
    countPending: db.prepare('SELECT count(*) FROM webhook_events WHERE applied_at IS NULL').pluck(),
    // Skips, in SQL, statuses that can only be waiting for their send response to be recorded (no
    // recipient key, a wamid no row has yet, still within the grace period): rescanning them is
    // then nearly free for callers that apply often, like a run after each commit.
    page: db.prepare(`SELECT e.id, e.event, e.received_at FROM webhook_events e
      WHERE e.applied_at IS NULL AND e.event IS NOT NULL AND e.id > @afterId
        AND NOT (e.kind = 'status' AND e.callback_data IS NULL AND e.received_at >= @graceStart
                 AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.wamid = e.wamid))
      ORDER BY e.id LIMIT @limit`),
    markApplied: db.prepare('UPDATE webhook_events SET applied_at = ? WHERE id = ? AND applied_at IS NULL'),
    preferences: db
      .prepare("SELECT event FROM webhook_events WHERE kind = 'preference' AND subject = ? AND event IS NOT NULL")
      .pluck(),
    byWamid: db.prepare(`SELECT ${cols} FROM recipients WHERE wamid = ? LIMIT 1`),
    byKey: db.prepare(`SELECT ${cols} FROM recipients WHERE broadcast_id = ? AND phone = ?`),
    forward: db.prepare(`UPDATE recipients SET state = @state, wamid = @wamid, sent_at = @sentAt, delivered_at = @deliveredAt,
      read_at = @readAt, next_attempt_at = CASE WHEN @clear THEN NULL ELSE next_attempt_at END,
      error_code = CASE WHEN @clear THEN NULL ELSE error_code END, error_title = CASE WHEN @clear THEN NULL ELSE error_title END,
      error_detail = CASE WHEN @clear THEN NULL ELSE error_detail END, error_class = CASE WHEN @clear THEN NULL ELSE error_class END,
      failed_at = CASE WHEN @clear THEN NULL ELSE failed_at END, updated_at = @now WHERE id = @id`),
    failed: db.prepare(`UPDATE recipients SET state = 'failed', wamid = ?, failed_at = ?, next_attempt_at = NULL,
      error_code = ?, error_title = ?, error_detail = ?, error_class = ?, updated_at = ? WHERE id = ?`),
    legacy: db.prepare(`SELECT id, kind, payload FROM webhook_events
      WHERE event IS NULL AND (applied_at IS NULL OR kind = 'user_preference') AND id > ? ORDER BY id LIMIT 500`),
    setEvent: db.prepare(
      'UPDATE webhook_events SET event = ?, kind = ?, subject = ?, applied_at = CASE WHEN ? THEN applied_at ELSE ? END WHERE id = ?',
    ),
  };
});

function subjectOf(e: DeliveryEvent | null): string | null {
  if (e === null) return null;
  if (e.kind === 'status') return e.wamid;
  if (e.kind === 'preference') return e.waId;
  return null;
}

export function insertEvents(db: Db, events: readonly NewWebhookEvent[], now: number): number {
  const s = stmts(db);
  return writeTx(db, () => {
    let n = 0;
    for (const { dedupKey, event, raw } of events) {
      const status = event?.kind === 'status' ? event : null;
      n += s.insert.run(
        dedupKey,
        event?.kind ?? 'other',
        status?.wamid ?? null,
        status?.callbackData ?? null,
        subjectOf(event),
        raw,
        event === null ? null : JSON.stringify(event),
        now,
        event === null ? now : null,
      ).changes;
    }
    return n;
  });
}

/**
 * Applies every stored event that can be applied now. Cheap when nothing is pending (one probe of
 * the partial index). Events waiting for a `sending` row stay pending and are retried next call.
 */
export function applyPendingEvents(db: Db, now: number): ApplyResult {
  const result: ApplyResult = { applied: 0, waiting: 0, ignored: 0, optouts: [], errors: [] };
  const s = stmts(db);
  if (s.anyPending.get() === undefined) return result;
  let afterId = 0;
  let more = true;
  while (more) {
    more = writeTx(db, () => {
      const page = s.page.all({ afterId, limit: PAGE_SIZE, graceStart: now - UNMATCHED_GRACE_MS }) as Stored[];
      for (const stored of page) {
        afterId = stored.id;
        let outcome: 'applied' | 'waiting' | 'ignored';
        try {
          outcome = applyOne(db, stored, now, result.optouts);
        } catch (err) {
          // One bad event must not stop a run or the receiver: it stays pending, reported.
          if (result.errors.length < 5) result.errors.push(`event ${stored.id}: ${(err as Error).message}`);
          continue;
        }
        if (outcome === 'waiting') continue;
        s.markApplied.run(now, stored.id);
        result[outcome]++;
      }
      return page.length === PAGE_SIZE;
    });
  }
  result.waiting = s.countPending.get() as number;
  return result;
}

function applyOne(db: Db, stored: Stored, now: number, optouts: OptoutChange[]): 'applied' | 'waiting' | 'ignored' {
  const event = JSON.parse(stored.event) as DeliveryEvent;
  if (event.kind === 'inbound_optout') {
    optouts.push(...addOptoutsEach(db, event.phones, 'inbound_keyword', event.text, now));
    return 'applied';
  }
  if (event.kind === 'preference') {
    optouts.push(...applyPreference(db, event, now));
    return 'applied';
  }
  const row = findRecipient(db, event);
  const outcome = row ? applyStatus(db, row, event, now) : 'unmatched';
  if (event.status === 'failed' && event.error?.code === 131050) {
    const phones = new Set([...(row ? [row.phone] : []), ...event.recipientPhones]);
    optouts.push(...addOptoutsEach(db, phones, 'error_131050', event.error.title, now));
  }
  if (outcome !== 'unmatched') return outcome;
  return now - stored.received_at > UNMATCHED_GRACE_MS ? 'ignored' : 'waiting';
}

function findRecipient(db: Db, e: StatusEvent): Row | undefined {
  const s = stmts(db);
  const byWamid = s.byWamid.get(e.wamid) as Row | undefined;
  if (byWamid) return byWamid;
  const key = e.callbackData ? parseRecipientKey(e.callbackData) : null;
  return key ? (s.byKey.get(key.broadcastId, key.phone) as Row | undefined) : undefined;
}

function applyStatus(db: Db, row: Row, e: StatusEvent, now: number): 'applied' | 'waiting' | 'ignored' {
  const s = stmts(db);
  const effect = statusEffect({ ...row, state: row.state as RecipientState }, e, now);
  switch (effect.kind) {
    case 'waiting':
    case 'ignored':
      return effect.kind;
    case 'unchanged':
      return 'applied';
    case 'failed': {
      const err = effect.error;
      s.failed.run(effect.wamid, effect.failedAt, err.code, err.title, err.detail, err.errorClass, now, row.id);
      return 'applied';
    }
    case 'forward': {
      const { state, wamid, sentAt, deliveredAt, readAt } = effect;
      s.forward.run({ state, wamid, sentAt, deliveredAt, readAt, clear: effect.clearError ? 1 : 0, now, id: row.id });
      return 'applied';
    }
  }
}

/** The user's newest preference over every stored event for them decides (src/core/rules/preferences). */
function applyPreference(db: Db, event: PreferenceEvent, now: number): OptoutChange[] {
  const all = (stmts(db).preferences.all(event.waId) as string[]).map((j) => JSON.parse(j) as PreferenceEvent);
  const latest = latestPreference([event, ...all]) ?? event;
  if (latest.value === 'stop') return addOptoutsEach(db, event.phones, PREFERENCE_SOURCE, latest.detail, now);
  return event.phones
    .filter((phone) => removeOptouts(db, [phone], PREFERENCE_SOURCE) > 0)
    .map((phone) => ({ phone, source: PREFERENCE_SOURCE, lifted: true as const }));
}

export class SqliteEventStore implements EventStore {
  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
  ) {}

  async insert(events: readonly NewWebhookEvent[], now: number): Promise<{ inserted: number; duplicates: number }> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    const inserted = this.file.run(() => insertEvents(this.db, events, now));
    return { inserted, duplicates: events.length - inserted };
  }

  async applyPending(now: number): Promise<ApplyResult> {
    return this.file.run(() => applyPendingEvents(this.db, now));
  }

  async countPending(): Promise<number> {
    return this.file.run(() => stmts(this.db).countPending.get() as number);
  }

  async upgradeLegacy(read: LegacyEventReader): Promise<number> {
    const s = stmts(this.db);
    let upgraded = 0;
    let afterId = 0;
    for (;;) {
      const rows = this.file.run(() => s.legacy.all(afterId) as { id: number; kind: string; payload: string }[]);
      if (rows.length === 0) return upgraded;
      this.file.run(() =>
        writeTx(this.db, () => {
          for (const r of rows) {
            afterId = r.id;
            const event = read(r.kind, r.payload);
            // An event nothing can be done with any more is kept for the record, as done.
            s.setEvent.run(
              event === null ? null : JSON.stringify(event),
              event?.kind ?? 'other',
              subjectOf(event),
              event === null ? 0 : 1,
              Date.now(),
              r.id,
            );
            upgraded++;
          }
        }),
      );
    }
  }
}
