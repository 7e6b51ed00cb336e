// The report store in SQLite: the shared report SQL (src/journal/shared/report-sql.ts), each
// aggregate one grouped pass over one broadcast's rows, all read inside one transaction so every
// figure of a report comes from the same snapshot while a run or the webhook receiver writes.
import type { BroadcastFacts } from '../../core/journal.js';
import type {
  BroadcastReportFacts,
  BroadcastReportOptions,
  JournalReportFacts,
  JournalReportOptions,
  ReportStore,
} from '../../core/report-facts.js';
import { timelineBucketMs } from '../../core/rules/report-runs.js';
import type { BroadcastRecord } from '../../core/types.js';
import * as rows from '../shared/report-rows.js';
import * as sql from '../shared/report-sql.js';
import { getBroadcast, broadcastFacts as statusFacts } from './broadcast-store.js';
import type { Db } from './db.js';
import type { JournalFile } from './journal-file.js';
import { sqliteParams } from './queries.js';

type Row = Record<string, unknown>;

/**
 * Runs a statement built by a shared SQL builder with ? placeholders. Whole numbers are bound as
 * BigInt: better-sqlite3 binds a JS number as REAL, and the timeline's bucket key must be an
 * integer division (started_at / bucket), as it is in PostgreSQL.
 */
function all(db: Db, build: (param: (value: unknown) => string) => string): Row[] {
  const { param, values } = sqliteParams();
  const text = build(param);
  return db.prepare(text).all(...values.map((v) => (Number.isSafeInteger(v) ? BigInt(v as number) : v))) as Row[];
}

export class SqliteReportStore implements ReportStore {
  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
  ) {}

  async broadcastFacts(id: string, opts: BroadcastReportOptions): Promise<BroadcastReportFacts | null> {
    return this.file.run(() =>
      this.db.transaction(() => {
        const b = getBroadcast(this.db, id);
        return b ? this.factsOf(b, opts) : null;
      })(),
    );
  }

  async journalFacts(opts: JournalReportOptions): Promise<JournalReportFacts> {
    return this.file.run(() =>
      this.db.transaction(() => {
        const db = this.db;
        const broadcasts: BroadcastFacts[] = [];
        const out: JournalReportFacts = { broadcasts, days: [], errors: [] };
        for (const r of all(db, (p) => sql.broadcastsSinceSql(p, opts.since))) {
          const b = getBroadcast(db, String(r.id));
          if (!b) continue;
          broadcasts.push(statusFacts(db, b));
          out.days.push(
            ...rows.dayFacts(
              b.id,
              all(db, (p) => sql.daysSql(p, b.id)),
            ),
          );
          out.errors.push(...this.errorsOf(b.id, 0));
        }
        return out;
      })(),
    );
  }

  private factsOf(b: BroadcastRecord, opts: BroadcastReportOptions): BroadcastReportFacts {
    const { db } = this;
    const id = b.id;
    const runs = rows.runFacts(all(db, (p) => sql.runsSql(p, id)));
    const bucketMs = timelineBucketMs(runs, b, opts.now, opts.bucketTarget);
    const bounds = opts.latencyBoundsMs;
    const [acceptedToDelivered, deliveredToRead] = rows.latencyFacts(all(db, (p) => sql.latencySql(p, id, bounds))[0], bounds);
    return {
      status: statusFacts(db, b),
      runs,
      timeline: {
        bucketMs,
        buckets: rows.timelineFacts(
          all(db, (p) => sql.timelineSql(p, id, bucketMs)),
          bucketMs,
        ),
      },
      latency: { acceptedToDelivered, deliveredToRead },
      errors: this.errorsOf(id, opts.examples),
      rejections: all(db, (p) => sql.rejectionCountsSql(p, id)).map((r) => {
        const reason = String(r.reason);
        const examples = opts.examples > 0 ? all(db, (p) => sql.rejectionExamplesSql(p, id, reason, opts.examples)) : [];
        return rows.rejectionFact(reason, Number(r.n), examples);
      }),
      prefixes: rows.prefixFacts(all(db, (p) => sql.prefixesSql(p, id))),
    };
  }

  private errorsOf(id: string, examples: number) {
    const { db } = this;
    return rows.errorFacts(
      all(db, (p) => sql.requestErrorsSql(p, id, examples)),
      all(db, (p) => sql.receiptErrorsSql(p, id, examples)),
      all(db, (p) => sql.errorTitlesSql(p, id)),
      examples,
    );
  }
}
