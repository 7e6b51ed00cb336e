// cancel: nothing more is sent. Open rows become skipped; a runner in progress sees the broadcast
// cancelled at its next exchange and stops after the requests it has in flight. A finished
// broadcast keeps its state: cancelling it would only rewrite its history.
import type { Journal, OwnerAlive } from '../journal.js';
import { openCount } from '../rules/broadcast-state.js';
import type { BroadcastStatus } from '../types.js';
import { broadcastStatus, requireBroadcast } from './broadcasts.js';

export interface CancelSummary {
  id: string;
  /** false: it was cancelled already, or had nothing left to send. */
  changed: boolean;
  /** Rows that will not be sent. */
  skipped: number;
  status: BroadcastStatus;
}

export async function cancelBroadcast(journal: Journal, id: string, now: number, ownerAlive: OwnerAlive): Promise<CancelSummary> {
  await requireBroadcast(journal, id);
  const before = await broadcastStatus(journal, id, now, ownerAlive);
  const retryable = await journal.broadcasts.countEligible(id, {}, now);
  if (before.state === 'cancelled' || (openCount(before.counts) === 0 && retryable === 0)) {
    return { id, changed: false, skipped: 0, status: before };
  }
  const skipped = await journal.broadcasts.cancel(id, now);
  return { id, changed: true, skipped, status: await broadcastStatus(journal, id, now, ownerAlive) };
}
