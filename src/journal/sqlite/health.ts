// What `metrics` and `check` read over the whole journal: the shared SQL (src/journal/shared/health-sql.ts).
import type { HealthFacts, MetricsFacts } from '../../core/journal.js';
import { fromRaw, type RawBroadcast } from '../shared/broadcast-row.js';
import * as sql from '../shared/health-sql.js';
import type { Db } from './db.js';
import { sqliteParams } from './queries.js';
import { broadcastFacts } from './records.js';

function all<T>(db: Db, build: (param: (value: unknown) => string) => string): T[] {
  const { param, values } = sqliteParams();
  return db.prepare(build(param)).all(...values) as T[];
}

export function metricsFacts(db: Db, now: number): MetricsFacts {
  const byKey = (text: string) => Object.fromEntries(db.prepare(text).raw().all() as [string, number][]);
  const recent = all<RawBroadcast>(db, (p) => sql.recentBroadcastsSql(p, now, '*', 'rowid'));
  return {
    broadcasts: recent.map((r) => broadcastFacts(db, fromRaw(r))),
    attemptsByOutcome: byKey('SELECT outcome, count(*) FROM attempts GROUP BY outcome'),
    numbers: sql.bySender(all<MetricsFacts['numbers'][number]>(db, (p) => sql.numbersSql(p, now, 'rowid'))),
    optoutsBySource: byKey('SELECT source, count(*) FROM optouts GROUP BY source'),
    webhookEvents: db.prepare('SELECT count(*) FROM webhook_events').pluck().get() as number,
    webhookEventsPending: db.prepare('SELECT count(*) FROM webhook_events WHERE applied_at IS NULL').pluck().get() as number,
  };
}

export function healthFacts(db: Db, opts: { failedSince: number; stuckBefore: number }): HealthFacts {
  return {
    failed: all(db, (p) => sql.failedSql(p, opts.failedSince)),
    stuck: all(db, (p) => sql.stuckSql(p, opts.stuckBefore)),
    stopped: all(db, (p) => sql.stoppedSql(p)),
  };
}
