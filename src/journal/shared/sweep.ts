// Which open broadcasts the cron sweep (`retry-failed` without an id) takes up, as a SQL condition
// on a broadcasts row `b` for both SQL adapters: retries that are due or rows the selection makes
// eligible again; and pending rows left by a run that stopped for a reason of its own (the daily
// limit, an API that stopped answering, journal trouble) or died (never ended, its lease expired).
// Never a run a person stopped (Ctrl-C, --limit), a halt, or a broadcast that never sent.
import type { RetrySelection } from '../../core/rules/retry-eligibility.js';
import { retryFilterSql } from './retry-filter.js';

/** Last-run outcomes the sweep continues. */
const SWEEP_CONTINUES = ['daily_limit', 'pending', 'journal'];

export function sweepDueSql(
  table: (name: string) => string,
  selection: RetrySelection,
  now: number,
  param: (value: unknown) => string,
): string {
  // Built in the order the text uses them: positional placeholders (SQLite's ?) follow that order.
  const dueBy = param(now);
  const filter = retryFilterSql(selection, now, param, 'r.');
  const outcomes = SWEEP_CONTINUES.map((o) => param(o)).join(', ');
  const expiredBy = param(now);
  return `(EXISTS (SELECT 1 FROM ${table('recipients')} r WHERE r.broadcast_id = b.id
            AND ((r.state = 'retry' AND r.next_attempt_at <= ${dueBy}) OR ${filter}))
     OR (EXISTS (SELECT 1 FROM ${table('recipients')} r WHERE r.broadcast_id = b.id AND r.state = 'pending')
         AND EXISTS (SELECT 1 FROM ${table('runs')} x
           WHERE x.id = (SELECT id FROM ${table('runs')} WHERE broadcast_id = b.id ORDER BY started_at DESC, id DESC LIMIT 1)
             AND (x.outcome IN (${outcomes}) OR (x.ended_at IS NULL AND coalesce(b.lease_expires_at, 0) <= ${expiredBy})))))`;
}
