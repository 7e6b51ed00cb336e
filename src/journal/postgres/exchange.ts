// The engine's exchange in ONE statement, for the common case (answers and claims; nothing to give
// back, no halt): renew the broadcast's lease and the number's, write the answers and the audit
// trail, record 131050 opt-outs, and claim under the leases just checked, atomically, in one round
// trip. The engine does not start requests while an exchange is in flight, so at --rate 1000 a
// round trip saved per statement is throughput; the multi-statement transaction in run-store.ts
// handles the rest.
//
// Data-modifying CTEs all see one snapshot and must not touch a row twice: the answers are for
// rows `sending` or `unknown`, the claims for rows `pending` or `retry`, so they never meet.
import type { ExchangeRequest, ExchangeResult } from '../../core/journal.js';
import type { StoredStatus } from '../../core/types.js';
import { type ClaimedRow, claimCtes, sortClaimed } from './claim.js';
import { numberLeaseSql } from './number-lease.js';
import type { Conn } from './pool.js';
import {
  ATTEMPT_ARRAYS,
  attemptSql,
  OPTOUT_ARRAYS,
  optoutSql,
  placeholders,
  RECORD_ARRAYS,
  recordSql,
  recordValues,
} from './records.js';

const FIRST_RECORD = 8;
const FIRST_ATTEMPT = FIRST_RECORD + RECORD_ARRAYS.length;
const FIRST_OPTOUT = FIRST_ATTEMPT + ATTEMPT_ARRAYS.length;

function exchangeSql(s: string): string {
  const now = '$4::bigint';
  return `WITH lease AS (
      UPDATE ${s}.broadcasts SET lease_expires_at = CASE WHEN lease_owner = $2 THEN $3::bigint ELSE lease_expires_at END
      WHERE id = $1 RETURNING coalesce(lease_owner = $2, false) AS held, status, require_optin
    ), numbered AS (${numberLeaseSql(s, { broadcast: '$1', owner: '$2', sender: '$6', expires: '$3::bigint', now }, '(SELECT held FROM lease)')}
    ), recorded AS (${recordSql(s, { owner: '$2', now, ...placeholders(RECORD_ARRAYS, FIRST_RECORD) })}
    ), audited AS (${attemptSql(s, placeholders(ATTEMPT_ARRAYS, FIRST_ATTEMPT))}
    ), opted AS (${optoutSql(s, { now, ...placeholders(OPTOUT_ARRAYS, FIRST_OPTOUT) })}
    ), ${claimCtes(
      s,
      { broadcast: '$1', owner: '$2', now, limit: '$5::bigint', since: '$7::bigint', optin: '(SELECT require_optin FROM lease)' },
      `(SELECT held AND status = 'open' FROM lease) AND EXISTS (SELECT 1 FROM numbered)`,
    )}
    SELECT l.held AND EXISTS (SELECT 1 FROM numbered) AS held, l.status, c.*,
      (SELECT min(next_attempt_at) FROM ${s}.recipients
       WHERE broadcast_id = $1 AND state = 'retry' AND id NOT IN (SELECT id FROM claimed)) AS next_retry_at,
      (SELECT 1 FROM ${s}.webhook_events WHERE applied_at IS NULL AND event IS NOT NULL ORDER BY id + 0 LIMIT 1) IS NOT NULL AS events_pending
    FROM (SELECT 1) AS one LEFT JOIN lease l ON true LEFT JOIN claimed c ON true`;
}

type Row = Partial<ClaimedRow> & {
  held: boolean | null;
  status: StoredStatus | null;
  next_retry_at: number | null;
  events_pending: boolean;
};

export function canExchangeInOneStatement(x: ExchangeRequest): boolean {
  return x.release.length === 0 && x.requeue.length === 0 && x.halt === null;
}

export interface OneStatementResult extends ExchangeResult {
  /** How many rows a second claim should try (some were skipped). */
  more: number;
  /** Webhook events wait to be applied (checked here: a separate probe per exchange would cost as much as the exchange). */
  eventsPending: boolean;
}

export async function exchangeInOneStatement(c: Conn, s: string, x: ExchangeRequest): Promise<OneStatementResult> {
  const v = recordValues(x.records);
  const rows = await c.rows<Row>(
    exchangeSql(s),
    [
      x.broadcastId,
      x.owner,
      x.now + x.leaseTtlMs,
      x.now,
      x.claim,
      x.sender,
      x.dedupSince,
      ...v.records,
      ...v.attempts,
      ...v.optouts,
    ],
    `wa_exchange_${s}`,
  );
  const first = rows[0]!;
  const leaseHeld = first.held === true;
  const picked = rows.filter((r): r is Row & ClaimedRow => r.id != null);
  const { claimed, skipped } = sortClaimed(x.broadcastId, picked);
  const short = claimed.length < x.claim;
  return {
    leaseHeld,
    status: first.status ?? 'cancelled',
    claimed,
    skipped,
    nextRetryAt: short ? first.next_retry_at : null,
    // Every row asked for was taken but some were skipped: there may be more to claim.
    more: leaseHeld && skipped > 0 && picked.length === x.claim ? x.claim - claimed.length : 0,
    eventsPending: first.events_pending,
  };
}
