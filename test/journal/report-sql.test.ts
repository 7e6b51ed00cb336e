// The report SQL both adapters share (src/journal/shared/report-sql.ts), run on SQLite in its two
// forms: a broadcast's attempts through a join on its recipients, and through the range of its
// recipients' ids when they have no gap. Both must give the same rows; the range is taken only
// when the ids prove it safe.
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { zeroStateCounts } from '../../src/core/types.js';
import { attemptScope, prefixPlan } from '../../src/journal/shared/report-rows.js';
import * as sql from '../../src/journal/shared/report-sql.js';
import { tempJournal } from '../helpers/journal.js';
import { exchangeOf, OWNER, outcomes, planned, recordOf, T } from './conformance/harness.js';

function run(db: Database.Database, build: (p: (v: unknown) => string) => string): unknown[] {
  const values: unknown[] = [];
  const text = build((v) => {
    values.push(v);
    return '?';
  });
  return db.prepare(text).all(...values.map((v) => (Number.isSafeInteger(v) ? BigInt(v as number) : v)));
}

describe('shared report SQL', () => {
  it('the range form reads the same attempts as the join, and is used only when the ids have no gap', async () => {
    const { journal, path, dir } = tempJournal();
    const before = await planned(journal, 3, { key: 'before' }); // ids 1-3: another broadcast's attempts around ours
    const id = await planned(journal, 5, { key: 'ours', start: 10 });
    const after = await planned(journal, 2, { key: 'after', start: 20 });
    for (const [b, n] of [
      [before, 3],
      [id, 5],
      [after, 2],
    ] as const) {
      await journal.runs.acquireLease(b, OWNER, 30_000, T, () => true);
      const { claimed } = await exchangeOf(journal, b, { claim: n });
      await exchangeOf(journal, b, {
        records: claimed.map((r, i) =>
          recordOf(
            r,
            i % 3 === 0
              ? outcomes.error(130429, 'throttle', 429)
              : i % 3 === 1
                ? outcomes.accepted(`w.${r.id}`)
                : outcomes.unknown(),
            T + i * 700,
          ),
        ),
      });
    }
    await journal.close();
    const db = new Database(path, { readonly: true });
    const range = run(db, (p) => sql.recipientRangeSql(p, id))[0] as Record<string, unknown>;
    const scope = attemptScope(id, range);
    expect(scope).toEqual({ fromId: 4, toId: 8 });
    const join = { broadcastId: id };
    expect(run(db, (p) => sql.timelineSql(p, scope, 1000))).toEqual(run(db, (p) => sql.timelineSql(p, join, 1000)));
    expect(run(db, (p) => sql.requestErrorsSql(p, scope, 2))).toEqual(run(db, (p) => sql.requestErrorsSql(p, join, 2)));
    expect((run(db, (p) => sql.timelineSql(p, scope, 1000)) as { started: number }[]).reduce((n, r) => n + r.started, 0)).toBe(5);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [
      { lo: 4, hi: 8, n: 5 },
      { fromId: 4, toId: 8 },
    ],
    [{ lo: 4, hi: 9, n: 5 }, { broadcastId: 'b1' }], // a gap: another broadcast's row inside
    [{ lo: null, hi: null, n: 0 }, { broadcastId: 'b1' }],
    [undefined, { broadcastId: 'b1' }],
  ])('attemptScope(%j) = %j', (row, scope) => {
    expect(attemptScope('b1', row)).toEqual(scope);
  });

  it('prefix counts leave out the largest class of states (never failed: its wamid splits it)', () => {
    const counts = (c: Partial<ReturnType<typeof zeroStateCounts>>) => ({ ...zeroStateCounts(), ...c });
    expect(prefixPlan(counts({ delivered: 5, read: 4, sent: 6 }))).toMatchObject({ leftOut: 'delivered' });
    expect(prefixPlan(counts({ delivered: 5, sent: 6 })).states).toEqual([
      'pending',
      'sending',
      'retry',
      'delivered',
      'read',
      'failed',
      'unknown',
      'skipped',
    ]);
    expect(prefixPlan(counts({ pending: 9, sent: 1, failed: 50 }))).toMatchObject({ leftOut: 'open' });
  });
});
