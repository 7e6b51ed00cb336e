// Webhook events in PostgreSQL: one POST's events stored in one statement, deduplicated by their
// unique key (a retry or fan-out from Meta, or the same POST reaching two receivers behind a load
// balancer, is stored once), committed (synchronous_commit on for the receiver) before the 200.
import type { ApplyResult, DeliveryEvent, LegacyEventReader, NewWebhookEvent } from '../../core/delivery-events.js';
import type { EventStore } from '../../core/journal.js';
import { applyPendingEvents } from './event-apply.js';
import type { PgDb } from './pool.js';

function subjectOf(e: DeliveryEvent | null): string | null {
  if (e === null) return null;
  if (e.kind === 'status') return e.wamid;
  if (e.kind === 'preference') return e.waId;
  return null;
}

export class PgEventStore implements EventStore {
  constructor(
    private readonly db: PgDb,
    /** Resolves once this process's background applier is idle. */
    private readonly backgroundIdle: () => Promise<void> = async () => {},
  ) {}

  async insert(events: readonly NewWebhookEvent[], now: number): Promise<{ inserted: number; duplicates: number }> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    const s = this.db.loc.schema;
    const col = <T>(f: (e: NewWebhookEvent) => T) => events.map(f);
    const status = (e: NewWebhookEvent) => (e.event?.kind === 'status' ? e.event : null);
    const inserted = await this.db.run(
      `INSERT INTO ${s}.webhook_events (dedup_key, kind, wamid, callback_data, subject, payload, event, received_at, applied_at)
       SELECT k, kind, wamid, cb, subject, payload, event, $8::bigint, CASE WHEN event IS NULL THEN $8::bigint END
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         WITH ORDINALITY AS u(k, kind, wamid, cb, subject, payload, event, n)
       ORDER BY n
       ON CONFLICT (dedup_key) DO NOTHING`,
      [
        col((e) => e.dedupKey),
        col((e) => e.event?.kind ?? 'other'),
        col((e) => status(e)?.wamid ?? null),
        col((e) => status(e)?.callbackData ?? null),
        col((e) => subjectOf(e.event)),
        col((e) => e.raw),
        col((e) => (e.event === null ? null : JSON.stringify(e.event))),
        now,
      ],
    );
    return { inserted, duplicates: events.length - inserted };
  }

  async applyPending(now: number): Promise<ApplyResult> {
    await this.backgroundIdle();
    return applyPendingEvents(this.db, now);
  }

  async countPending(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${this.db.loc.schema}.webhook_events WHERE applied_at IS NULL`,
    );
    return row!.n;
  }

  /** Events stored without a domain event (a journal copied from an old SQLite one): read them now. */
  async upgradeLegacy(read: LegacyEventReader): Promise<number> {
    const s = this.db.loc.schema;
    let upgraded = 0;
    let afterId = 0;
    for (;;) {
      const rows = await this.db.query<{ id: number; kind: string; payload: string }>(
        `SELECT id, kind, payload FROM ${s}.webhook_events
         WHERE event IS NULL AND (applied_at IS NULL OR kind = 'user_preference') AND id > $1 ORDER BY id LIMIT 500`,
        [afterId],
      );
      if (rows.length === 0) return upgraded;
      await this.db.tx(async (c) => {
        for (const r of rows) {
          afterId = r.id;
          const event = read(r.kind, r.payload);
          // An event nothing can be done with any more is kept for the record, as done.
          await c.run(
            `UPDATE ${s}.webhook_events SET event = $1, kind = $2, subject = $3, applied_at = CASE WHEN $4 THEN applied_at ELSE $5::bigint END WHERE id = $6`,
            [
              event === null ? null : JSON.stringify(event),
              event?.kind ?? 'other',
              subjectOf(event),
              event !== null,
              Date.now(),
              r.id,
            ],
          );
          upgraded++;
        }
      });
    }
  }
}
