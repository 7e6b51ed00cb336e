// Applying stored webhook events to recipients and the suppression list (DESIGN §3 rule 5) with the
// rules of src/core/rules, a page at a time: the page's events are locked (SKIP LOCKED: several
// receivers and runners apply side by side without doing the same work), the rows they name are
// read FOR UPDATE in one query, the events are applied in order in memory, and each changed row is
// written once.
import type { ApplyResult, DeliveryEvent, OptoutChange, PreferenceEvent, StatusEvent } from '../../core/delivery-events.js';
import { statusEffect } from '../../core/rules/delivery.js';
import { latestPreference, PREFERENCE_SOURCE } from '../../core/rules/preferences.js';
import { parseRecipientKey, type RecipientState } from '../../core/types.js';
import { addOptoutsEach, removePhones } from './optout-store.js';
import type { Conn, PgDb } from './pool.js';

/** See the SQLite event store: how long a status matching no recipient waits for its wamid. */
export const UNMATCHED_GRACE_MS = 5 * 60_000;
const PAGE_SIZE = 500;

interface Row {
  id: number;
  broadcast_id: string;
  phone: string;
  state: RecipientState;
  wamid: string | null;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  next_attempt_at: number | null;
  error_code: number | null;
  error_title: string | null;
  error_detail: string | null;
  error_class: string | null;
  dirty?: boolean;
}

interface Stored {
  id: number;
  event: string;
  received_at: number;
}

const ROW_COLUMNS = `id, broadcast_id, phone, state, wamid, sent_at, delivered_at, read_at, failed_at, next_attempt_at,
  error_code, error_title, error_detail, error_class`;

