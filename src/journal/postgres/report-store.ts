// The report store in PostgreSQL: the shared report SQL (src/journal/shared/report-sql.ts), every
// read of one call on one connection inside one REPEATABLE READ READ ONLY transaction, so every
// figure of a report comes from the same snapshot while runs and receivers write.
import type { BroadcastFacts } from '../../core/journal.js';
import type {
  BroadcastReportFacts,
  BroadcastReportOptions,
  ErrorFact,
  JournalReportFacts,
  JournalReportOptions,
  ReportStore,
} from '../../core/report-facts.js';
import { timelineBucketMs } from '../../core/rules/report-runs.js';
import type { BroadcastRecord } from '../../core/types.js';
import * as rows from '../shared/report-rows.js';
import * as sql from '../shared/report-sql.js';
import { getBroadcast, broadcastFacts as statusFacts } from './broadcast-rows.js';
import { type Conn, type PgDb, pgParams } from './pool.js';

type Row = Record<string, unknown>;
type Query = (build: (param: (value: unknown) => string) => string) => Promise<Row[]>;

function queryOn(c: Conn): Query {
  return (build) => {
    const { param, values } = pgParams();
    return c.rows<Row>(build(param), values);
  };
}

export class PgReportStore implements ReportStore {
  private readonly s: string;

  constructor(private readonly db: PgDb) {
    this.s = db.loc.schema;
  }

  async broadcastFacts(id: string, opts: BroadcastReportOptions): Promise<BroadcastReportFacts | null> {
    return this.db.snapshot(async (c) => {
      const b = await getBroadcast(c, this.s, id);
      return b ? this.factsOf(c, b, opts) : null;
    });
  }

  async journalFacts(opts: JournalReportOptions): Promise<JournalReportFacts> {
    return this.db.snapshot(async (c) => {
      const q = queryOn(c);
      const broadcasts: BroadcastFacts[] = [];
      const out: JournalReportFacts = { broadcasts, days: [], errors: [] };
      for (const r of await q((p) => sql.broadcastsSinceSql(p, opts.since))) {
        const b = await getBroadcast(c, this.s, String(r.id));
        if (!b) continue;
        broadcasts.push(await statusFacts(c, this.s, b));
        out.days.push(...rows.dayFacts(b.id, await q((p) => sql.daysSql(p, b.id))));
        out.errors.push(...(await errorsOf(q, b.id, await scopeOf(q, b.id), 0)));
      }
      return out;
    });
  }

  private async factsOf(c: Conn, b: BroadcastRecord, opts: BroadcastReportOptions): Promise<BroadcastReportFacts> {
    const q = queryOn(c);
    const id = b.id;
    const bounds = opts.latencyBoundsMs;
    const status = await statusFacts(c, this.s, b);
    const runs = rows.runFacts(await q((p) => sql.runsSql(p, id)));
    const bucketMs = timelineBucketMs(runs, b, opts.now, opts.bucketTarget);
    const scope = await scopeOf(q, id);
    const timeline = { bucketMs, buckets: rows.timelineFacts(await q((p) => sql.timelineSql(p, scope, bucketMs)), bucketMs) };
    const latency = {
      acceptedToDelivered: rows.histogramFacts(await q((p) => sql.latencySql(p, id, 'delivered', bounds)), bounds),
      deliveredToRead: rows.histogramFacts(await q((p) => sql.latencySql(p, id, 'read', bounds)), bounds),
    };
    const errors = await errorsOf(q, id, scope, opts.examples);
    const rejections = [];
    for (const r of await q((p) => sql.rejectionCountsSql(p, id))) {
      const reason = String(r.reason);
      const examples = opts.examples > 0 ? await q((p) => sql.rejectionExamplesSql(p, id, reason, opts.examples)) : [];
      rejections.push(rows.rejectionFact(reason, Number(r.n), examples));
    }
    const plan = rows.prefixPlan(status.counts);
    const prefixes = rows.prefixFacts(
      await q((p) => sql.prefixesSql(p, id)),
      await q((p) => sql.prefixStatesSql(p, id, plan.states)),
      plan.leftOut,
    );
    return { status, runs, timeline, latency, errors, rejections, prefixes };
  }
}

async function scopeOf(q: Query, id: string): Promise<sql.AttemptScope> {
  return rows.attemptScope(id, (await q((p) => sql.recipientRangeSql(p, id)))[0]);
}

async function errorsOf(q: Query, id: string, scope: sql.AttemptScope, examples: number): Promise<ErrorFact[]> {
  return rows.errorFacts(
    await q((p) => sql.requestErrorsSql(p, scope, examples)),
    await q((p) => sql.receiptErrorsSql(p, id, examples)),
    await q((p) => sql.errorTitlesSql(p, id)),
    examples,
  );
}
