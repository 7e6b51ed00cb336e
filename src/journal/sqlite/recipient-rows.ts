// Row-level export for `status --recipients`: recipients and rejected rows in file order. Both
// tables are read in line order through their (broadcast_id, line) indexes and merged here, so the
// first row comes out at once even for a million-row broadcast (a UNION … ORDER BY would sort
// everything first).
import type { RecipientRow } from '../../core/journal.js';
import { fromRecipient, fromRejection, RECIPIENT_ROW_COLUMNS } from '../shared/recipient-row.js';
import type { Db } from './db.js';

type Raw = Record<string, unknown>;

export function* recipientRows(db: Db, broadcastId: string, state?: string): Generator<RecipientRow> {
  const recipients =
    state === 'rejected'
      ? null
      : (db
          .prepare(
            `SELECT ${RECIPIENT_ROW_COLUMNS} FROM recipients WHERE broadcast_id = ? ${state ? 'AND state = ?' : ''} ORDER BY line`,
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
