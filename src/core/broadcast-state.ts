// A broadcast's state is derived from its rows plus the few facts stored on it (DESIGN §6), so it
// can never disagree with the journal.
import type { BroadcastState, StateCounts } from './types.js';

export interface StateFacts {
  stored: 'open' | 'halted' | 'cancelled';
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
  const open = c.pending + c.retry + c.sending;
  if (!f.attempted && open > 0) return 'planned';
  if (open > 0) return 'paused';
  const accepted = c.sent + c.delivered + c.read + (c.failed - f.failedUnaccepted);
  const bad = f.failedUnaccepted + c.unknown;
  if (bad === 0) return 'completed';
  return accepted === 0 ? 'failed' : 'partial';
}

/** Rows that still need a request: what `resume` would work on. */
export function openCount(c: StateCounts): number {
  return c.pending + c.retry + c.sending;
}
