// Claiming rows (DESIGN §3 rule 2): due retries first, then plan order, each row durably `sending`
// (attempts + 1, claimed by us) before the engine may send it. FOR UPDATE SKIP LOCKED lets another
// runner's transaction pass instead of waiting. In the same statement a row the journal now rules
// out becomes `skipped` instead: a phone on the suppression list (a receiver on another host may
// have just added it), an opt-in removed when the broadcast requires one, or the identical message
// sent meanwhile by another broadcast (the already-sent guard again, as in SQLite's claim).
//
// That last check reads the statement's snapshot, so it relies on the number lease: broadcasts with
// one message hash share a sending number, and claims happen only under the number's lease, renewed
// in the same transaction, so two claims for one hash never overlap.
// Pending rows are read in the order id + 0: see recipients_pending in migrations.ts.
import type { ExchangeRequest } from '../../core/journal.js';
import { type RecipientToSend, recipientKey } from '../../core/types.js';
import { sentSinceSql } from '../shared/already-sent.js';
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
 * The CTEs `due`, `fresh`, `picked` and `claimed` (RETURNING ClaimedRow columns), claiming only while
 * `gate` (an SQL condition) holds. `since`: the already-sent guard's start (NULL: off); `optin`: a
 * boolean, the broadcast requires an opt-in.
 */
export function claimCtes(
  s: string,
  p: Params<'broadcast' | 'owner' | 'now' | 'limit' | 'since' | 'optin'>,
  gate = 'true',
): string {
  return `due AS MATERIALIZED (
      SELECT id, phone, message_hash, 0 AS due_rank, next_attempt_at AS due_key FROM ${s}.recipients
      WHERE broadcast_id = ${p.broadcast} AND state = 'retry' AND next_attempt_at <= ${p.now} AND ${gate}
      ORDER BY next_attempt_at LIMIT ${p.limit} FOR UPDATE SKIP LOCKED
    ), fresh AS MATERIALIZED (
      SELECT id, phone, message_hash, 1 AS due_rank, id AS due_key FROM ${s}.recipients
      WHERE broadcast_id = ${p.broadcast} AND state = 'pending' AND next_attempt_at IS NULL AND ${gate}
      ORDER BY id + 0 LIMIT ${p.limit} - (SELECT count(*) FROM due) FOR UPDATE SKIP LOCKED
    ), picked AS MATERIALIZED (
      SELECT p.id, p.due_rank, p.due_key, d.sent_in, CASE
          WHEN EXISTS (SELECT 1 FROM ${s}.optouts o WHERE o.phone = p.phone) THEN 'opted_out'
          WHEN ${p.optin} AND NOT EXISTS (SELECT 1 FROM ${s}.optins i WHERE i.phone = p.phone) THEN 'no_optin'
          WHEN d.sent_in IS NOT NULL THEN 'already_sent'
        END AS skip
      FROM (SELECT * FROM due UNION ALL SELECT * FROM fresh) p
      LEFT JOIN LATERAL (
        SELECT r.broadcast_id AS sent_in FROM ${s}.recipients r
        WHERE ${p.since} IS NOT NULL AND r.message_hash = p.message_hash AND r.id <> p.id AND ${sentSinceSql('r', p.since)}
        LIMIT 1
      ) d ON true
    ), claimed AS (
      UPDATE ${s}.recipients r SET
        state = CASE WHEN p.skip IS NULL THEN 'sending' ELSE 'skipped' END,
        attempts = CASE WHEN p.skip IS NULL THEN r.attempts + 1 ELSE r.attempts END,
        claimed_by = CASE WHEN p.skip IS NULL THEN ${p.owner} ELSE r.claimed_by END,
        error_class = coalesce(p.skip, r.error_class),
        error_detail = CASE p.skip WHEN 'opted_out' THEN 'opted out after planning'
          WHEN 'no_optin' THEN 'its opt-in was removed after planning'
          WHEN 'already_sent' THEN 'already sent in broadcast ' || p.sent_in ELSE r.error_detail END,
        next_attempt_at = CASE WHEN p.skip IS NULL THEN r.next_attempt_at END,
        updated_at = ${p.now}
      FROM picked p
      WHERE r.id = p.id
      RETURNING r.id, r.phone, r.vars, r.attempts, r.pair_rate_hits, p.skip IS NOT NULL AS skipped, p.due_rank, p.due_key
    )`;
}

// On its own (a second claim after the one-statement exchange), it checks both leases itself.
const claimSql = (s: string) =>
  `WITH b AS (
      SELECT require_optin FROM ${s}.broadcasts WHERE id = $1 AND lease_owner = $2 AND status = 'open'
        AND EXISTS (SELECT 1 FROM ${s}.number_leases WHERE sender = $5 AND owner = $2)
    ), ${claimCtes(
      s,
      {
        broadcast: '$1',
        owner: '$2',
        now: '$3::bigint',
        limit: '$4::bigint',
        since: '$6::bigint',
        optin: 'coalesce((SELECT require_optin FROM b), false)',
      },
      'EXISTS (SELECT 1 FROM b)',
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

export type ClaimRequest = Pick<ExchangeRequest, 'broadcastId' | 'sender' | 'owner' | 'now' | 'dedupSince'>;

/** Claims until `limit` rows are ours or none is left: rows that turn out skipped do not count. */
export async function claimRows(c: Conn, s: string, x: ClaimRequest, limit: number) {
  const claimed: RecipientToSend[] = [];
  let skipped = 0;
  while (claimed.length < limit) {
    const want = limit - claimed.length;
    const rows = await c.rows<ClaimedRow>(
      claimSql(s),
      [x.broadcastId, x.owner, x.now, want, x.sender, x.dedupSince],
      `wa_claim_${s}`,
    );
    const got = sortClaimed(x.broadcastId, rows);
    claimed.push(...got.claimed);
    skipped += got.skipped;
    if (rows.length < want) break;
  }
  return { claimed, skipped };
}
