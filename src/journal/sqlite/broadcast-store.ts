// Reading broadcasts and their facts, and the operator's commands on them (cancel, retry-failed).

import type { BroadcastFacts, BroadcastStore, HealthFacts, MetricsFacts, RecipientRow } from '../../core/journal.js';
import type { RetrySelection } from '../../core/rules/retry-eligibility.js';
import type { BroadcastRecord } from '../../core/types.js';
import { fromRaw, type RawBroadcast } from '../shared/broadcast-row.js';
import { retryFilterSql } from '../shared/retry-filter.js';
import { sweepDueSql } from '../shared/sweep.js';
import { type Db, writeTx } from './db.js';
import { healthFacts, metricsFacts } from './health.js';
import type { JournalFile } from './journal-file.js';
import { sqliteParams } from './queries.js';
import { recipientRows } from './recipient-rows.js';
import { broadcastFacts, getBroadcast, records as stmts } from './records.js';

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
    const due = sweepDueSql((name) => name, selection, now, param);
    return this.file.run(
      () =>
        this.db
          .prepare(`SELECT id FROM broadcasts b WHERE status = 'open' AND ${due} ORDER BY created_at, rowid`)
          .pluck()
          .all(...values) as string[],
    );
  }

  rows(id: string, state?: string): AsyncIterable<RecipientRow> {
    const { db, file } = this;
    return (async function* () {
      yield* file.run(() => recipientRows(db, id, state));
    })();
  }

  async metrics(now: number): Promise<MetricsFacts> {
    return this.file.run(() => metricsFacts(this.db, now));
  }

  async health(_now: number, opts: { failedSince: number; stuckBefore: number }): Promise<HealthFacts> {
    return this.file.run(() => healthFacts(this.db, opts));
  }
}
