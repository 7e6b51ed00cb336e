// Row-level export for `status --recipients`: recipients and rejected rows in file order, read a
// page at a time through their (broadcast_id, line) indexes and merged here, so memory stays flat
// and the first row comes out at once even for a million-row broadcast.
import type { RecipientRow } from '../../core/journal.js';
import type { PgDb } from './pool.js';

const PAGE = 5000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type Raw = Record<string, unknown> & { line: number };

export async function* recipientRows(db: PgDb, broadcastId: string, state?: string): AsyncGenerator<RecipientRow> {
  const s = db.loc.schema;
  const recipients =
    state === 'rejected'
      ? null
      : pages(
          db,
          `SELECT line, input, phone, state, attempts, error_code, error_title, error_detail, error_class, wamid,
          sent_at, delivered_at, read_at, failed_at, updated_at FROM ${s}.recipients
          WHERE broadcast_id = $1 AND line > $2 ${state ? 'AND state = $4' : ''} ORDER BY line LIMIT $3`,
          state ? [broadcastId, state] : [broadcastId],
        );
  const rejections =
    state && state !== 'rejected'
      ? null
      : pages(
          db,
          `SELECT line, input, reason, detail FROM ${s}.rejections WHERE broadcast_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
          [broadcastId],
        );
  let a = await recipients?.next();
  let b = await rejections?.next();
  while ((a && !a.done) || (b && !b.done)) {
    if (a && !a.done && (!b || b.done || a.value.line <= b.value.line)) {
      yield fromRecipient(a.value);
      a = await recipients!.next();
    } else if (b && !b.done) {
      yield fromRejection(b.value);
      b = await rejections!.next();
    }
  }
}

/** Rows of a keyset query ($2: after this line, $3: page size; extra parameters from $4). */
async function* pages(db: PgDb, sql: string, params: unknown[]): AsyncGenerator<Raw> {
  const [first, ...rest] = params;
  let after = -1;
  for (;;) {
    const rows = await db.query<Raw>(sql, [first, after, PAGE, ...rest]);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.line;
  }
}

function fromRecipient(r: Raw): RecipientRow {
  return {
    line: r.line,
    input: r.input as string | null,
    phone: r.phone as string | null,
    state: r.state as RecipientRow['state'],
    attempts: r.attempts as number,
    reason: null,
    error_code: r.error_code as number | null,
    error_title: r.error_title as string | null,
    error_detail: r.error_detail as string | null,
    error_class: r.error_class as string | null,
    wamid: r.wamid as string | null,
    sent_at: iso(r.sent_at as number | null),
    delivered_at: iso(r.delivered_at as number | null),
    read_at: iso(r.read_at as number | null),
    failed_at: iso(r.failed_at as number | null),
    updated_at: iso(r.updated_at as number | null),
  };
}

function fromRejection(r: Raw): RecipientRow {
  return {
    line: r.line,
    input: r.input as string | null,
    phone: null,
    state: 'rejected',
    attempts: 0,
    reason: r.reason as string,
    error_code: null,
    error_title: null,
    error_detail: r.detail as string | null,
    error_class: null,
    wamid: null,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    updated_at: null,
  };
}
