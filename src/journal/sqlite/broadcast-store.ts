// Reading broadcasts and their facts, and the operator's commands on them (cancel, retry-failed).
import type { BroadcastFacts, BroadcastStore, MetricsFacts, RecipientRow } from '../../core/journal.js';
import type { RetrySelection } from '../../core/rules/retry-eligibility.js';
import type { BroadcastRecord, ErrorCount, MessageSpec, StoredStatus, Target } from '../../core/types.js';
import { retryFilterSql } from '../shared/retry-filter.js';
import { type Db, perConnection, writeTx } from './db.js';
import type { JournalFile } from './journal-file.js';
import { nextRetryAtMs, sqliteParams, stateCounts } from './queries.js';
import { recipientRows } from './recipient-rows.js';

interface RawBroadcast {
  id: string;
  key: string;
  name: string | null;
  target: string;
  spec: string;
  source_file: string | null;
  source_sha256: string | null;
  rows_read: number;
  created_at: number;
  status: string;
  reason: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

function fromRaw(r: RawBroadcast): BroadcastRecord {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    target: JSON.parse(r.target) as Target,
    spec: JSON.parse(r.spec) as MessageSpec,
    sourceFile: r.source_file,
    sourceSha256: r.source_sha256,
    rowsRead: r.rows_read,
    createdAt: r.created_at,
    status: r.status as StoredStatus,
    reason: r.reason,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
  };
}

const stmts = perConnection((db) => ({
  get: db.prepare('SELECT * FROM broadcasts WHERE id = ?'),
  byKey: db.prepare('SELECT * FROM broadcasts WHERE key = ?'),
  list: db.prepare('SELECT * FROM broadcasts ORDER BY created_at DESC, rowid DESC'),
  rejections: db.prepare('SELECT reason, count(*) AS n FROM rejections WHERE broadcast_id = ? GROUP BY reason'),
  attempted: db.prepare(
    "SELECT 1 FROM recipients WHERE broadcast_id = ? AND (state <> 'pending' OR attempts > 0 OR error_code IS NOT NULL) LIMIT 1",
  ),
  failedUnaccepted: db
    .prepare("SELECT count(*) FROM recipients WHERE broadcast_id = ? AND state = 'failed' AND wamid IS NULL")
    .pluck(),
  errors: db.prepare(`SELECT error_code AS code, max(error_title) AS title, count(*) AS count FROM recipients
    WHERE broadcast_id = ? AND state = 'failed' AND error_code IS NOT NULL
    GROUP BY error_code ORDER BY count DESC, error_code LIMIT 20`),
  cancel: db.prepare("UPDATE broadcasts SET status = 'cancelled', reason = 'cancelled by the operator' WHERE id = ?"),
  skipOpen: db.prepare(`UPDATE recipients SET state = 'skipped', error_class = 'cancelled', error_detail = 'broadcast cancelled',
    next_attempt_at = NULL, updated_at = ? WHERE broadcast_id = ? AND state IN ('pending', 'retry')`),
  leaseOwner: db.prepare('SELECT lease_owner FROM broadcasts WHERE id = ?').pluck(),
  deferredUntil: db
    .prepare(
      "SELECT min(next_attempt_at) FROM recipients WHERE broadcast_id = ? AND state = 'failed' AND error_class = 'defer_24h'",
    )
    .pluck(),
  lastRunEnded: db.prepare('SELECT max(ended_at) FROM runs WHERE broadcast_id = ?').pluck(),
}));

export function getBroadcast(db: Db, id: string): BroadcastRecord | null {
  const row = stmts(db).get.get(id) as RawBroadcast | undefined;
  return row ? fromRaw(row) : null;
}

export function broadcastFacts(db: Db, b: BroadcastRecord): BroadcastFacts {
  const s = stmts(db);
  const counts = stateCounts(db, b.id);
  const rejections: Record<string, number> = {};
  for (const r of s.rejections.all(b.id) as { reason: string; n: number }[]) rejections[r.reason] = r.n;
  return {
    broadcast: b,
    counts,
    rejections,
    errors: s.errors.all(b.id) as ErrorCount[],
    attempted: s.attempted.get(b.id) !== undefined,
    failedUnaccepted: counts.failed === 0 ? 0 : (s.failedUnaccepted.get(b.id) as number),
    nextRetryAt: nextRetryAtMs(db, b.id),
    deferredUntil: counts.failed === 0 ? null : (s.deferredUntil.get(b.id) as number | null),
    lastRunEndedAt: s.lastRunEnded.get(b.id) as number | null,
  };
}

