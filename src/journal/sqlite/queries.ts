// Small reads shared by the SQLite stores.
import { RECIPIENT_STATES, type RecipientState, type StateCounts, zeroStateCounts } from '../../core/types.js';
import { type Db, perConnection } from './db.js';

const stmts = perConnection((db) => ({
  stateCounts: db.prepare('SELECT state, count(*) AS n FROM recipients WHERE broadcast_id = ? GROUP BY state'),
  nextRetry: db.prepare("SELECT min(next_attempt_at) FROM recipients WHERE broadcast_id = ? AND state = 'retry'").pluck(),
}));

/** Recipients of a broadcast by state (every state present, 0 when none). */
export function stateCounts(db: Db, broadcastId: string): StateCounts {
  const counts = zeroStateCounts();
  for (const r of stmts(db).stateCounts.all(broadcastId) as { state: RecipientState; n: number }[]) {
    if (RECIPIENT_STATES.includes(r.state)) counts[r.state] = r.n;
  }
  return counts;
}

/** When the earliest scheduled retry is due (Unix ms), or null when none is scheduled. */
export function nextRetryAtMs(db: Db, broadcastId: string): number | null {
  return stmts(db).nextRetry.get(broadcastId) as number | null;
}

/** A SQLite placeholder binder for shared SQL builders: collects the values in order. */
export function sqliteParams(): { param: (value: unknown) => string; values: unknown[] } {
  const values: unknown[] = [];
  return {
    values,
    param: (v) => {
      values.push(v);
      return '?';
    },
  };
}
