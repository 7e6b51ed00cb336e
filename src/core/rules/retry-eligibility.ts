// Which rows `retry-failed` sends again (DESIGN §1). The rule is data (clauses) so that both SQL
// adapters build the same filter from it, and a pure predicate (isEligible) states it for tests.

export interface RetrySelection {
  /** Also failed rows whose error was permanent or a payload error (--all-errors). */
  allErrors?: boolean;
  /** Also `unknown` rows: they may have been delivered already (--include-unknown). */
  includeUnknown?: boolean;
  /**
   * The cron sweep's bound: rows already queued again this many times by retry-failed are left
   * alone (a number that always fails must not get fresh attempts every 15 minutes forever).
   */
  maxRounds?: number;
}

/** Error classes of rows that failed only because they ran out of attempts on a transient error. */
export const RETRYABLE_CLASSES = ['retryable', 'throttle', 'unreachable', 'unknown', 'unexpected'] as const;
/** Never sent again by retry-failed: the user opted out, or Meta asks to wait (until due). */
const NEVER_WITH_ALL_ERRORS = ['defer_24h', 'opted_out'] as const;

export type EligibilityClause =
  /** due: only once next_attempt_at has passed (131049: not within 24 h). */
  | { state: 'failed'; classIn: readonly string[]; due?: true }
  | { state: 'failed'; classNotIn: readonly string[] }
  | { state: 'unknown' };

export function eligibilityClauses(sel: RetrySelection): EligibilityClause[] {
  const clauses: EligibilityClause[] = [
    { state: 'failed', classIn: RETRYABLE_CLASSES },
    { state: 'failed', classIn: ['defer_24h'], due: true },
  ];
  if (sel.allErrors) clauses.push({ state: 'failed', classNotIn: NEVER_WITH_ALL_ERRORS });
  if (sel.includeUnknown) clauses.push({ state: 'unknown' });
  return clauses;
}

export interface EligibilityRow {
  state: string;
  errorClass: string | null;
  nextAttemptAt: number | null;
  retryRounds: number;
}

export function isEligible(row: EligibilityRow, sel: RetrySelection, now: number): boolean {
  if (sel.maxRounds !== undefined && row.retryRounds >= sel.maxRounds) return false;
  return eligibilityClauses(sel).some((c) => {
    if (row.state !== c.state) return false;
    if ('classIn' in c) {
      if (!c.classIn.includes(row.errorClass ?? '')) return false;
      return !c.due || (row.nextAttemptAt !== null && row.nextAttemptAt <= now);
    }
    if ('classNotIn' in c) return !c.classNotIn.includes(row.errorClass ?? '');
    return true;
  });
}
