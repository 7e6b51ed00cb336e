// Reading broadcasts and their facts, and the operator's commands on them (cancel, retry-failed).
// A broadcast's facts come in two round trips whatever its size (status over a WAN stays quick).
import type { BroadcastFacts, BroadcastStore, MetricsFacts, RecipientRow } from '../../core/journal.js';
import type { RetrySelection } from '../../core/rules/retry-eligibility.js';
import {
  type BroadcastRecord,
  type ErrorCount,
  type MessageSpec,
  RECIPIENT_STATES,
  type StoredStatus,
  type Target,
  zeroStateCounts,
} from '../../core/types.js';
import { retryFilterSql } from '../shared/retry-filter.js';
import type { PgDb } from './pool.js';
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

const COLUMNS =
  'id, key, name, target, spec, source_file, source_sha256, rows_read, created_at, status, reason, lease_owner, lease_expires_at';

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

/** $n placeholders for the shared retry filter, numbered after `first` fixed ones. */
function pgParams(first: unknown[]): { param: (value: unknown) => string; values: unknown[] } {
  const values = [...first];
  return { values, param: (v) => `$${values.push(v)}` };
}

export class PgBroadcastStore implements BroadcastStore {
  private readonly s: string;

  constructor(private readonly db: PgDb) {
    this.s = db.loc.schema;
  }

  async get(id: string): Promise<BroadcastRecord | null> {
    const [row] = await this.db.query<RawBroadcast>(`SELECT ${COLUMNS} FROM ${this.s}.broadcasts WHERE id = $1`, [id]);
    return row ? fromRaw(row) : null;
  }

  async findByKey(key: string): Promise<BroadcastRecord | null> {
    const [row] = await this.db.query<RawBroadcast>(`SELECT ${COLUMNS} FROM ${this.s}.broadcasts WHERE key = $1`, [key]);
    return row ? fromRaw(row) : null;
  }

  async list(): Promise<BroadcastRecord[]> {
    return (
      await this.db.query<RawBroadcast>(`SELECT ${COLUMNS} FROM ${this.s}.broadcasts ORDER BY created_at DESC, seq DESC`)
    ).map(fromRaw);
  }

  async facts(id: string): Promise<BroadcastFacts | null> {
    const b = await this.get(id);
    return b ? this.factsOf(b) : null;
  }

  async cancel(id: string, now: number): Promise<number> {
    return this.db.tx(async (c) => {
      await c.run(`UPDATE ${this.s}.broadcasts SET status = 'cancelled', reason = 'cancelled by the operator' WHERE id = $1`, [
        id,
      ]);
      return c.run(
        `UPDATE ${this.s}.recipients SET state = 'skipped', error_class = 'cancelled', error_detail = 'broadcast cancelled',
         next_attempt_at = NULL, updated_at = $1 WHERE broadcast_id = $2 AND state IN ('pending', 'retry')`,
        [now, id],
      );
    });
  }

  async countEligible(id: string, selection: RetrySelection, now: number): Promise<number> {
    const { param, values } = pgParams([id]);
    const filter = retryFilterSql(selection, now, param);
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${this.s}.recipients WHERE broadcast_id = $1 AND ${filter}`,
      values,
    );
    return row!.n;
  }

  async requeueEligible(id: string, selection: RetrySelection, owner: string, now: number): Promise<number> {
    const { param, values } = pgParams([id, now]);
    const filter = retryFilterSql(selection, now, param);
    return this.db.tx(async (c) => {
      // Under our lease only, held for the transaction: another runner's rows are not ours to touch.
      const [b] = await c.rows<{ lease_owner: string | null }>(
        `SELECT lease_owner FROM ${this.s}.broadcasts WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (b?.lease_owner !== owner) return 0;
      return c.run(
        `UPDATE ${this.s}.recipients SET state = 'pending', attempts = 0, next_attempt_at = NULL, retry_rounds = retry_rounds + 1,
         updated_at = $2 WHERE broadcast_id = $1 AND ${filter}`,
        values,
      );
    });
  }

  async withRetriesDue(selection: RetrySelection, now: number): Promise<string[]> {
    const { param, values } = pgParams([now]);
    const filter = retryFilterSql(selection, now, param, 'r.');
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM ${this.s}.broadcasts b WHERE status = 'open' AND EXISTS (
         SELECT 1 FROM ${this.s}.recipients r WHERE r.broadcast_id = b.id
           AND ((r.state = 'retry' AND r.next_attempt_at <= $1) OR ${filter}))
       ORDER BY created_at, seq`,
      values,
    );
    return rows.map((r) => r.id);
  }

  rows(id: string, state?: string): AsyncIterable<RecipientRow> {
    return recipientRows(this.db, id, state);
  }

  async metrics(): Promise<MetricsFacts> {
    const broadcasts: BroadcastFacts[] = [];
    for (const b of await this.list()) broadcasts.push(await this.factsOf(b));
    const byKey = async (sql: string) =>
      Object.fromEntries((await this.db.query<{ k: string; n: number }>(sql)).map((r) => [r.k, r.n]));
    const [events] = await this.db.query<{ total: number; pending: number }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE applied_at IS NULL) AS pending FROM ${this.s}.webhook_events`,
    );
    return {
      broadcasts,
      attemptsByOutcome: await byKey(`SELECT outcome AS k, count(*) AS n FROM ${this.s}.attempts GROUP BY outcome`),
      optoutsBySource: await byKey(`SELECT source AS k, count(*) AS n FROM ${this.s}.optouts GROUP BY source`),
      webhookEvents: events!.total,
      webhookEventsPending: events!.pending,
    };
  }

  private async factsOf(b: BroadcastRecord): Promise<BroadcastFacts> {
    const s = this.s;
    const [f] = await this.db.query<{
      states: Record<string, number> | null;
      rejections: Record<string, number> | null;
      attempted: boolean;
      failed_unaccepted: number;
      next_retry_at: number | null;
      deferred_until: number | null;
      last_run_ended_at: number | null;
    }>(
      `SELECT
         (SELECT json_object_agg(state, n) FROM (SELECT state, count(*) AS n FROM ${s}.recipients WHERE broadcast_id = $1 GROUP BY state) x) AS states,
         (SELECT json_object_agg(reason, n) FROM (SELECT reason, count(*) AS n FROM ${s}.rejections WHERE broadcast_id = $1 GROUP BY reason) y) AS rejections,
         EXISTS (SELECT 1 FROM ${s}.recipients WHERE broadcast_id = $1
                 AND (state <> 'pending' OR attempts > 0 OR error_code IS NOT NULL)) AS attempted,
         (SELECT count(*) FROM ${s}.recipients WHERE broadcast_id = $1 AND state = 'failed' AND wamid IS NULL) AS failed_unaccepted,
         (SELECT min(next_attempt_at) FROM ${s}.recipients WHERE broadcast_id = $1 AND state = 'retry') AS next_retry_at,
         (SELECT min(next_attempt_at) FROM ${s}.recipients WHERE broadcast_id = $1 AND state = 'failed' AND error_class = 'defer_24h') AS deferred_until,
         (SELECT max(ended_at) FROM ${s}.runs WHERE broadcast_id = $1) AS last_run_ended_at`,
      [b.id],
    );
    const errors = await this.db.query<ErrorCount>(
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
    };
  }
}
