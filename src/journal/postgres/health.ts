// What `metrics` and `check` read over the whole journal: the shared SQL
// (src/journal/shared/health-sql.ts), all of one call read in one snapshot.
import type { HealthFacts, MetricsFacts } from '../../core/journal.js';
import { fromRaw, type RawBroadcast } from '../shared/broadcast-row.js';
import * as sql from '../shared/health-sql.js';
import { BROADCAST_COLUMNS, broadcastFacts } from './broadcast-rows.js';
import { type Conn, type PgDb, pgParams } from './pool.js';

function all<T>(c: Conn, build: (param: (value: unknown) => string) => string): Promise<T[]> {
  const { param, values } = pgParams();
  return c.rows<T>(build(param), values);
}

export function metricsFacts(db: PgDb, now: number): Promise<MetricsFacts> {
  const s = db.loc.schema;
  return db.snapshot(async (c) => {
    const byKey = async (text: string) =>
      Object.fromEntries((await c.rows<{ k: string; n: number }>(text)).map((r) => [r.k, r.n]));
    const broadcasts = [];
    for (const r of await all<RawBroadcast>(c, (p) => sql.recentBroadcastsSql(p, now, BROADCAST_COLUMNS, 'seq'))) {
      broadcasts.push(await broadcastFacts(c, s, fromRaw(r)));
    }
    const [events] = await c.rows<{ total: number; pending: number }>(
      'SELECT count(*) AS total, count(*) FILTER (WHERE applied_at IS NULL) AS pending FROM webhook_events',
    );
    return {
      broadcasts,
      attemptsByOutcome: await byKey('SELECT outcome AS k, count(*) AS n FROM attempts GROUP BY outcome'),
      numbers: sql.bySender(await all<MetricsFacts['numbers'][number]>(c, (p) => sql.numbersSql(p, now, 'seq'))),
      optoutsBySource: await byKey('SELECT source AS k, count(*) AS n FROM optouts GROUP BY source'),
      webhookEvents: events!.total,
      webhookEventsPending: events!.pending,
    };
  });
}

export function healthFacts(db: PgDb, opts: { failedSince: number; stuckBefore: number }): Promise<HealthFacts> {
  return db.snapshot(async (c) => ({
    failed: await all(c, (p) => sql.failedSql(p, opts.failedSince)),
    stuck: await all(c, (p) => sql.stuckSql(p, opts.stuckBefore)),
    stopped: await all(c, (p) => sql.stoppedSql(p)),
  }));
}
