// Reading broadcasts and their facts, and the operator's commands on them (cancel, retry-failed).

import type { BroadcastFacts, BroadcastStore, HealthFacts, MetricsFacts, RecipientRow } from '../../core/journal.js';
import type { RetrySelection } from '../../core/rules/retry-eligibility.js';
import type { BroadcastRecord } from '../../core/types.js';
import { retryFilterSql } from '../shared/retry-filter.js';
import { sweepDueSql } from '../shared/sweep.js';
import { broadcastFacts, broadcastsWhere, getBroadcast } from './broadcast-rows.js';
import { healthFacts, metricsFacts } from './health.js';
import { type PgDb, pgParams } from './pool.js';
import { recipientRows } from './recipient-rows.js';

export class PgBroadcastStore implements BroadcastStore {
  private readonly s: string;

  constructor(private readonly db: PgDb) {
    this.s = db.loc.schema;
  }

  async get(id: string): Promise<BroadcastRecord | null> {
    return getBroadcast(this.db, this.s, id);
  }

  async findByKey(key: string): Promise<BroadcastRecord | null> {
    return (await broadcastsWhere(this.db, this.s, 'WHERE key = $1', [key]))[0] ?? null;
  }

  async list(): Promise<BroadcastRecord[]> {
    return broadcastsWhere(this.db, this.s, 'ORDER BY created_at DESC, seq DESC', []);
  }

  async facts(id: string): Promise<BroadcastFacts | null> {
    const b = await this.get(id);
    return b ? broadcastFacts(this.db, this.s, b) : null;
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
    const { param, values } = pgParams();
    const s = this.s;
    const due = sweepDueSql((name) => `${s}.${name}`, selection, now, param);
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM ${s}.broadcasts b WHERE status = 'open' AND ${due} ORDER BY created_at, seq`,
      values,
    );
    return rows.map((r) => r.id);
  }

  rows(id: string, state?: string): AsyncIterable<RecipientRow> {
    return recipientRows(this.db, id, state);
  }

  async metrics(now: number): Promise<MetricsFacts> {
    return metricsFacts(this.db, now);
  }

  async health(_now: number, opts: { failedSince: number; stuckBefore: number }): Promise<HealthFacts> {
    return healthFacts(this.db, opts);
  }
}
