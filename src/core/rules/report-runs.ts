// How long each run of a broadcast really lasted, shared by the adapters (the width of the
// timeline's buckets) and the report use case (sending time, the runs table). A run that ended
// cleanly has its end logged; one whose process died has none, and its end is read off the lease:
// the dead owner's lease expires one TTL after its last renewal, and a takeover starts the next run.
import type { RunFact } from '../report-facts.js';
import type { BroadcastRecord } from '../types.js';

type Lease = Pick<BroadcastRecord, 'leaseOwner' | 'leaseExpiresAt'>;

/**
 * The end of runs[i] (ms): its logged end; else, while its owner still holds the lease, the lease
 * expiry (never past now); else the start of the next run; else now. Never before its start.
 */
export function runEnd(runs: readonly RunFact[], i: number, lease: Lease, now: number): number {
  const r = runs[i]!;
  const next = runs[i + 1]?.startedAt;
  let end: number;
  if (r.endedAt !== null) end = r.endedAt;
  else if (lease.leaseOwner === r.owner && lease.leaseExpiresAt !== null) end = Math.min(lease.leaseExpiresAt, now);
  else end = next ?? now;
  if (next !== undefined) end = Math.min(end, next);
  return Math.max(r.startedAt, end);
}

/** Milliseconds spent in runs: the sending time, without the pauses between them. */
export function activeMs(runs: readonly RunFact[], lease: Lease, now: number): number {
  return runs.reduce((sum, r, i) => sum + (runEnd(runs, i, lease, now) - r.startedAt), 0);
}

/** Bucket widths a reader can say out loud (seconds). */
const NICE_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/**
 * The timeline's bucket width (ms): the shortest nice width that covers the sending time in about
 * `target` buckets. Pauses between runs do not count (they are drawn as breaks), so a broadcast
 * resumed a week later keeps 1-second bars. Without a runs log (a journal from before runs were
 * logged), 1 s: the renderer merges bars when there are too many.
 */
export function timelineBucketMs(runs: readonly RunFact[], lease: Lease, now: number, target: number): number {
  const wanted = activeMs(runs, lease, now) / Math.max(1, target);
  const nice = NICE_S.find((s) => s * 1000 >= wanted);
  return nice === undefined ? Math.ceil(wanted / 86_400_000) * 86_400_000 : nice * 1000;
}

const OUTCOMES: Record<string, string> = {
  done: 'done',
  halted: 'halted',
  pending: 'stopped: retries later',
  limit: 'stopped: --limit reached',
  interrupted: 'interrupted',
  lease_lost: 'stopped: another process took over',
  cancelled: 'cancelled',
  journal: 'stopped: journal error',
};

/** A run's outcome in words: its stop reason, or what a missing end means. */
export function runOutcome(r: RunFact, stillRunning: boolean): string {
  if (r.outcome !== null) return OUTCOMES[r.outcome] ?? r.outcome;
  return stillRunning ? 'running' : 'ended without a record (the process stopped)';
}