export class SqliteBroadcastStore implements BroadcastStore {
  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
  ) {}

  async get(id: string): Promise<BroadcastRecord | null> {
    return this.file.run(() => getBroadcast(this.db, id));
  }

  async findByKey(key: string): Promise<BroadcastRecord | null> {
    return this.file.run(() => {
      const row = stmts(this.db).byKey.get(key) as RawBroadcast | undefined;
      return row ? fromRaw(row) : null;
    });
  }

  async list(): Promise<BroadcastRecord[]> {
    return this.file.run(() => (stmts(this.db).list.all() as RawBroadcast[]).map(fromRaw));
  }

  async facts(id: string): Promise<BroadcastFacts | null> {
    return this.file.run(() => {
      const b = getBroadcast(this.db, id);
      return b ? broadcastFacts(this.db, b) : null;
    });
  }

  async cancel(id: string, now: number): Promise<number> {
    return this.file.run(() =>
      writeTx(this.db, () => {
        stmts(this.db).cancel.run(id);
        return stmts(this.db).skipOpen.run(now, id).changes;
      }),
    );
  }

  async countEligible(id: string, selection: RetrySelection, now: number): Promise<number> {
    const { param, values } = sqliteParams();
    const filter = retryFilterSql(selection, now, param);
    return this.file.run(
      () =>
        this.db
          .prepare(`SELECT count(*) FROM recipients WHERE broadcast_id = ? AND ${filter}`)
          .pluck()
          .get(id, ...values) as number,
    );
  }

  async requeueEligible(id: string, selection: RetrySelection, owner: string, now: number): Promise<number> {
    const { param, values } = sqliteParams();
    const filter = retryFilterSql(selection, now, param);
    return this.file.run(() =>
      writeTx(this.db, () => {
        // Under our lease only: another runner's rows are not ours to touch.
        if (stmts(this.db).leaseOwner.get(id) !== owner) return 0;
        return this.db
          .prepare(
            `UPDATE recipients SET state = 'pending', attempts = 0, next_attempt_at = NULL, retry_rounds = retry_rounds + 1,
             updated_at = ? WHERE broadcast_id = ? AND ${filter}`,
          )
          .run(now, id, ...values).changes;
      }),
    );
  }

  async withRetriesDue(selection: RetrySelection, now: number): Promise<string[]> {
    const { param, values } = sqliteParams();
    const filter = retryFilterSql(selection, now, param, 'r.');
    return this.file.run(
      () =>
        this.db
          .prepare(
            `SELECT id FROM broadcasts b WHERE status = 'open' AND EXISTS (
               SELECT 1 FROM recipients r WHERE r.broadcast_id = b.id
                 AND ((r.state = 'retry' AND r.next_attempt_at <= ?) OR ${filter}))
             ORDER BY created_at, rowid`,
          )
          .pluck()
          .all(now, ...values) as string[],
    );
  }

  rows(id: string, state?: string): AsyncIterable<RecipientRow> {
    const { db, file } = this;
    return (async function* () {
      yield* file.run(() => recipientRows(db, id, state));
    })();
  }

  async metrics(): Promise<MetricsFacts> {
    return this.file.run(() => {
      const db = this.db;
      const broadcasts = (stmts(db).list.all() as RawBroadcast[]).map((r) => broadcastFacts(db, fromRaw(r)));
      const byKey = (sql: string) =>
        Object.fromEntries((db.prepare(sql).raw().all() as [string, number][]).map(([k, n]) => [k, n]));
      return {
        broadcasts,
        attemptsByOutcome: byKey('SELECT outcome, count(*) FROM attempts GROUP BY outcome'),
        optoutsBySource: byKey('SELECT source, count(*) FROM optouts GROUP BY source'),
        webhookEvents: db.prepare('SELECT count(*) FROM webhook_events').pluck().get() as number,
        webhookEventsPending: db.prepare('SELECT count(*) FROM webhook_events WHERE applied_at IS NULL').pluck().get() as number,
      };
    });
  }
}
