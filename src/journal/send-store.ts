// The SQLite SendStore: short synchronous transactions, prepared statements, no await inside.
import type { AttemptRecord, SendStore } from '../core/send-store.js';
import { recipientKey, type RecipientToSend, type StateCounts } from '../core/types.js';
import { errorTitle } from '../whatsapp/error-codes.js';
import { releaseLease, renewLease, setBroadcastStatus } from './broadcasts.js';
import type { Db } from './db.js';
import { applyPendingEvents } from './delivery.js';
import { addOptouts, isOptedOut } from './optouts.js';
import { nextRetryAtMs, stateCounts } from './status.js';

interface ClaimRow { id: number; phone: string; vars: string | null; attempts: number; retry: number }

export class SqliteSendStore implements SendStore {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      orphans: p("UPDATE recipients SET state = 'unknown', error_class = 'unknown', error_detail = 'the process sending it died before the answer was recorded', updated_at = ? WHERE broadcast_id = ? AND state = 'sending'"),
      dueRetries: p("SELECT id, phone, vars, attempts, 1 AS retry FROM recipients WHERE broadcast_id = ? AND state = 'retry' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?"),
      pending: p("SELECT id, phone, vars, attempts, 0 AS retry FROM recipients WHERE broadcast_id = ? AND state = 'pending' AND next_attempt_at IS NULL ORDER BY id LIMIT ?"),
      markSending: p("UPDATE recipients SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?"),
      markSkipped: p("UPDATE recipients SET state = 'skipped', error_class = 'opted_out', error_detail = 'opted out after planning', next_attempt_at = NULL, updated_at = ? WHERE id = ?"),
      accepted: p(`UPDATE recipients SET state = 'sent', wamid = ?, sent_at = coalesce(sent_at, ?), next_attempt_at = NULL,
        error_code = NULL, error_title = NULL, error_detail = NULL, error_class = NULL, updated_at = ? WHERE id = ? AND state = 'sending'`),
      outcome: p(`UPDATE recipients SET state = ?, attempts = attempts + ?, next_attempt_at = ?, error_code = ?, error_title = ?,
        error_detail = ?, error_class = ?, failed_at = CASE WHEN ? = 'failed' THEN ? ELSE failed_at END, updated_at = ? WHERE id = ? AND state = 'sending'`),
      attempt: p('INSERT INTO attempts (recipient_id, started_at, finished_at, http_status, error_code, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      requeue: p("UPDATE recipients SET state = 'pending', next_attempt_at = NULL, updated_at = ? WHERE id = ?"),
      pairHits: p('SELECT count(*) FROM attempts WHERE recipient_id = ? AND error_code = 131056').pluck(),
      reopen: p("UPDATE broadcasts SET status = 'open', reason = NULL WHERE id = ? AND status = 'halted'"),
    };
  }

  recoverOrphans(broadcastId: string, now: number): number {
    return this.s.orphans.run(now, broadcastId).changes;
  }

  claim(broadcastId: string, limit: number, now: number): RecipientToSend[] {
    return this.db.transaction(() => {
      const claimed: RecipientToSend[] = [];
      while (claimed.length < limit) {
        const want = limit - claimed.length;
        let rows = this.s.dueRetries.all(broadcastId, now, want) as ClaimRow[];
        if (rows.length < want) rows = rows.concat(this.s.pending.all(broadcastId, want - rows.length) as ClaimRow[]);
        if (rows.length === 0) break;
        for (const r of rows) {
          if (isOptedOut(this.db, r.phone)) { this.s.markSkipped.run(now, r.id); continue; }
          this.s.markSending.run(now, r.id);
          claimed.push({
            id: r.id, broadcastId, phone: r.phone, attempts: r.attempts + 1,
            vars: r.vars ? JSON.parse(r.vars) as Record<string, string> : {}, recipientKey: recipientKey(broadcastId, r.phone), fromRetry: r.retry === 1,
          });
        }
      }
      return claimed;
    }).immediate();
  }

  record(records: AttemptRecord[], now: number): void {
    if (records.length === 0) return;
    this.db.transaction(() => {
      for (const { recipient: r, startedAt, finishedAt, outcome: o, decision: d } of records) {
        if (o.kind === 'accepted') {
          this.s.accepted.run(o.wamid, finishedAt, now, r.id);
          this.s.attempt.run(r.id, startedAt, finishedAt, o.httpStatus, null, 'accepted', o.wamid);
          continue;
        }
        const code = o.kind === 'error' ? o.code : null;
        const title = o.kind === 'error' ? o.title : o.kind === 'unknown' ? 'No answer (may have been sent)' : 'Could not reach the API';
        const detail = o.detail;
        this.s.outcome.run(d.state, d.attemptsDelta, d.nextAttemptAt, code, title, detail, d.errorClass, d.state, finishedAt, now, r.id);
        this.s.attempt.run(r.id, startedAt, finishedAt, o.kind === 'error' ? o.httpStatus : null, code, d.errorClass ?? o.kind, detail);
        if (d.optOut) addOptouts(this.db, [r.phone], 'error_131050', `${code ?? ''} ${code ? errorTitle(code) : ''}`.trim());
      }
    }).immediate();
  }

  requeue(recipientIds: number[], now: number): void {
    this.db.transaction(() => { for (const id of recipientIds) this.s.requeue.run(now, id); }).immediate();
  }

  nextRetryAt(broadcastId: string): number | null {
    return nextRetryAtMs(this.db, broadcastId);
  }

  pairRateHits(recipientId: number): number {
    return this.s.pairHits.get(recipientId) as number;
  }

  counts(broadcastId: string): StateCounts {
    return stateCounts(this.db, broadcastId);
  }

  setHalted(broadcastId: string, reason: string): void { setBroadcastStatus(this.db, broadcastId, 'halted', reason); }
  reopen(broadcastId: string): void { this.s.reopen.run(broadcastId); }
  renewLease(id: string, owner: string, ttlMs: number, now: number): boolean { return renewLease(this.db, id, owner, ttlMs, now); }
  releaseLease(id: string, owner: string): void { releaseLease(this.db, id, owner); }
  applyPendingEvents(now: number): void { applyPendingEvents(this.db, now); }
}
