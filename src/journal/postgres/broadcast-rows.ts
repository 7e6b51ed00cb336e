// Broadcast rows, and the facts a status is computed from, through any querier: the pool, or the one
// connection of a report's snapshot. A broadcast's facts come in two round trips whatever its size
// (status over a WAN stays quick).
import type { BroadcastFacts } from '../../core/journal.js';
import { type BroadcastRecord, type ErrorCount, RECIPIENT_STATES, zeroStateCounts } from '../../core/types.js';
import { fromRaw, type RawBroadcast } from '../shared/broadcast-row.js';
import type { Rows } from './pool.js';

/** The columns of RawBroadcast (require_optin as 0/1, as SQLite stores it). */
export const BROADCAST_COLUMNS = `id, key, name, target, spec, source_file, source_sha256, rows_read, created_at,
  sender, profile, require_optin::int AS require_optin, status, reason, lease_owner, lease_expires_at`;

export async function broadcastsWhere(q: Pick<Rows, 'rows'>, s: string, where: string, values: unknown[]) {
  return (await q.rows<RawBroadcast>(`SELECT ${BROADCAST_COLUMNS} FROM ${s}.broadcasts ${where}`, values)).map(fromRaw);
}

export async function getBroadcast(q: Pick<Rows, 'rows'>, s: string, id: string): Promise<BroadcastRecord | null> {
  return (await broadcastsWhere(q, s, 'WHERE id = $1', [id]))[0] ?? null;
}

export async function broadcastFacts(q: Pick<Rows, 'rows'>, s: string, b: BroadcastRecord): Promise<BroadcastFacts> {
  const [f] = await q.rows<{
    states: Record<string, number> | null;
    rejections: Record<string, number> | null;
    attempted: boolean;
    failed_unaccepted: number;
    next_retry_at: number | null;
    deferred_until: number | null;
    last_run_ended_at: number | null;
    last_run: BroadcastFacts['lastRun'];
  }>(
    `SELECT
       (SELECT json_object_agg(state, n) FROM (SELECT state, count(*) AS n FROM ${s}.recipients WHERE broadcast_id = $1 GROUP BY state) x) AS states,
       (SELECT json_object_agg(reason, n) FROM (SELECT reason, count(*) AS n FROM ${s}.rejections WHERE broadcast_id = $1 GROUP BY reason) y) AS rejections,
       EXISTS (SELECT 1 FROM ${s}.recipients WHERE broadcast_id = $1
               AND (state <> 'pending' OR attempts > 0 OR error_code IS NOT NULL)) AS attempted,
       (SELECT count(*) FROM ${s}.recipients WHERE broadcast_id = $1 AND state = 'failed' AND wamid IS NULL) AS failed_unaccepted,
       (SELECT min(next_attempt_at) FROM ${s}.recipients WHERE broadcast_id = $1 AND state = 'retry') AS next_retry_at,
       (SELECT min(next_attempt_at) FROM ${s}.recipients WHERE broadcast_id = $1 AND state = 'failed' AND error_class = 'defer_24h') AS deferred_until,
       (SELECT max(ended_at) FROM ${s}.runs WHERE broadcast_id = $1) AS last_run_ended_at,
       (SELECT json_build_object('mode', mode, 'outcome', outcome, 'reason', reason, 'endedAt', ended_at) FROM ${s}.runs
        WHERE broadcast_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1) AS last_run`,
    [b.id],
  );
  const errors = await q.rows<ErrorCount>(
    `SELECT error_code AS code, max(error_title) AS title, count(*) AS count FROM ${s}.recipients
     WHERE broadcast_id = $1 AND state = 'failed' AND error_code IS NOT NULL
     GROUP BY error_code ORDER BY count DESC, error_code LIMIT 20`,
    [b.id],
  );
  const counts = zeroStateCounts();
  for (const [state, n] of Object.entries(f!.states ?? {})) {
    if ((RECIPIENT_STATES as readonly string[]).includes(state)) counts[state as keyof typeof counts] = n;
  }
  return {
    broadcast: b,
    counts,
    rejections: f!.rejections ?? {},
    errors,
    attempted: f!.attempted,
    failedUnaccepted: f!.failed_unaccepted,
    nextRetryAt: f!.next_retry_at,
    deferredUntil: f!.deferred_until,
    lastRunEndedAt: f!.last_run_ended_at,
    lastRun: f!.last_run,
  };
}
