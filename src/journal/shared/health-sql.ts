// What `metrics` and `check` read over the whole journal (MetricsFacts, HealthFacts in
// src/core/journal.ts), for both SQL adapters: a few aggregate queries. `param` turns a value into
// the adapter's placeholder and remembers it, as in report-sql.ts; aliases are quoted so both
// databases hand the port's field names back.

type Param = (value: unknown) => string;

const DAY_MS = 24 * 3600_000;
const FIVE_MINUTES_MS = 5 * 60_000;
/** Outcomes of attempts that count as a failure for the 5-minute counters (throttling and retries do not). */
const FAILED_OUTCOMES = ['permanent', 'payload', 'unexpected', 'halt', 'opted_out', 'defer_24h'];
/** Last-run outcomes of an open broadcast that left work (core's check decides which need a person). */
const STOPPED_OUTCOMES = ['halted', 'journal', 'daily_limit', 'pending', 'lease_lost', 'limit', 'interrupted'];

const list = (p: Param, values: readonly string[]) => values.map((v) => p(v)).join(', ');

/**
 * Broadcasts still open or active in the last day, newest first (`creation` breaks ties between
 * broadcasts of the same millisecond: rowid, or PostgreSQL's seq). Series are labelled by broadcast
 * only for these: a label per broadcast ever sent would grow without bound.
 */
export function recentBroadcastsSql(p: Param, now: number, columns: string, creation: string): string {
  return `SELECT ${columns} FROM broadcasts b WHERE
      EXISTS (SELECT 1 FROM recipients r WHERE r.broadcast_id = b.id AND r.state IN ('pending', 'retry', 'sending'))
      OR coalesce((SELECT max(ended_at) FROM runs WHERE broadcast_id = b.id), b.created_at) >= ${p(now - DAY_MS)}
    ORDER BY created_at DESC, ${creation} DESC`;
}

/** Per sending number: answers of the last 5 minutes, recipients reached in 24 h, the latest broadcast's profile. */
export function numbersSql(p: Param, now: number, creation: string): string {
  const fromNumber = () => `JOIN recipients r ON r.id = a.recipient_id JOIN broadcasts x ON x.id = r.broadcast_id
    WHERE x.sender = b.sender AND a.finished_at >= ${p(now - FIVE_MINUTES_MS)}`;
  return `SELECT b.sender AS "sender",
      (SELECT x.profile FROM broadcasts x WHERE x.sender = b.sender ORDER BY x.created_at DESC, x.${creation} DESC LIMIT 1) AS "profile",
      (SELECT count(*) FROM attempts a ${fromNumber()} AND a.outcome = 'accepted') AS "sent5m",
      (SELECT count(*) FROM attempts a ${fromNumber()} AND a.outcome IN (${list(p, FAILED_OUTCOMES)})) AS "failed5m",
      (SELECT count(DISTINCT r.phone) FROM recipients r JOIN broadcasts x ON x.id = r.broadcast_id
        WHERE x.sender = b.sender AND r.sent_at >= ${p(now - DAY_MS)}) AS "reached24h"
    FROM broadcasts b WHERE b.sender IS NOT NULL GROUP BY b.sender`;
}

/** Rows that failed since `since`, per broadcast, with the most frequent code. */
export function failedSql(p: Param, since: number): string {
  return `SELECT r.broadcast_id AS "broadcastId", b.sender AS "sender", count(*) AS "count",
      (SELECT error_code FROM recipients x WHERE x.broadcast_id = r.broadcast_id AND x.state = 'failed'
         AND x.failed_at >= ${p(since)} AND x.error_code IS NOT NULL GROUP BY error_code ORDER BY count(*) DESC LIMIT 1) AS "topCode"
    FROM recipients r JOIN broadcasts b ON b.id = r.broadcast_id
    WHERE r.state = 'failed' AND r.failed_at >= ${p(since)} GROUP BY r.broadcast_id, b.sender ORDER BY 3 DESC`;
}

/** Rows `unknown` or `sending` not touched since `before`, per broadcast and state. */
export function stuckSql(p: Param, before: number): string {
  return `SELECT r.broadcast_id AS "broadcastId", b.sender AS "sender", r.state AS "state", count(*) AS "count",
      min(r.updated_at) AS "oldestAt"
    FROM recipients r JOIN broadcasts b ON b.id = r.broadcast_id
    WHERE r.state IN ('unknown', 'sending') AND r.updated_at < ${p(before)} GROUP BY r.broadcast_id, b.sender, r.state ORDER BY 5`;
}

/** Open broadcasts with work left whose last run stopped with one of STOPPED_OUTCOMES. */
export function stoppedSql(p: Param): string {
  return `SELECT b.id AS "broadcastId", b.sender AS "sender", x.outcome AS "outcome", x.reason AS "reason", x.ended_at AS "endedAt"
    FROM broadcasts b JOIN runs x ON x.id = (SELECT id FROM runs WHERE broadcast_id = b.id ORDER BY started_at DESC, id DESC LIMIT 1)
    WHERE b.status <> 'cancelled' AND x.ended_at IS NOT NULL AND x.outcome IN (${list(p, STOPPED_OUTCOMES)})
      AND EXISTS (SELECT 1 FROM recipients r WHERE r.broadcast_id = b.id AND r.state IN ('pending', 'retry'))
    ORDER BY x.ended_at`;
}

/** Sending numbers in byte order (as SQLite sorts text; PostgreSQL's collation may not). */
export function bySender<T extends { sender: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.sender < b.sender ? -1 : a.sender > b.sender ? 1 : 0));
}
