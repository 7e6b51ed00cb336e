// The report store in SQLite: the shared report SQL (src/journal/shared/report-sql.ts), each
// aggregate one grouped pass over one broadcast's rows, all read inside one transaction so every
// figure of a report comes from the same snapshot while a run or the webhook receiver writes.
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
import type { Db } from './db.js';
import type { JournalFile } from './journal-file.js';
import { sqliteParams } from './queries.js';
import { getBroadcast, broadcastFacts as statusFacts } from './records.js';

type Row = Record<string, unknown>;
type Build = (param: (value: unknown) => string) => string;

/**
 * Runs a statement built by a shared SQL builder with ? placeholders. Whole numbers are bound as
 * BigInt: better-sqlite3 binds a JS number as REAL, and the timeline's bucket key must be an
 * integer division (started_at / bucket), as it is in PostgreSQL.
 */
function all(db: Db, build: Build): Row[] {
  const { param, values } = sqliteParams();
  const text = build(param);
  return db.prepare(text).all(...values.map((v) => (Number.isSafeInteger(v) ? BigInt(v as number) : v))) as Row[];
}

export class SqliteReportStore implements ReportStore {
  private readonly q: (build: Build) => Row[];

  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
  ) {
    this.q = (build) => all(db, build);
  }

  async broadcastFacts(id: string, opts: BroadcastReportOptions): Promise<BroadcastReportFacts | null> {
    return this.file.run(() =>
      this.db.transaction(() => {
        const b = getBroadcast(this.db, id);
        return b ? this.factsOf(b, opts) : null;
      })(),
    );
  }

  async journalFacts(opts: JournalReportOptions): Promise<JournalReportFacts> {
    const { q } = this;
    return this.file.run(() =>
      this.db.transaction(() => {
        const broadcasts: BroadcastFacts[] = [];
        const out: JournalReportFacts = { broadcasts, days: [], errors: [] };
        for (const r of q((p) => sql.broadcastsSinceSql(p, opts.since))) {
          const b = getBroadcast(this.db, String(r.id));
          if (!b) continue;
          broadcasts.push(statusFacts(this.db, b));
          out.days.push(
            ...rows.dayFacts(
              b.id,
              q((p) => sql.daysSql(p, b.id)),
            ),
          );
          out.errors.push(...this.errorsOf(b.id, this.scopeOf(b.id), 0));
        }
        return out;
      })(),
    );
  }

  private factsOf(b: BroadcastRecord, opts: BroadcastReportOptions): BroadcastReportFacts {
    const { q } = this;
    const id = b.id;
    const bounds = opts.latencyBoundsMs;
    const status = statusFacts(this.db, b);
    const runs = rows.runFacts(q((p) => sql.runsSql(p, id)));
    const bucketMs = timelineBucketMs(runs, b, opts.now, opts.bucketTarget);
    const plan = rows.prefixPlan(status.counts);
    const scope = this.scopeOf(id);
    return {
      status,
      runs,
      timeline: {
        bucketMs,
        buckets: rows.timelineFacts(
          q((p) => sql.timelineSql(p, scope, bucketMs)),
          bucketMs,
        ),
      },
      latency: {
        acceptedToDelivered: rows.histogramFacts(
          q((p) => sql.latencySql(p, id, 'delivered', bounds)),
          bounds,
        ),
        deliveredToRead: rows.histogramFacts(
          q((p) => sql.latencySql(p, id, 'read', bounds)),
          bounds,
        ),
      },
      errors: this.errorsOf(id, scope, opts.examples),
      rejections: q((p) => sql.rejectionCountsSql(p, id)).map((r) => {
        const reason = String(r.reason);
        const examples = opts.examples > 0 ? q((p) => sql.rejectionExamplesSql(p, id, reason, opts.examples)) : [];
        return rows.rejectionFact(reason, Number(r.n), examples);
      }),
      prefixes: rows.prefixFacts(
        q((p) => sql.prefixesSql(p, id)),
        q((p) => sql.prefixStatesSql(p, id, plan.states)),
        plan.leftOut,
      ),
    };
  }

  private scopeOf(id: string): sql.AttemptScope {
    return rows.attemptScope(id, this.q((p) => sql.recipientRangeSql(p, id))[0]);
  }

  private errorsOf(id: string, scope: sql.AttemptScope, examples: number): ErrorFact[] {
    const { q } = this;
    return rows.errorFacts(
      q((p) => sql.requestErrorsSql(p, scope, examples)),
      q((p) => sql.receiptErrorsSql(p, id, examples)),
      q((p) => sql.errorTitlesSql(p, id)),
      examples,
    );
  }
}
