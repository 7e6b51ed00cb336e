// The run part of the journal port in memory, with the same rules as the SQL adapters (lease,
// writes guarded by owner and state, release, requeue, claims skipping opted-out phones), and a
// hook to make exchanges fail: the engine's unit suite runs against it on virtual time.
import type { AttemptRecord, ExchangeRequest, ExchangeResult, RunStore } from '../../src/core/journal.js';
import { type RecipientState, recipientKey, type StoredStatus } from '../../src/core/types.js';

export interface MemoryRow {
  id: number;
  phone: string;
  state: RecipientState;
  attempts: number;
  nextAttemptAt: number | null;
  errorCode: number | null;
  errorClass: string | null;
  wamid: string | null;
  claimedBy: string | null;
  pairRateHits: number;
}

export class MemoryRunStore implements Pick<RunStore, 'exchange'> {
  readonly rows = new Map<number, MemoryRow>();
  readonly attempts: AttemptRecord[] = [];
  readonly optouts = new Set<string>();
  status: StoredStatus = 'open';
  haltReason: string | null = null;
  lease: { owner: string; expiresAt: number } | null = null;
  exchanges = 0;
  /** Return an error to make this exchange fail (nothing is written). */
  failWith: ((x: ExchangeRequest) => Error | null) | null = null;

  constructor(
    readonly broadcastId: string,
    phones: string[],
    owner = 'test-owner',
  ) {
    phones.forEach((phone, i) =>
      this.rows.set(i + 1, {
        id: i + 1,
        phone,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: null,
        errorCode: null,
        errorClass: null,
        wamid: null,
        claimedBy: null,
        pairRateHits: 0,
      }),
    );
    this.lease = { owner, expiresAt: Infinity };
  }

  count(state: RecipientState): number {
    return [...this.rows.values()].filter((r) => r.state === state).length;
  }

  states(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rows.values()) out[r.state] = (out[r.state] ?? 0) + 1;
    return out;
  }

  async exchange(x: ExchangeRequest): Promise<ExchangeResult> {
    this.exchanges++;
    const failure = this.failWith?.(x) ?? null;
    if (failure) throw failure;
    const leaseHeld = this.lease?.owner === x.owner;
    if (leaseHeld) this.lease!.expiresAt = x.now + x.leaseTtlMs;
    for (const r of x.records) this.record(r, x.owner);
    for (const id of x.release) {
      const row = this.rows.get(id)!;
      if (row.claimedBy === x.owner && (row.state === 'sending' || row.state === 'unknown')) {
        Object.assign(row, { state: 'pending', attempts: Math.max(0, row.attempts - 1), nextAttemptAt: null });
      }
    }
    for (const id of x.requeue) {
      const row = this.rows.get(id)!;
      if (['failed', 'retry', 'pending'].includes(row.state)) Object.assign(row, { state: 'pending', nextAttemptAt: null });
    }
    if (x.halt !== null && this.status === 'open') {
      this.status = 'halted';
      this.haltReason = x.halt;
    }
    const claimed: ExchangeResult['claimed'] = [];
    let skipped = 0;
    if (leaseHeld && this.status === 'open') {
      const due = [...this.rows.values()]
        .filter((r) => r.state === 'retry' && (r.nextAttemptAt ?? 0) <= x.now)
        .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
      const pending = [...this.rows.values()].filter((r) => r.state === 'pending');
      for (const row of [...due, ...pending]) {
        if (claimed.length >= x.claim) break;
        if (this.optouts.has(row.phone)) {
          row.state = 'skipped';
          skipped++;
          continue;
        }
        Object.assign(row, { state: 'sending', attempts: row.attempts + 1, claimedBy: x.owner });
        claimed.push({
          id: row.id,
          broadcastId: this.broadcastId,
          phone: row.phone,
          vars: {},
          attempts: row.attempts,
          recipientKey: recipientKey(this.broadcastId, row.phone),
          pairRateHits: row.pairRateHits,
        });
      }
    }
    const retries = [...this.rows.values()].filter((r) => r.state === 'retry').map((r) => r.nextAttemptAt ?? 0);
    const nextRetryAt = claimed.length < x.claim && retries.length > 0 ? Math.min(...retries) : null;
    return { leaseHeld, status: this.status, claimed, skipped, nextRetryAt };
  }

  private record(r: AttemptRecord, owner: string): void {
    this.attempts.push(r);
    const row = this.rows.get(r.recipient.id)!;
    const ours = (row.state === 'sending' && row.claimedBy === owner) || row.state === 'unknown';
    if (!ours) return;
    const o = r.outcome;
    if (o.kind === 'accepted') {
      Object.assign(row, { state: 'sent', wamid: o.wamid, nextAttemptAt: null, errorCode: null, errorClass: null });
      return;
    }
    Object.assign(row, {
      state: r.decision.state,
      attempts: Math.max(0, row.attempts + r.decision.attemptsDelta),
      nextAttemptAt: r.decision.nextAttemptAt,
      errorCode: o.kind === 'error' ? o.code : null,
      errorClass: r.decision.errorClass,
    });
    if (o.kind === 'error' && o.errorClass === 'pair_rate') row.pairRateHits++;
    if (r.decision.optOut) this.optouts.add(row.phone);
  }
}
