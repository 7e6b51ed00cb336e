// retry-failed: one broadcast, or (no id) the cron sweep over every broadcast with retries due.
// The checks that change nothing (cancelled, target, lease) come before any row is queued again:
// runBroadcast queues the rows under its own lease.
import { WaSendError } from '../errors.js';
import type { RetrySelection } from '../rules/retry-eligibility.js';
import {
  type RequestedTarget,
  type RunDeps,
  type RunSettings,
  type RunSummary,
  runBroadcast,
  targetMismatch,
} from './run-broadcast.js';

/**
 * The sweep leaves alone rows it has already queued again this many times: a number that always
 * fails (131000 every time, say) gets 1 + SWEEP_MAX_ROUNDS rounds of --max-attempts, not fresh
 * attempts every 15 minutes forever. `retry-failed <id>` has no such limit: the operator asked.
 */
export const SWEEP_MAX_ROUNDS = 3;

export interface RetryRequest {
  /** Absent: every broadcast with retries due (the cron form). */
  id?: string;
  selection: RetrySelection;
  requested: RequestedTarget;
  settings: RunSettings;
}

export type SweepEntry =
  | { id: string; run: RunSummary }
  /** Not attempted: planned for another target than the one this sweep sends to. */
  | { id: string; skipped: string }
  /** Not attempted: its own settings are wrong (its profile's token missing, say); the others still run. */
  | { id: string; refused: WaSendError };

export async function retryFailed(deps: RunDeps, req: RetryRequest): Promise<SweepEntry[]> {
  const run = (id: string, selection: RetrySelection) =>
    runBroadcast(deps, { id, mode: 'retry-failed', requested: req.requested, settings: req.settings, retry: selection });
  if (req.id !== undefined) return [{ id: req.id, run: await run(req.id, req.selection) }];

  const selection = { ...req.selection, maxRounds: SWEEP_MAX_ROUNDS };
  const ids = await deps.journal.broadcasts.withRetriesDue(selection, deps.clock.now());
  const entries: SweepEntry[] = [];
  for (const id of ids) {
    const b = await deps.journal.broadcasts.get(id);
    const skipped = b === null ? null : targetMismatch(b, req.requested);
    if (skipped !== null) {
      deps.notice?.(`Broadcast ${id}: skipped, ${skipped}.`);
      entries.push({ id, skipped });
      continue;
    }
    let summary: RunSummary;
    try {
      summary = await run(id, selection);
    } catch (err) {
      // A broadcast that cannot be sent as it stands (exit 2) must not keep a cron sweep from the
      // others; anything else (the journal, a bug) stops the sweep.
      if (!(err instanceof WaSendError) || err.kind !== 'usage') throw err;
      entries.push({ id, refused: err });
      continue;
    }
    entries.push({ id, run: summary });
    // An operator's Ctrl-C stops the whole sweep, not just this broadcast.
    if (summary.outcome.kind === 'ran' && summary.outcome.engine.stop === 'interrupted') break;
    if (deps.budget && deps.budget.remaining() <= 0) break;
  }
  return entries;
}
