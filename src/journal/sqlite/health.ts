// What `metrics` and `check` read over the whole journal, each in a few aggregate queries.
import type { HealthFacts, MetricsFacts } from '../../core/journal.js';
import type { Db } from './db.js';
import { broadcastFacts, fromRaw, type RawBroadcast } from './records.js';

const DAY_MS = 24 * 3600_000;
const FIVE_MINUTES_MS = 5 * 60_000;
/** Outcomes of attempts that count as a failure for the 5-minute counters (throttling and retries do not). */
const FAILED_OUTCOMES = ['permanent', 'payload', 'unexpected', 'halt', 'opted_out', 'defer_24h'];
/** Last-run outcomes of an open broadcast that left work (core's check decides which need a person). */
const STOPPED_OUTCOMES = ['halted', 'journal', 'daily_limit', 'pending', 'lease_lost', 'limit', 'interrupted'];

export function metricsFacts(db: Db, now: number): MetricsFacts {
  const since = now - DAY_MS;
  // Series labelled by broadcast only for broadcasts still open or active in the last day: a label per
  // broadcast ever sent would grow without bound.
  const recent = db
    .prepare(
      `SELECT * FROM broadcasts b WHERE
         EXISTS (SELECT 1 FROM recipients r WHERE r.broadcast_id = b.id AND r.state IN ('pending', 'retry', 'sending'))
         OR coalesce((SELECT max(ended_at) FROM runs WHERE broadcast_id = b.id), b.created_at) >= ?
       ORDER BY created_at DESC, rowid DESC`,
    )
    .all(since) as RawBroadcast[];
  const byKey = (sql: string) => Object.fromEntries(db.prepare(sql).raw().all() as [string, number][]);
  const marks = FAILED_OUTCOMES.map(() => '?').join(', ');
  const numbers = db
    .prepare(
      `SELECT b.sender AS sender,
         (SELECT x.profile FROM broadcasts x WHERE x.sender = b.sender ORDER BY x.created_at DESC, x.rowid DESC LIMIT 1) AS profile,
         (SELECT count(*) FROM attempts a JOIN recipients r ON r.id = a.recipient_id JOIN broadcasts x ON x.id = r.broadcast_id
           WHERE x.sender = b.sender AND a.finished_at >= ? AND a.outcome = 'accepted') AS sent5m,
         (SELECT count(*) FROM attempts a JOIN recipients r ON r.id = a.recipient_id JOIN broadcasts x ON x.id = r.broadcast_id
           WHERE x.sender = b.sender AND a.finished_at >= ? AND a.outcome IN (${marks})) AS failed5m,
         (SELECT count(DISTINCT r.phone) FROM recipients r JOIN broadcasts x ON x.id = r.broadcast_id
           WHERE x.sender = b.sender AND r.sent_at >= ?) AS reached24h
       FROM broadcasts b WHERE b.sender IS NOT NULL GROUP BY b.sender ORDER BY b.sender`,
    )
    .all(now - FIVE_MINUTES_MS, now - FIVE_MINUTES_MS, ...FAILED_OUTCOMES, since) as MetricsFacts['numbers'];
  return {
    broadcasts: recent.map((r) => broadcastFacts(db, fromRaw(r))),
    attemptsByOutcome: byKey('SELECT outcome, count(*) FROM attempts GROUP BY outcome'),
    numbers,
    optoutsBySource: byKey('SELECT source, count(*) FROM optouts GROUP BY source'),
    webhookEvents: db.prepare('SELECT count(*) FROM webhook_events').pluck().get() as number,
    webhookEventsPending: db.prepare('SELECT count(*) FROM webhook_events WHERE applied_at IS NULL').pluck().get() as number,
  };
}

export function healthFacts(db: Db, _now: number, opts: { failedSince: number; stuckBefore: number }): HealthFacts {
  const failed = db
    .prepare(
      `SELECT r.broadcast_id AS broadcastId, b.sender AS sender, count(*) AS count,
         (SELECT error_code FROM recipients x WHERE x.broadcast_id = r.broadcast_id AND x.state = 'failed' AND x.failed_at >= @since
            AND x.error_code IS NOT NULL GROUP BY error_code ORDER BY count(*) DESC LIMIT 1) AS topCode
       FROM recipients r JOIN broadcasts b ON b.id = r.broadcast_id
       WHERE r.state = 'failed' AND r.failed_at >= @since GROUP BY r.broadcast_id ORDER BY count DESC`,
    )
    .all({ since: opts.failedSince }) as HealthFacts['failed'];
  const stuck = db
    .prepare(
      `SELECT r.broadcast_id AS broadcastId, b.sender AS sender, r.state AS state, count(*) AS count, min(r.updated_at) AS oldestAt
       FROM recipients r JOIN broadcasts b ON b.id = r.broadcast_id
       WHERE r.state IN ('unknown', 'sending') AND r.updated_at < ? GROUP BY r.broadcast_id, r.state ORDER BY oldestAt`,
    )
    .all(opts.stuckBefore) as HealthFacts['stuck'];
  const marks = STOPPED_OUTCOMES.map(() => '?').join(', ');
  const stopped = db
    .prepare(
      `SELECT b.id AS broadcastId, b.sender AS sender, x.outcome AS outcome, x.reason AS reason, x.ended_at AS endedAt
       FROM broadcasts b JOIN runs x ON x.id = (SELECT id FROM runs WHERE broadcast_id = b.id ORDER BY started_at DESC, id DESC LIMIT 1)
       WHERE b.status <> 'cancelled' AND x.ended_at IS NOT NULL AND x.outcome IN (${marks})
         AND EXISTS (SELECT 1 FROM recipients r WHERE r.broadcast_id = b.id AND r.state IN ('pending', 'retry'))
       ORDER BY x.ended_at`,
    )
    .all(...STOPPED_OUTCOMES) as HealthFacts['stopped'];
  return { failed, stuck, stopped };
}
