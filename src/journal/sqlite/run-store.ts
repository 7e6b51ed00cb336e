// Running a broadcast in SQLite (DESIGN §3 rules 2-4, 6): the lease, orphan recovery, and the
// engine's one call, exchange: renew the lease, write answers, release and requeue, claim, all in
// one short IMMEDIATE transaction.
import type {
  AttemptRecord,
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
import { outcomeTitle } from '../../core/sender.js';
import { type RecipientToSend, recipientKey, type StoredStatus } from '../../core/types.js';
import { sentSinceSql } from '../shared/already-sent.js';
import { type Db, writeTx } from './db.js';
import type { JournalFile } from './journal-file.js';
import { addOptouts, isOptedIn, isOptedOut } from './optout-store.js';
import { nextRetryAtMs } from './queries.js';
import { getBroadcast } from './records.js';

interface ClaimRow {
  id: number;
  phone: string;
  vars: string | null;
  attempts: number;
  pair_rate_hits: number;
  message_hash: string | null;
}

/** How long the engine's connection waits for another writer before the engine backs off (async). */
const RUN_BUSY_TIMEOUT_MS = 250;

function prepare(db: Db) {
  const p = (sql: string) => db.prepare(sql);
  const ours = "((state = 'sending' AND claimed_by = @owner) OR state = 'unknown')";
  return {
    renew: p('UPDATE broadcasts SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?'),
    status: p('SELECT status FROM broadcasts WHERE id = ?').pluck(),
    halt: p("UPDATE broadcasts SET status = 'halted', reason = ? WHERE id = ? AND status = 'open'"),
    reopen: p("UPDATE broadcasts SET status = 'open', reason = NULL WHERE id = ? AND status = 'halted'"),
    orphans: p(`UPDATE recipients SET state = 'unknown', error_class = 'unknown', error_code = NULL,
      error_title = 'No answer recorded (may have been sent)',
      error_detail = 'the process sending it stopped before the answer was recorded', updated_at = ?
      WHERE broadcast_id = ? AND state = 'sending'`),
    // An answer that was recorded in attempts (a late one, or one whose row update was lost) settles an unknown row.
    settle: p(`UPDATE recipients SET state = 'sent',
        wamid = (SELECT a.detail FROM attempts a WHERE a.recipient_id = recipients.id AND a.outcome = 'accepted' ORDER BY a.id DESC LIMIT 1),
        sent_at = coalesce(sent_at, (SELECT max(a.finished_at) FROM attempts a WHERE a.recipient_id = recipients.id AND a.outcome = 'accepted')),
        error_code = NULL, error_title = NULL, error_detail = NULL, error_class = NULL, next_attempt_at = NULL, updated_at = ?
      WHERE broadcast_id = ? AND state = 'unknown'
        AND EXISTS (SELECT 1 FROM attempts a WHERE a.recipient_id = recipients.id AND a.outcome = 'accepted')`),
    dueRetries: p(`SELECT id, phone, vars, attempts, pair_rate_hits, message_hash FROM recipients
      WHERE broadcast_id = ? AND state = 'retry' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`),
    pending: p(`SELECT id, phone, vars, attempts, pair_rate_hits, message_hash FROM recipients
      WHERE broadcast_id = ? AND state = 'pending' AND next_attempt_at IS NULL ORDER BY id LIMIT ?`),
    markSending: p(
      "UPDATE recipients SET state = 'sending', attempts = attempts + 1, claimed_by = ?, updated_at = ? WHERE id = ?",
    ),
    markSkipped: p(`UPDATE recipients SET state = 'skipped', error_class = ?, error_detail = ?,
      next_attempt_at = NULL, updated_at = ? WHERE id = ?`),
    // The already-sent guard again at claim time: two overlapping broadcasts cannot both send.
    sentElsewhere: p(`SELECT r.broadcast_id FROM recipients r
      WHERE r.message_hash = @hash AND r.id <> @id AND ${sentSinceSql('r', '@since')} LIMIT 1`).pluck(),
    accepted: p(`UPDATE recipients SET state = 'sent', wamid = @wamid, sent_at = coalesce(sent_at, @at), next_attempt_at = NULL,
      error_code = NULL, error_title = NULL, error_detail = NULL, error_class = NULL, updated_at = @now
      WHERE id = @id AND ${ours}`),
    outcome: p(`UPDATE recipients SET state = @state, attempts = max(0, attempts + @delta), next_attempt_at = @next,
      error_code = @code, error_title = @title, error_detail = @detail, error_class = @class,
      failed_at = CASE WHEN @state = 'failed' THEN @at ELSE failed_at END,
      pair_rate_hits = pair_rate_hits + @pairHit, updated_at = @now
      WHERE id = @id AND ${ours}`),
    attempt: p(`INSERT INTO attempts (recipient_id, started_at, finished_at, http_status, error_code, outcome, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    release:
      p(`UPDATE recipients SET state = 'pending', attempts = max(0, attempts - 1), next_attempt_at = NULL, updated_at = @now
      WHERE id = @id AND claimed_by = @owner AND state IN ('sending', 'unknown')`),
    requeue: p(`UPDATE recipients SET state = 'pending', next_attempt_at = NULL, failed_at = NULL, updated_at = ?
      WHERE id = ? AND state IN ('failed', 'retry', 'pending')`),
    setLease: p('UPDATE broadcasts SET lease_owner = ?, lease_expires_at = ? WHERE id = ?'),
    numberLease: p('SELECT owner, broadcast_id AS broadcastId, expires_at AS expiresAt FROM number_leases WHERE sender = ?'),
    setNumberLease: p(`INSERT INTO number_leases (sender, owner, broadcast_id, expires_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (sender) DO UPDATE SET owner = excluded.owner, broadcast_id = excluded.broadcast_id, expires_at = excluded.expires_at`),
    // Renewed by every exchange; taken when missing or expired, never from another live holder.
    renewNumberLease:
      p(`INSERT INTO number_leases (sender, owner, broadcast_id, expires_at) VALUES (@sender, @owner, @id, @expires)
      ON CONFLICT (sender) DO UPDATE SET owner = excluded.owner, broadcast_id = excluded.broadcast_id, expires_at = excluded.expires_at
      WHERE number_leases.owner = excluded.owner OR number_leases.expires_at <= @now`),
    dropNumberLease: p('DELETE FROM number_leases WHERE sender = ? AND owner = ?'),
    requireOptin: p('SELECT require_optin FROM broadcasts WHERE id = ?').pluck(),
    // Recipients reached from a number in the window (the daily messaging limit): accepted, or in flight.
    dailyUsage: p(`SELECT count(DISTINCT r.phone) AS reached, min(r.sent_at) AS oldestAt FROM recipients r
      JOIN broadcasts b ON b.id = r.broadcast_id WHERE b.sender = @sender AND r.sent_at >= @since`),
    inFlightFrom: p(`SELECT count(*) FROM recipients r JOIN broadcasts b ON b.id = r.broadcast_id
      WHERE b.sender = ? AND r.state = 'sending'`).pluck(),
    dropLease: p('UPDATE broadcasts SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?'),
    runStart: p(`INSERT INTO runs (broadcast_id, mode, owner, rate, concurrency, started_at) VALUES (?, ?, ?, ?, ?, ?)`),
    runEnd: p('UPDATE runs SET ended_at = ?, outcome = ?, reason = ? WHERE id = ?'),
  };
}

export class SqliteRunStore implements RunStore {
  private readonly s: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
    /** Applies webhook events that were waiting for the wamids just recorded. */
    private readonly applyEvents: (now: number) => void,
  ) {
    this.s = prepare(db);
  }

  async acquireLease(id: string, owner: string, ttlMs: number, now: number, ownerAlive: OwnerAlive): Promise<LeaseResult> {
    return this.file.run(() =>
      writeTx(this.db, (): LeaseResult => {
        const b = getBroadcast(this.db, id);
        if (!b) throw new Error(`no broadcast ${id}`);
        if (b.leaseOwner !== null && b.leaseOwner !== owner && leaseIsLive(b, now, ownerAlive)) {
          return { ok: false, holder: b.leaseOwner };
        }
        this.s.setLease.run(owner, now + ttlMs, id);
        return { ok: true };
      }),
    );
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    this.file.run(() => this.s.dropLease.run(id, owner));
  }

  async acquireNumberLease(
    sender: string,
    broadcastId: string,
    owner: string,
    ttlMs: number,
    now: number,
    ownerAlive: OwnerAlive,
  ): Promise<NumberLeaseResult> {
    return this.file.run(() =>
      writeTx(this.db, (): NumberLeaseResult => {
        const held = this.s.numberLease.get(sender) as { owner: string; broadcastId: string; expiresAt: number } | undefined;
        const live = held && held.owner !== owner && held.expiresAt > now && ownerAlive(held.owner);
        if (held && live) return { ok: false, holder: held.owner, broadcastId: held.broadcastId };
        this.s.setNumberLease.run(sender, owner, broadcastId, now + ttlMs);
        return { ok: true };
      }),
    );
  }

  async releaseNumberLease(sender: string, owner: string): Promise<void> {
    this.file.run(() => this.s.dropNumberLease.run(sender, owner));
  }

  async dailyUsage(sender: string, since: number): Promise<DailyUsage> {
    return this.file.run(() => {
      const row = this.s.dailyUsage.get({ sender, since }) as { reached: number; oldestAt: number | null };
      // Rows in flight have no sent_at yet: each may reach a new person.
      return { reached: row.reached + (this.s.inFlightFrom.get(sender) as number), oldestAt: row.oldestAt };
    });
  }

  async prepareRun(id: string, _owner: string, now: number): Promise<PreparedRun> {
    const prepared = this.file.run(() =>
      writeTx(this.db, () => {
        this.s.reopen.run(id);
        const orphans = this.s.orphans.run(now, id).changes;
        const settled = this.s.settle.run(now, id).changes;
        return { orphans, settled };
      }),
    );
    this.file.run(() => this.applyEvents(now)); // webhooks that arrived for them may settle them at once
    return prepared;
  }

  async exchange(x: ExchangeRequest): Promise<ExchangeResult> {
    const result = this.file.run(() => writeTx(this.db, () => this.exchangeTx(x)), {
      busyTimeoutMs: RUN_BUSY_TIMEOUT_MS,
      checkIdentity: true,
    });
    // The exchange has committed: from here on nothing may make it look failed (the engine would
    // write its answers again and lose track of the rows it just claimed). Webhook events waiting for
    // these wamids are applied now if the journal allows; if not (busy), they stay pending and the
    // next exchange, prepareRun or the receiver applies them.
    if (x.records.some((r) => r.outcome.kind === 'accepted')) {
      try {
        this.file.run(() => this.applyEvents(x.now), { busyTimeoutMs: RUN_BUSY_TIMEOUT_MS });
      } catch {
        // left pending, see above
      }
    }
    this.file.afterWrite();
    return result;
  }

  async logRunStart(run: RunLog): Promise<number> {
    return this.file.run(() =>
      Number(this.s.runStart.run(run.broadcastId, run.mode, run.owner, run.rate, run.concurrency, run.startedAt).lastInsertRowid),
    );
  }

  async logRunEnd(runId: number, outcome: string, reason: string | null, now: number): Promise<void> {
    this.file.run(() => this.s.runEnd.run(now, outcome, reason, runId));
  }

  private exchangeTx(x: ExchangeRequest): ExchangeResult {
    const { s } = this;
    const leaseHeld =
      s.renew.run(x.now + x.leaseTtlMs, x.broadcastId, x.owner).changes === 1 &&
      s.renewNumberLease.run({ sender: x.sender, owner: x.owner, id: x.broadcastId, expires: x.now + x.leaseTtlMs, now: x.now })
        .changes === 1;
    for (const r of x.records) this.record(r, x.owner, x.now);
    for (const id of x.release) s.release.run({ id, owner: x.owner, now: x.now });
    for (const id of x.requeue) s.requeue.run(x.now, id);
    if (x.halt !== null) s.halt.run(x.halt, x.broadcastId);
    const status = (s.status.get(x.broadcastId) as StoredStatus | undefined) ?? 'cancelled';
    const claim = leaseHeld && status === 'open' ? x.claim : 0;
    const needsOptin = claim > 0 && s.requireOptin.get(x.broadcastId) === 1;
    const { claimed, skipped } = claim > 0 ? this.claim(x, claim, needsOptin) : { claimed: [], skipped: 0 };
    const nextRetryAt = claimed.length < x.claim ? nextRetryAtMs(this.db, x.broadcastId) : null;
    return { leaseHeld, status, claimed, skipped, nextRetryAt };
  }

  private claim(x: ExchangeRequest, limit: number, needsOptin: boolean) {
    const { s } = this;
    const { broadcastId, owner, now } = x;
    const claimed: RecipientToSend[] = [];
    let skipped = 0;
    while (claimed.length < limit) {
      const want = limit - claimed.length;
      let rows = s.dueRetries.all(broadcastId, now, want) as ClaimRow[];
      if (rows.length < want) rows = rows.concat(s.pending.all(broadcastId, want - rows.length) as ClaimRow[]);
      if (rows.length === 0) break;
      for (const r of rows) {
        const skip = this.skipReason(r, x.dedupSince, needsOptin);
        if (skip !== null) {
          s.markSkipped.run(skip.errorClass, skip.detail, now, r.id);
          skipped++;
          continue;
        }
        s.markSending.run(owner, now, r.id);
        claimed.push({
          id: r.id,
          broadcastId,
          phone: r.phone,
          attempts: r.attempts + 1,
          vars: r.vars ? (JSON.parse(r.vars) as Record<string, string>) : {},
          recipientKey: recipientKey(broadcastId, r.phone),
          pairRateHits: r.pair_rate_hits,
        });
      }
    }
    return { claimed, skipped };
  }

  /** Just before a send: an opt-out, or the identical message sent meanwhile by another broadcast. */
  private skipReason(r: ClaimRow, dedupSince: number | null, needsOptin: boolean): { errorClass: string; detail: string } | null {
    if (isOptedOut(this.db, r.phone)) return { errorClass: 'opted_out', detail: 'opted out after planning' };
    if (needsOptin && !isOptedIn(this.db, r.phone)) {
      return { errorClass: 'no_optin', detail: 'its opt-in was removed after planning' };
    }
    if (dedupSince === null || r.message_hash === null) return null;
    const other = this.s.sentElsewhere.get({ hash: r.message_hash, id: r.id, since: dedupSince }) as string | undefined;
    return other === undefined ? null : { errorClass: 'already_sent', detail: `already sent in broadcast ${other}` };
  }

  private record(r: AttemptRecord, owner: string, now: number): void {
    const { s } = this;
    const { recipient, startedAt, finishedAt, outcome: o, decision: d } = r;
    if (o.kind === 'accepted') {
      s.accepted.run({ wamid: o.wamid, at: finishedAt, now, id: recipient.id, owner });
      s.attempt.run(recipient.id, startedAt, finishedAt, o.httpStatus, null, 'accepted', o.wamid);
      return;
    }
    const code = o.kind === 'error' ? o.code : null;
    const title = outcomeTitle(o);
    s.outcome.run({
      state: d.state,
      delta: d.attemptsDelta,
      next: d.nextAttemptAt,
      code,
      title,
      detail: o.detail,
      class: d.errorClass,
      at: finishedAt,
      pairHit: o.kind === 'error' && o.errorClass === 'pair_rate' ? 1 : 0,
      now,
      id: recipient.id,
      owner,
    });
    s.attempt.run(
      recipient.id,
      startedAt,
      finishedAt,
      o.kind === 'error' ? o.httpStatus : null,
      code,
      d.errorClass ?? o.kind,
      o.detail,
    );
    if (d.optOut) addOptouts(this.db, [recipient.phone], 'error_131050', title, now);
  }
}
