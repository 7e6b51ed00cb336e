// What the engine needs from the journal (DESIGN §3 rules 2–4, 6). The SQLite implementation is
// src/journal/send-store.ts; a PostgreSQL one would implement the same (DESIGN §10).
import type { Decision } from './retry-policy.js';
import type { SendOutcome } from './sender.js';
import type { RecipientToSend, StateCounts } from './types.js';

export interface AttemptRecord {
  recipient: RecipientToSend;
  startedAt: number;
  finishedAt: number;
  outcome: SendOutcome;
  decision: Decision;
}

export interface SendStore {
  /** Rows left `sending` by a dead runner become `unknown` (rule 4). Returns how many. */
  recoverOrphans(broadcastId: string, now: number): number;
  /**
   * Durably marks up to `limit` sendable rows `sending` (attempts + 1) and returns them (rule 2):
   * due retries first, then pending rows in plan order. Rows whose phone opted out meanwhile become
   * `skipped` instead and are not returned.
   */
  claim(broadcastId: string, limit: number, now: number): RecipientToSend[];
  /** Writes a group of outcomes in one transaction (rule 3). */
  record(records: AttemptRecord[], now: number): void;
  /** Puts rows back to `pending` (payload halt: the spec, not the rows, was wrong). */
  requeue(recipientIds: number[], now: number): void;
  /** Earliest next_attempt_at of rows waiting in `retry`, or null when none. */
  nextRetryAt(broadcastId: string): number | null;
  pairRateHits(recipientId: number): number;
  counts(broadcastId: string): StateCounts;
  setHalted(broadcastId: string, reason: string): void;
  /** Clears a stored halt when a run starts again. */
  reopen(broadcastId: string): void;
  renewLease(broadcastId: string, owner: string, ttlMs: number, now: number): boolean;
  releaseLease(broadcastId: string, owner: string): void;
  /** Applies webhook events that were waiting for a wamid this run has just recorded. */
  applyPendingEvents(now: number): void;
}
