// Row-level export for `status --recipients`: recipients and rejected rows in file order.
import type { Db } from './db.js';

export interface RecipientRow {
  line: number;
  input: string | null;
  phone: string | null;
  state: string;
  attempts: number;
  reason: string | null;
  error_code: number | null;
  error_title: string | null;
  error_detail: string | null;
  wamid: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
  updated_at: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `state` filters; "rejected" selects rows that never became recipients. */
export function* recipientRows(db: Db, broadcastId: string, state?: string): Generator<RecipientRow> {
  const recipients = `SELECT line, input, phone, state, attempts, NULL AS reason, error_code, error_title, error_detail, wamid,
      sent_at, delivered_at, read_at, failed_at, updated_at FROM recipients WHERE broadcast_id = @id`;
  const rejections = `SELECT line, input, NULL, 'rejected', 0, reason, NULL, NULL, detail, NULL, NULL, NULL, NULL, NULL, NULL
      FROM rejections WHERE broadcast_id = @id`;
  const sql = state === 'rejected' ? `${rejections} ORDER BY line`
    : state ? `${recipients} AND state = @state ORDER BY line`
      : `${recipients} UNION ALL ${rejections} ORDER BY line`;
  const rows = db.prepare(sql).iterate({ id: broadcastId, ...(state && state !== 'rejected' ? { state } : {}) }) as Iterable<Record<string, unknown>>;
  for (const r of rows) {
    yield {
      line: r.line as number, input: r.input as string | null, phone: r.phone as string | null, state: r.state as string,
      attempts: r.attempts as number, reason: r.reason as string | null, error_code: r.error_code as number | null,
      error_title: r.error_title as string | null, error_detail: r.error_detail as string | null, wamid: r.wamid as string | null,
      sent_at: iso(r.sent_at as number | null), delivered_at: iso(r.delivered_at as number | null), read_at: iso(r.read_at as number | null),
      failed_at: iso(r.failed_at as number | null), updated_at: iso(r.updated_at as number | null),
    };
  }
}
