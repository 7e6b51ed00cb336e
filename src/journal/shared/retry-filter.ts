// The retry-eligibility rule (src/core/rules/retry-eligibility.ts) as a SQL condition on the
// recipients table, for both SQL adapters. Values are bound, never spliced: `param` turns a value
// into the adapter's placeholder (? for SQLite, $n for PostgreSQL) and remembers it.
import { eligibilityClauses, type RetrySelection } from '../../core/rules/retry-eligibility.js';

export function retryFilterSql(sel: RetrySelection, now: number, param: (value: unknown) => string, alias = ''): string {
  const col = (name: string) => `${alias}${name}`;
  const list = (values: readonly string[]) => values.map((v) => param(v)).join(', ');
  const parts = eligibilityClauses(sel).map((c) => {
    const state = `${col('state')} = ${param(c.state)}`;
    if ('classIn' in c) {
      const due = c.due ? ` AND ${col('next_attempt_at')} <= ${param(now)}` : '';
      return `(${state} AND ${col('error_class')} IN (${list(c.classIn)})${due})`;
    }
    if ('classNotIn' in c) return `(${state} AND coalesce(${col('error_class')}, '') NOT IN (${list(c.classNotIn)}))`;
    return `(${state})`;
  });
  const rounds = sel.maxRounds === undefined ? '' : ` AND ${col('retry_rounds')} < ${param(sel.maxRounds)}`;
  return `((${parts.join(' OR ')})${rounds})`;
}
