// Claiming rows (DESIGN §3 rule 2): due retries first, then plan order, each row durably `sending`
// (attempts + 1, claimed by us) before the engine may send it. FOR UPDATE SKIP LOCKED lets another
// runner's transaction pass instead of waiting; a phone on the suppression list now (a receiver on
// another host may have just added it) becomes `skipped` instead, in the same statement.
import { recipientKey, type RecipientToSend } from '../../core/types.js';
import type { Conn } from './pool.js';

interface Claimed {
  id: number;
  phone: string;
  vars: string | null;
  attempts: number;
  pair_rate_hits: number;
  skipped: boolean;
  due_rank: number;
  due_key: number;
}

function claimSql(s: string): string {
  return `WITH due AS MATERIALIZED (
      SELECT id, phone, 0 AS due_rank, next_attempt_at AS due_key FROM ${s}.recipients
      WHERE broadcast_id = $1 AND state = 'retry' AND next_attempt_at <= $3
      ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED
    ), fresh AS MATERIALIZED (
      SELECT id, phone, 1 AS due_rank, id AS due_key FROM ${s}.recipients
      WHERE broadcast_id = $1 AND state = 'pending' AND next_attempt_at IS NULL
      ORDER BY id LIMIT $4 - (SELECT count(*) FROM due) FOR UPDATE SKIP LOCKED
    ), picked AS (
      SELECT * FROM due UNION ALL SELECT * FROM fresh
    )
    UPDATE ${s}.recipients r SET
      state = CASE WHEN o.phone IS NULL THEN 'sending' ELSE 'skipped' END,
      attempts = CASE WHEN o.phone IS NULL THEN r.attempts + 1 ELSE r.attempts END,
      claimed_by = CASE WHEN o.phone IS NULL THEN $2 ELSE r.claimed_by END,
      error_class = CASE WHEN o.phone IS NULL THEN r.error_class ELSE 'opted_out' END,
      error_detail = CASE WHEN o.phone IS NULL THEN r.error_detail ELSE 'opted out after planning' END,
      next_attempt_at = CASE WHEN o.phone IS NULL THEN r.next_attempt_at END,
      updated_at = $3
    FROM picked p LEFT JOIN ${s}.optouts o ON o.phone = p.phone
    WHERE r.id = p.id
    RETURNING r.id, r.phone, r.vars, r.attempts, r.pair_rate_hits, o.phone IS NOT NULL AS skipped, p.due_rank, p.due_key`;
}

export async function claimRows(c: Conn, s: string, broadcastId: string, owner: string, limit: number, now: number) {
  const claimed: RecipientToSend[] = [];
  let skipped = 0;
  // Rows that turn out opted out do not count: claim again until `limit` or nothing is left.
  while (claimed.length < limit) {
    const want = limit - claimed.length;
    const rows = await c.rows<Claimed>(claimSql(s), [broadcastId, owner, now, want], `wa_claim_${s}`);
    rows.sort((a, b) => a.due_rank - b.due_rank || a.due_key - b.due_key);
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
    if (rows.length < want) break;
  }
  return { claimed, skipped };
}
