// Running a broadcast in PostgreSQL (DESIGN §3 rules 2-4, 6). The lease is a row lock plus a TTL:
// acquiring reads the broadcast FOR UPDATE, so two boxes cannot both win; every exchange renews it
// and the number's lease (number-lease.ts) atomically with recording the answers (guarded by state
// and claimant) and claiming (FOR UPDATE SKIP LOCKED): in one statement when there is nothing to
// give back (exchange.ts), otherwise in a transaction whose statements keep SQLite's order
// (leases, records, releases, requeues, halt, claim).
import type {
  DailyUsage,
  ExchangeRequest,
  ExchangeResult,
  LeaseResult,
  NumberLeaseResult,
  OwnerAlive,
  PreparedRun,
  RunLog,
  RunStore,
} from '../../core/journal.js';
import { leaseIsLive } from '../../core/rules/status.js';
import type { StoredStatus } from '../../core/types.js';
import { claimRows } from './claim.js';
import { canExchangeInOneStatement, exchangeInOneStatement } from './exchange.js';
import { acquireNumberLease, dailyUsage, numberLeaseSql, releaseNumberLease } from './number-lease.js';
import type { Conn, PgDb } from './pool.js';
import { writeRecords } from './records.js';

function statements(s: string) {
  return {
    // One round trip: renew both leases if ours, and the broadcast's status either way.
    renew: `WITH renewed AS (UPDATE ${s}.broadcasts SET lease_expires_at = $3 WHERE id = $1 AND lease_owner = $2 RETURNING status),
      numbered AS (${numberLeaseSql(
        s,
        { sender: '$4', owner: '$2', broadcast: '$1', expires: '$3::bigint', now: '$5::bigint' },
        'EXISTS (SELECT 1 FROM renewed)',
      )})
      SELECT (SELECT status FROM renewed) AS renewed, EXISTS (SELECT 1 FROM numbered) AS numbered,
        (SELECT status FROM ${s}.broadcasts WHERE id = $1) AS status`,
    release: `UPDATE ${s}.recipients SET state = 'pending', attempts = greatest(0, attempts - 1), next_attempt_at = NULL, updated_at = $3
      WHERE id = ANY($1::bigint[]) AND claimed_by = $2 AND state IN ('sending', 'unknown')`,
    requeue: `UPDATE ${s}.recipients SET state = 'pending', next_attempt_at = NULL, failed_at = NULL, updated_at = $2
      WHERE id = ANY($1::bigint[]) AND state IN ('failed', 'retry', 'pending')`,
    halt: `UPDATE ${s}.broadcasts SET status = 'halted', reason = $2 WHERE id = $1 AND status = 'open'`,
    nextRetry: `SELECT min(next_attempt_at) AS at FROM ${s}.recipients WHERE broadcast_id = $1 AND state = 'retry'`,
    reopen: `UPDATE ${s}.broadcasts SET status = 'open', reason = NULL WHERE id = $1 AND status = 'halted'`,
    orphans: `UPDATE ${s}.recipients SET state = 'unknown', error_class = 'unknown', error_code = NULL,
      error_title = 'No answer recorded (may have been sent)',
      error_detail = 'the process sending it stopped before the answer was recorded', updated_at = $2
      WHERE broadcast_id = $1 AND state = 'sending'`,
    // An answer recorded in attempts (a late one, or one whose row update was lost) settles an unknown row.
    settle: `UPDATE ${s}.recipients r SET state = 'sent', wamid = a.wamid, sent_at = coalesce(r.sent_at, a.at),
        error_code = NULL, error_title = NULL, error_detail = NULL, error_class = NULL, next_attempt_at = NULL, updated_at = $2
      FROM (SELECT DISTINCT ON (a.recipient_id) a.recipient_id, a.detail AS wamid,
              max(a.finished_at) OVER (PARTITION BY a.recipient_id) AS at
            FROM ${s}.attempts a JOIN ${s}.recipients u ON u.id = a.recipient_id
            WHERE u.broadcast_id = $1 AND u.state = 'unknown' AND a.outcome = 'accepted'
            ORDER BY a.recipient_id, a.id DESC) a
      WHERE r.id = a.recipient_id AND r.state = 'unknown'`,
  };
}

