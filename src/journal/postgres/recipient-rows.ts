// Row-level export for `status --recipients`: recipients and rejected rows in file order, read a
// page at a time through their (broadcast_id, line) indexes and merged here, so memory stays flat
// and the first row comes out at once even for a million-row broadcast.
import type { RecipientRow } from '../../core/journal.js';
import { fromRecipient, fromRejection, RECIPIENT_ROW_COLUMNS } from '../shared/recipient-row.js';
import type { PgDb } from './pool.js';

const PAGE = 5000;

type Raw = Record<string, unknown> & { line: number };

export async function* recipientRows(db: PgDb, broadcastId: string, state?: string): AsyncGenerator<RecipientRow> {
  const s = db.loc.schema;
  const recipients =
    state === 'rejected'
      ? null
      : pages(
          db,
          `SELECT ${RECIPIENT_ROW_COLUMNS} FROM ${s}.recipients
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