export async function applyPendingEvents(db: PgDb, now: number): Promise<ApplyResult> {
  const s = db.loc.schema;
  const result: ApplyResult = { applied: 0, waiting: 0, ignored: 0, optouts: [], errors: [] };
  // id + 0: through webhook_events_pending, never past the applied events (see migrations.ts).
  const [any] = await db.query(
    `SELECT 1 FROM ${s}.webhook_events WHERE applied_at IS NULL AND event IS NOT NULL ORDER BY id + 0 LIMIT 1`,
    [],
    `wa_events_any_${s}`,
  );
  if (any === undefined) return result;
  let afterId = 0;
  for (;;) {
    const page = await db.tx((c) => applyPage(c, s, afterId, now, result));
    if (page.size < PAGE_SIZE) break;
    afterId = page.lastId;
  }
  const [pending] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${s}.webhook_events WHERE applied_at IS NULL`);
  result.waiting = pending!.n;
  return result;
}

async function applyPage(c: Conn, s: string, afterId: number, now: number, result: ApplyResult) {
  // Skips, in SQL, statuses that can only be waiting for their send response (no recipient key, a
  // wamid no row has yet, within the grace period): rescanning them is then nearly free.
  const page = await c.rows<Stored>(
    `SELECT e.id, e.event, e.received_at FROM ${s}.webhook_events e
     WHERE e.applied_at IS NULL AND e.event IS NOT NULL AND e.id + 0 > $1
       AND NOT (e.kind = 'status' AND e.callback_data IS NULL AND e.received_at >= $2
                AND NOT EXISTS (SELECT 1 FROM ${s}.recipients r WHERE r.wamid = e.wamid))
     ORDER BY e.id + 0 LIMIT $3 FOR UPDATE OF e SKIP LOCKED`,
    [afterId, now - UNMATCHED_GRACE_MS, PAGE_SIZE],
  );
  const events: { stored: Stored; event: DeliveryEvent | null }[] = page.map((stored) => {
    try {
      return { stored, event: JSON.parse(stored.event) as DeliveryEvent };
    } catch (err) {
      if (result.errors.length < 5) result.errors.push(`event ${stored.id}: ${(err as Error).message}`);
      return { stored, event: null };
    }
  });
  const rows = await rowsFor(
    c,
    s,
    events.flatMap((e) => (e.event?.kind === 'status' ? [e.event] : [])),
  );
  const done: number[] = [];
  for (const { stored, event } of events) {
    if (event === null) continue;
    let outcome: 'applied' | 'waiting' | 'ignored';
    try {
      outcome = await applyOne(c, s, rows, stored, event, now, result.optouts);
    } catch (err) {
      // One bad event must not stop a run or the receiver: it stays pending, reported.
      if (result.errors.length < 5) result.errors.push(`event ${stored.id}: ${(err as Error).message}`);
      continue;
    }
    if (outcome === 'waiting') continue;
    done.push(stored.id);
    result[outcome]++;
  }
  await writeRows(
    c,
    s,
    [...new Set(rows.byId.values())].filter((r) => r.dirty),
    now,
  );
  if (done.length > 0)
    await c.run(`UPDATE ${s}.webhook_events SET applied_at = $1 WHERE id = ANY($2::bigint[]) AND applied_at IS NULL`, [
      now,
      done,
    ]);
  return { size: page.length, lastId: page.at(-1)?.id ?? afterId };
}

interface RowIndex {
  byId: Map<number, Row>;
  byWamid: Map<string, Row>;
  byKey: Map<string, Row>;
}

/** Every row the page's statuses can name, by wamid or by recipient key, locked in id order. */
async function rowsFor(c: Conn, s: string, statuses: StatusEvent[]): Promise<RowIndex> {
  const index: RowIndex = { byId: new Map(), byWamid: new Map(), byKey: new Map() };
  if (statuses.length === 0) return index;
  const keys = statuses.flatMap((e) => {
    const k = e.callbackData ? parseRecipientKey(e.callbackData) : null;
    return k ? [k] : [];
  });
  const rows = await c.rows<Row>(
    `SELECT ${ROW_COLUMNS} FROM ${s}.recipients
     WHERE wamid = ANY($1::text[])
        OR (broadcast_id, phone) IN (SELECT * FROM unnest($2::text[], $3::text[]))
     ORDER BY id FOR UPDATE`,
    [statuses.map((e) => e.wamid), keys.map((k) => k.broadcastId), keys.map((k) => k.phone)],
  );
  for (const r of rows) {
    index.byId.set(r.id, r);
    index.byKey.set(`${r.broadcast_id}:${r.phone}`, r);
    // Two rows can carry one wamid only in a journal written by hand; the first wins, as in SQLite's LIMIT 1.
    if (r.wamid !== null && !index.byWamid.has(r.wamid)) index.byWamid.set(r.wamid, r);
  }
  return index;
}

async function applyOne(
  c: Conn,
  s: string,
  rows: RowIndex,
  stored: Stored,
  event: DeliveryEvent,
  now: number,
  optouts: OptoutChange[],
) {
  if (event.kind === 'inbound_optout') {
    optouts.push(...(await addOptoutsEach(c, s, event.phones, 'inbound_keyword', event.text, now)));
    return 'applied';
  }
  if (event.kind === 'preference') {
    optouts.push(...(await applyPreference(c, s, event, now)));
    return 'applied';
  }
  const key = event.callbackData ? parseRecipientKey(event.callbackData) : null;
  const row = rows.byWamid.get(event.wamid) ?? (key ? rows.byKey.get(`${key.broadcastId}:${key.phone}`) : undefined);
  const outcome = row ? applyStatus(rows, row, event, now) : 'unmatched';
  if (event.status === 'failed' && event.error?.code === 131050) {
    const phones = new Set([...(row ? [row.phone] : []), ...event.recipientPhones]);
    optouts.push(...(await addOptoutsEach(c, s, phones, 'error_131050', event.error.title, now)));
  }
  if (outcome !== 'unmatched') return outcome;
  return now - stored.received_at > UNMATCHED_GRACE_MS ? 'ignored' : 'waiting';
}

/** Applies the core rule to the row in memory; later events of the page see the result. */
function applyStatus(rows: RowIndex, row: Row, e: StatusEvent, now: number): 'applied' | 'waiting' | 'ignored' {
  const effect = statusEffect(
    { state: row.state, wamid: row.wamid, sentAt: row.sent_at, deliveredAt: row.delivered_at, readAt: row.read_at },
    e,
    now,
  );
  switch (effect.kind) {
    case 'waiting':
    case 'ignored':
      return effect.kind;
    case 'unchanged':
      return 'applied';
    case 'failed': {
      const err = effect.error;
      Object.assign(row, {
        state: 'failed',
        wamid: effect.wamid,
        failed_at: effect.failedAt,
        next_attempt_at: null,
        error_code: err.code,
        error_title: err.title,
        error_detail: err.detail,
        error_class: err.errorClass,
      });
      break;
    }
    case 'forward':
      Object.assign(row, {
        state: effect.state,
        wamid: effect.wamid,
        sent_at: effect.sentAt,
        delivered_at: effect.deliveredAt,
        read_at: effect.readAt,
      });
      if (effect.clearError) {
        Object.assign(row, {
          next_attempt_at: null,
          error_code: null,
          error_title: null,
          error_detail: null,
          error_class: null,
          failed_at: null,
        });
      }
      break;
  }
  row.dirty = true;
  if (row.wamid !== null && !rows.byWamid.has(row.wamid)) rows.byWamid.set(row.wamid, row);
  return 'applied';
}

async function writeRows(c: Conn, s: string, rows: Row[], now: number): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof Row>(k: K) => rows.map((r) => r[k]);
  await c.run(
    `UPDATE ${s}.recipients r SET state = v.state, wamid = v.wamid, sent_at = v.sent_at, delivered_at = v.delivered_at,
       read_at = v.read_at, failed_at = v.failed_at, next_attempt_at = v.next_attempt_at, error_code = v.error_code,
       error_title = v.error_title, error_detail = v.error_detail, error_class = v.error_class, updated_at = $1
     FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[],
                 $10::int[], $11::text[], $12::text[], $13::text[])
       AS v(id, state, wamid, sent_at, delivered_at, read_at, failed_at, next_attempt_at, error_code, error_title, error_detail, error_class)
     WHERE r.id = v.id`,
    [
      now,
      col('id'),
      col('state'),
      col('wamid'),
      col('sent_at'),
      col('delivered_at'),
      col('read_at'),
      col('failed_at'),
      col('next_attempt_at'),
      col('error_code'),
      col('error_title'),
      col('error_detail'),
      col('error_class'),
    ],
  );
}

/** The user's newest preference over every stored event for them decides (src/core/rules/preferences). */
async function applyPreference(c: Conn, s: string, event: PreferenceEvent, now: number): Promise<OptoutChange[]> {
  const stored = await c.rows<{ event: string }>(
    `SELECT event FROM ${s}.webhook_events WHERE kind = 'preference' AND subject = $1 AND event IS NOT NULL`,
    [event.waId],
  );
  const latest = latestPreference([event, ...stored.map((r) => JSON.parse(r.event) as PreferenceEvent)]) ?? event;
  if (latest.value === 'stop') return addOptoutsEach(c, s, event.phones, PREFERENCE_SOURCE, latest.detail, now);
  const lifted: OptoutChange[] = [];
  for (const phone of event.phones) {
    if ((await removePhones(c, s, 'optouts', [phone], PREFERENCE_SOURCE)) > 0)
      lifted.push({ phone, source: PREFERENCE_SOURCE, lifted: true });
  }
  return lifted;
}