export class PgRunStore implements RunStore {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly db: PgDb,
    /** Applies webhook events that were waiting for the wamids just recorded. */
    private readonly applyEvents: (now: number) => Promise<unknown>,
    /** The same, in the background: a run does not wait for it (the receivers apply events too). */
    private readonly applyEventsSoon: (now: number) => void,
  ) {
    this.sql = statements(db.loc.schema);
  }

  async acquireLease(id: string, owner: string, ttlMs: number, now: number, ownerAlive: OwnerAlive): Promise<LeaseResult> {
    const s = this.db.loc.schema;
    return this.db.tx(async (c): Promise<LeaseResult> => {
      // The row lock makes this check-and-take atomic against another box doing the same.
      const [b] = await c.rows<{ lease_owner: string | null; lease_expires_at: number | null }>(
        `SELECT lease_owner, lease_expires_at FROM ${s}.broadcasts WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!b) throw new Error(`no broadcast ${id}`);
      const lease = { leaseOwner: b.lease_owner, leaseExpiresAt: b.lease_expires_at };
      if (b.lease_owner !== null && b.lease_owner !== owner && leaseIsLive(lease, now, ownerAlive)) {
        return { ok: false, holder: b.lease_owner };
      }
      await c.run(`UPDATE ${s}.broadcasts SET lease_owner = $2, lease_expires_at = $3 WHERE id = $1`, [id, owner, now + ttlMs]);
      return { ok: true };
    });
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    const s = this.db.loc.schema;
    await this.db.run(
      `UPDATE ${s}.broadcasts SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2`,
      [id, owner],
    );
  }

  async acquireNumberLease(
    sender: string,
    broadcastId: string,
    owner: string,
    ttlMs: number,
    now: number,
    ownerAlive: OwnerAlive,
  ): Promise<NumberLeaseResult> {
    return acquireNumberLease(this.db, { sender, broadcastId, owner, ttlMs, now }, ownerAlive);
  }

  async releaseNumberLease(sender: string, owner: string): Promise<void> {
    await releaseNumberLease(this.db, sender, owner);
  }

  async dailyUsage(sender: string, since: number): Promise<DailyUsage> {
    return dailyUsage(this.db, sender, since);
  }

  async prepareRun(id: string, _owner: string, now: number): Promise<PreparedRun> {
    const prepared = await this.db.tx(async (c) => {
      await c.run(this.sql.reopen, [id]);
      const orphans = await c.run(this.sql.orphans, [id, now]);
      const settled = await c.run(this.sql.settle, [id, now]);
      return { orphans, settled };
    });
    await this.applyEvents(now); // webhooks that arrived for them may settle them at once
    return prepared;
  }

  async exchange(x: ExchangeRequest): Promise<ExchangeResult> {
    const { eventsPending, ...result } = canExchangeInOneStatement(x)
      ? await this.exchangeFast(x)
      : { ...(await this.db.tx((c) => this.exchangeTx(c, x))), eventsPending: true };
    // Events waiting for the wamids just written. Not awaited: the answers are committed whatever
    // happens to it, and the engine starts no request until this returns.
    if (eventsPending && x.records.some((r) => r.outcome.kind === 'accepted')) this.applyEventsSoon(x.now);
    return result;
  }

  async logRunStart(run: RunLog): Promise<number> {
    const [row] = await this.db.query<{ id: number }>(
      `INSERT INTO ${this.db.loc.schema}.runs (broadcast_id, mode, owner, rate, concurrency, started_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [run.broadcastId, run.mode, run.owner, run.rate, run.concurrency, run.startedAt],
    );
    return row!.id;
  }

  async logRunEnd(runId: number, outcome: string, reason: string | null, now: number): Promise<void> {
    await this.db.run(`UPDATE ${this.db.loc.schema}.runs SET ended_at = $1, outcome = $2, reason = $3 WHERE id = $4`, [
      now,
      outcome,
      reason,
      runId,
    ]);
  }

  private async exchangeFast(x: ExchangeRequest): Promise<ExchangeResult & { eventsPending: boolean }> {
    const s = this.db.loc.schema;
    const { more, ...result } = await this.db.withConnection((c) => exchangeInOneStatement(c, s, x));
    if (more === 0) return result;
    // Rare: rows were skipped (opted out after planning, already sent by another broadcast). Claim
    // again, as the SQLite journal does, in its own statement (which checks both leases itself).
    const again = await this.db.withConnection((c) => claimRows(c, s, x, more));
    const claimed = [...result.claimed, ...again.claimed];
    const nextRetryAt =
      claimed.length < x.claim
        ? ((await this.db.query<{ at: number | null }>(this.sql.nextRetry, [x.broadcastId]))[0]?.at ?? null)
        : null;
    return { ...result, claimed, skipped: result.skipped + again.skipped, nextRetryAt };
  }

  private async exchangeTx(c: Conn, x: ExchangeRequest): Promise<ExchangeResult> {
    const { sql } = this;
    const s = this.db.loc.schema;
    const [lease] = await c.rows<{ renewed: StoredStatus | null; numbered: boolean; status: StoredStatus | null }>(
      sql.renew,
      [x.broadcastId, x.owner, x.now + x.leaseTtlMs, x.sender, x.now],
      `wa_renew_${s}`,
    );
    const leaseHeld = lease?.renewed != null && lease.numbered;
    let status: StoredStatus = lease?.renewed ?? lease?.status ?? 'cancelled';
    if (x.records.length > 0) await writeRecords(c, s, x.records, x.owner, x.now);
    if (x.release.length > 0) await c.run(sql.release, [x.release, x.owner, x.now]);
    if (x.requeue.length > 0) await c.run(sql.requeue, [x.requeue, x.now]);
    if (x.halt !== null && (await c.run(sql.halt, [x.broadcastId, x.halt])) > 0) status = 'halted';
    const claim = leaseHeld && status === 'open' ? x.claim : 0;
    const { claimed, skipped } = claim > 0 ? await claimRows(c, s, x, claim) : { claimed: [], skipped: 0 };
    let nextRetryAt: number | null = null;
    if (claimed.length < x.claim)
      nextRetryAt = (await c.rows<{ at: number | null }>(sql.nextRetry, [x.broadcastId], `wa_next_retry_${s}`))[0]?.at ?? null;
    return { leaseHeld, status, claimed, skipped, nextRetryAt };
  }
}
