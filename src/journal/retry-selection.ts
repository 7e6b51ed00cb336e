// Which rows `retry-failed` sends again, and which broadcasts have such rows (the cron form).
import type { Db } from './db.js';

export interface RetrySelection {
  /** Also failed rows whose error was permanent or a payload error (--all-errors). */
  allErrors?: boolean;
  /** Also `unknown` rows: they may have been delivered already (--include-unknown). */
  includeUnknown?: boolean;
}

/** The failed rows eligible by default: a retryable error that ran out of attempts, or a 24 h deferral that is due. */
function eligibleSql(sel: RetrySelection): string {
  const parts = ["(state = 'failed' AND error_class IN ('retryable', 'throttle', 'unreachable', 'unknown'))",
    "(state = 'failed' AND error_class = 'defer_24h' AND next_attempt_at <= @now)"];
  if (sel.allErrors) parts.push("(state = 'failed' AND coalesce(error_class, '') NOT IN ('defer_24h', 'opted_out'))");
  if (sel.includeUnknown) parts.push("state = 'unknown'");
  return parts.join(' OR ');
}

/** Moves eligible rows back to pending with a fresh set of attempts (the attempts table keeps the history). */
export function requeueForRetry(db: Db, broadcastId: string, sel: RetrySelection, now: number): number {
  return db.prepare(`UPDATE recipients SET state = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = @now
    WHERE broadcast_id = @id AND (${eligibleSql(sel)})`).run({ id: broadcastId, now }).changes;
}

/** How many rows `retry-failed` with this selection would queue again now. */
export function countEligibleForRetry(db: Db, broadcastId: string, sel: RetrySelection, now: number): number {
  return db.prepare(`SELECT count(*) FROM recipients WHERE broadcast_id = @id AND (${eligibleSql(sel)})`).pluck().get({ id: broadcastId, now }) as number;
}

/**
 * Broadcasts (oldest first) with retries due now or eligible failed rows, excluding cancelled and halted ones (a halt needs a fix and `resume`).
 * The unqualified columns of eligibleSql resolve to `r`: broadcasts has none of them.
 */
export function broadcastsWithRetries(db: Db, sel: RetrySelection, now: number): string[] {
  return db.prepare(`SELECT id FROM broadcasts b WHERE status = 'open' AND EXISTS (
      SELECT 1 FROM recipients r WHERE r.broadcast_id = b.id AND (
        (r.state = 'retry' AND r.next_attempt_at <= @now) OR (${eligibleSql(sel)})))
    ORDER BY created_at, rowid`).pluck().all({ now }) as string[];
}

/** Cancel: nothing more is sent; open rows become skipped. */
export function cancelBroadcast(db: Db, broadcastId: string, now: number): number {
  return db.transaction(() => {
    db.prepare("UPDATE broadcasts SET status = 'cancelled', reason = 'cancelled by the operator' WHERE id = ?").run(broadcastId);
    return db.prepare(`UPDATE recipients SET state = 'skipped', error_class = 'cancelled', error_detail = 'broadcast cancelled',
      next_attempt_at = NULL, updated_at = ? WHERE broadcast_id = ? AND state IN ('pending', 'retry')`).run(now, broadcastId).changes;
  }).immediate();
}
