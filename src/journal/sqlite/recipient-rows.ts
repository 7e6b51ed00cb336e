// Row-level export for `status --recipients`: recipients and rejected rows in file order. Both
// tables are read in line order through their (broadcast_id, line) indexes and merged here, so the
// first row comes out at once even for a million-row broadcast (a UNION … ORDER BY would sort
// everything first).
import type { RecipientRow } from '../../core/journal.js';
import type { Db } from './db.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type Raw = Record<string, unknown>;

export function* recipientRows(db: Db, broadcastId: string, state?: string): Generator<RecipientRow> {
  const recipients =
    state === 'rejected'
      ? null
      : (db
          .prepare(
            `SELECT line, input, phone, state, attempts, error_code, error_title, error_detail, error_class, wamid,
             sent_at, delivered_at, read_at, failed_at, updated_at FROM recipients
             WHERE broadcast_id = ? ${state ? 'AND state = ?' : ''} ORDER BY line`,
          )
          .iterate(...(state ? [broadcastId, state] : [broadcastId])) as IterableIterator<Raw>);
  const rejections =
    state && state !== 'rejected'
      ? null
      : (db
          .prepare('SELECT line, input, reason, detail FROM rejections WHERE broadcast_id = ? ORDER BY line')
          .iterate(broadcastId) as IterableIterator<Raw>);
  let a = recipients?.next();
  let b = rejections?.next();
  while ((a && !a.done) || (b && !b.done)) {
    const takeA = a && !a.done && (!b || b.done || (a.value.line as number) <= (b.value.line as number));
    if (takeA) {
      yield fromRecipient(a!.value as Raw);
      a = recipients!.next();
    } else {
      yield fromRejection(b!.value as Raw);
      b = rejections!.next();
    }
  }
}

function fromRecipient(r: Raw): RecipientRow {
  return {
    line: r.line as number,
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
    line: r.line as number,
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
