// A broadcast's state is derived from its rows plus the few facts stored on it (DESIGN §6), so it
// can never disagree with the journal.
import type { BroadcastState, StateCounts, StoredStatus } from '../types.js';

export interface StateFacts {
  stored: StoredStatus;
  leaseLive: boolean;
  counts: StateCounts;
  /** Any HTTP attempt was ever made. */
  attempted: boolean;
  /**
   * Failed rows that the API never accepted (a send error). A row the API accepted that a webhook
   * later reported failed is a delivery failure: the broadcast itself still completed.
   */
  failedUnaccepted: number;
}

export function deriveState(f: StateFacts): BroadcastState {
  if (f.stored === 'cancelled') return 'cancelled';
  if (f.leaseLive) return 'running';
  if (f.stored === 'halted') return 'halted';
  const c = f.counts;
  const open = openCount(c);
  if (!f.attempted && open > 0) return 'planned';
  if (open > 0) return 'paused';
  const accepted = acceptedCount(c, f.failedUnaccepted);
  const bad = f.failedUnaccepted + c.unknown;
  if (bad === 0) return 'completed';
  return accepted === 0 ? 'failed' : 'partial';
}

/**
 * Messages the API accepted (it returned a wamid), including those whose delivery failed afterwards;
 * `failedUnaccepted` is the failed rows without a wamid. The base the delivery rates are taken over.
 */
export function acceptedCount(c: StateCounts, failedUnaccepted: number): number {
  return c.sent + c.delivered + c.read + (c.failed - failedUnaccepted);
}

/** Rows that still need a request: what `resume` would work on. */
export function openCount(c: StateCounts): number {
  return c.pending + c.retry + c.sending;
}
