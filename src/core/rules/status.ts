// The status object of DESIGN §11, computed from the journal's facts (never from counters that
// could drift), and the lease liveness rule shared by every adapter.
import type { BroadcastFacts, OwnerAlive } from '../journal.js';
import { type BroadcastRecord, type BroadcastStatus, RECIPIENT_STATES, zeroRejectionCounts } from '../types.js';
import { acceptedCount, deriveState } from './broadcast-state.js';

export function leaseIsLive(
  b: Pick<BroadcastRecord, 'leaseOwner' | 'leaseExpiresAt'>,
  now: number,
  ownerAlive: OwnerAlive,
): boolean {
  return b.leaseOwner !== null && (b.leaseExpiresAt ?? 0) > now && ownerAlive(b.leaseOwner);
}

export function buildStatus(facts: BroadcastFacts, now: number, ownerAlive: OwnerAlive): BroadcastStatus {
  const { broadcast: b, counts, failedUnaccepted } = facts;
  const recipients = RECIPIENT_STATES.reduce((n, s) => n + counts[s], 0);
  const state = deriveState({
    stored: b.status,
    leaseLive: leaseIsLive(b, now, ownerAlive),
    counts,
    attempted: facts.attempted,
    failedUnaccepted,
  });
  const accepted = acceptedCount(counts, failedUnaccepted);
  const delivered = counts.delivered + counts.read;
  return {
    id: b.id,
    name: b.name,
    key: b.key,
    state,
    reason: b.reason,
    created_at: new Date(b.createdAt).toISOString(),
    target: b.target,
    recipients,
    counts,
    rejections: { ...zeroRejectionCounts(), ...facts.rejections },
    errors: facts.errors,
    rows_read: b.rowsRead,
    source_file: b.sourceFile,
    accepted,
    send_failed: failedUnaccepted,
    delivery: {
      failed: counts.failed - failedUnaccepted,
      delivered,
      read: counts.read,
      delivered_rate: accepted === 0 ? null : round(delivered / accepted),
      read_rate: accepted === 0 ? null : round(counts.read / accepted),
    },
    next_retry_at: iso(facts.nextRetryAt),
    deferred_until: iso(facts.deferredUntil),
    last_run_at: iso(facts.lastRunEndedAt),
    sending_number: b.sender,
    profile: b.profile,
    last_run:
      facts.lastRun === null
        ? null
        : {
            mode: facts.lastRun.mode,
            outcome: facts.lastRun.outcome,
            reason: facts.lastRun.reason,
            ended_at: iso(facts.lastRun.endedAt),
          },
  };
}

const round = (x: number) => Math.round(x * 10000) / 10000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
