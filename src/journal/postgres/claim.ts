// Claiming rows (DESIGN §3 rule 2): due retries first, then plan order, each row durably `sending`
// (attempts + 1, claimed by us) before the engine may send it. FOR UPDATE SKIP LOCKED lets another
// runner's transaction pass instead of waiting; a phone on the suppression list now (a receiver on
// another host may have just added it) becomes `skipped` instead, in the same statement.
// Pending rows are read in the order id + 0: see recipients_pending in migrations.ts.
import { type RecipientToSend, recipientKey } from '../../core/types.js';
import type { Conn } from './pool.js';
import type { Params } from './records.js';

export interface ClaimedRow {
  id: number;
  phone: string;
  vars: string | null;
  attempts: number;
  pair_rate_hits: number;
  skipped: boolean;
  due_rank: number;
  due_key: number;
}

/**
 * The CTEs `due`, `fresh` and `claimed` (RETURNING ClaimedRow columns), claiming only while
 * `gate` (an SQL condition) holds.
 */
export function claimCtes(s: string, p: Params<'broadcast' | 'owner' | 'now' | 'limit'>, gate = 'true'): string {
  return `due AS MATERIALIZED (
      SELECT id, phone, 0 AS due_rank, next_attempt_at AS due_key FROM ${s}.recipients
      WHERE broadcast_id = ${p.broadcast} AND state = 'retry' AND next_attempt_at <= ${p.now} AND ${gate}
      ORDER BY next_attempt_at LIMIT ${p.limit} FOR UPDATE SKIP LOCKED
    ), fresh AS MATERIALIZED (
      SELECT id, phone, 1 AS due_rank, id AS due_key FROM ${s}.recipients
      WHERE broadcast_id = ${p.broadcast} AND state = 'pending' AND next_attempt_at IS NULL AND ${gate}
      ORDER BY id + 0 LIMIT ${p.limit} - (SELECT count(*) FROM due) FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE ${s}.recipients r SET
        state = CASE WHEN o.phone IS NULL THEN 'sending' ELSE 'skipped' END,
        attempts = CASE WHEN o.phone IS NULL THEN r.attempts + 1 ELSE r.attempts END,
        claimed_by = CASE WHEN o.phone IS NULL THEN ${p.owner} ELSE r.claimed_by END,
        error_class = CASE WHEN o.phone IS NULL THEN r.error_class ELSE 'opted_out' END,
        error_detail = CASE WHEN o.phone IS NULL THEN r.error_detail ELSE 'opted out after planning' END,
        next_attempt_at = CASE WHEN o.phone IS NULL THEN r.next_attempt_at END,
        updated_at = ${p.now}
      FROM (SELECT * FROM due UNION ALL SELECT * FROM fresh) p LEFT JOIN ${s}.optouts o ON o.phone = p.phone
      WHERE r.id = p.id
      RETURNING r.id, r.phone, r.vars, r.attempts, r.pair_rate_hits, o.phone IS NOT NULL AS skipped, p.due_rank, p.due_key
    )`;
}

// On its own (a second claim in one exchange), it checks the lease itself.
const claimSql = (s: string) =>
  `WITH ${claimCtes(
    s,
    { broadcast: '$1', owner: '$2', now: '$3::bigint', limit: '$4::bigint' },
    `EXISTS (SELECT 1 FROM ${s}.broadcasts WHERE id = $1 AND lease_owner = $2 AND status = 'open')`,
  )} SELECT * FROM claimed`;

/** Claimed rows in claim order (the engine sends them in this order); how many were skipped. */
export function sortClaimed(broadcastId: string, rows: ClaimedRow[]): { claimed: RecipientToSend[]; skipped: number } {
  rows.sort((a, b) => a.due_rank - b.due_rank || a.due_key - b.due_key);
  const claimed: RecipientToSend[] = [];
  let skipped = 0;
  for (const r of rows) {
    if (r.skipped) {
      skipped++;
      continue;
    }
    claimed.push({
      id: r.id,
      broadcastId,
      phone: r.phone,
      attempts: r.attempts,
      vars: r.vars ? (JSON.parse(r.vars) as Record<string, string>) : {},
      recipientKey: recipientKey(broadcastId, r.phone),
      pairRateHits: r.pair_rate_hits,
    });
  }
  return { claimed, skipped };
}

/** Claims until `limit` rows are ours or none is left: rows that turn out opted out do not count. */
export async function claimRows(c: Conn, s: string, broadcastId: string, owner: string, limit: number, now: number) {
  const claimed: RecipientToSend[] = [];
  let skipped = 0;
  while (claimed.length < limit) {
    const want = limit - claimed.length;
    const rows = await c.rows<ClaimedRow>(claimSql(s), [broadcastId, owner, now, want], `wa_claim_${s}`);
    const got = sortClaimed(broadcastId, rows);
    claimed.push(...got.claimed);
    skipped += got.skipped;
    if (rows.length < want) break;
  }
  return { claimed, skipped };
}
