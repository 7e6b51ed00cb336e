// The status object of DESIGN §11, computed from the rows (never from counters that could drift).
import { acceptedCount, deriveState } from '../core/broadcast-state.js';
import {
  RECIPIENT_STATES, zeroRejectionCounts, zeroStateCounts, type BroadcastStatus, type ErrorCount, type RecipientState, type StateCounts,
} from '../core/types.js';
import { errorTitle } from '../whatsapp/error-codes.js';
import { leaseIsLive, type BroadcastRow, type OwnerAlive } from './broadcasts.js';
import { perConnection, type Db } from './db.js';

const stmts = perConnection((db) => ({
  stateCounts: db.prepare('SELECT state, count(*) AS n FROM recipients WHERE broadcast_id = ? GROUP BY state'),
  nextRetry: db.prepare("SELECT min(next_attempt_at) FROM recipients WHERE broadcast_id = ? AND state = 'retry'").pluck(),
}));

/** Recipients of a broadcast by state (every state present, 0 when none). */
export function stateCounts(db: Db, broadcastId: string): StateCounts {
  const counts = zeroStateCounts();
  for (const r of stmts(db).stateCounts.all(broadcastId) as { state: RecipientState; n: number }[]) {
    if (RECIPIENT_STATES.includes(r.state)) counts[r.state] = r.n;
  }
  return counts;
}

/** When the earliest scheduled retry is due (Unix ms), or null when none is scheduled. */
export function nextRetryAtMs(db: Db, broadcastId: string): number | null {
  return stmts(db).nextRetry.get(broadcastId) as number | null;
}

export function broadcastStatus(db: Db, b: BroadcastRow, now: number, ownerAlive: OwnerAlive): BroadcastStatus {
  const counts = stateCounts(db, b.id);
  const recipients = RECIPIENT_STATES.reduce((n, s) => n + counts[s], 0);
  const rejections = zeroRejectionCounts();
  const rej = db.prepare('SELECT reason, count(*) AS n FROM rejections WHERE broadcast_id = ? GROUP BY reason').all(b.id) as { reason: string; n: number }[];
  for (const r of rej) rejections[r.reason] = r.n;
  const attempted = counts.pending !== recipients
    || Boolean(db.prepare("SELECT 1 FROM recipients WHERE broadcast_id = ? AND (attempts > 0 OR error_code IS NOT NULL) LIMIT 1").get(b.id));
  const failedUnaccepted = counts.failed === 0 ? 0
    : db.prepare("SELECT count(*) FROM recipients WHERE broadcast_id = ? AND state = 'failed' AND wamid IS NULL").pluck().get(b.id) as number;
  const state = deriveState({ stored: b.status, leaseLive: leaseIsLive(b, now, ownerAlive), counts, attempted, failedUnaccepted });
  const deliveryFailed = counts.failed - failedUnaccepted;
  const accepted = acceptedCount(counts, failedUnaccepted);
  const delivered = counts.delivered + counts.read;
  return {
    id: b.id,
    name: b.name,
    key: b.key,
    state,
    reason: b.reason,
    created_at: new Date(b.createdAt).toISOString(),
    target: b.target,
    recipients,
    counts,
    rejections,
    errors: topErrors(db, b.id),
    rows_read: b.rowsRead,
    source_file: b.sourceFile,
    accepted,
    send_failed: failedUnaccepted,
    delivery: {
      failed: deliveryFailed,
      delivered,
      read: counts.read,
      delivered_rate: accepted === 0 ? null : round(delivered / accepted),
      read_rate: accepted === 0 ? null : round(counts.read / accepted),
    },
    next_retry_at: nextRetryAt(db, b.id),
  };
}

/** Error codes of rows that are not (yet) accepted, most frequent first. */
function topErrors(db: Db, id: string): ErrorCount[] {
  const rows = db.prepare(`SELECT error_code AS code, max(error_title) AS title, count(*) AS count FROM recipients
    WHERE broadcast_id = ? AND error_code IS NOT NULL AND state NOT IN ('sent', 'delivered', 'read')
    GROUP BY error_code ORDER BY count DESC, error_code LIMIT 20`).all(id) as ErrorCount[];
  return rows.map((r) => ({ code: r.code, title: r.title ?? errorTitle(r.code), count: r.count }));
}

function nextRetryAt(db: Db, id: string): string | null {
  const at = nextRetryAtMs(db, id);
  return at === null ? null : new Date(at).toISOString();
}

const round = (x: number) => Math.round(x * 10000) / 10000;
