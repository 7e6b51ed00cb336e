// Writing the engine's answers (DESIGN §3 rule 3): one UPDATE for every row of an exchange and one
// INSERT for the audit trail, whatever the batch size. A row is written only while it is ours and
// `sending`, or `unknown` (a late answer after a takeover); never over a row another runner claimed.
import type { AttemptRecord } from '../../core/journal.js';
import type { Conn } from './pool.js';

function recordSql(s: string): string {
  return `UPDATE ${s}.recipients r SET
      state = v.state,
      wamid = CASE WHEN v.accepted THEN v.wamid ELSE r.wamid END,
      sent_at = CASE WHEN v.accepted THEN coalesce(r.sent_at, v.at) ELSE r.sent_at END,
      attempts = CASE WHEN v.accepted THEN r.attempts ELSE greatest(0, r.attempts + v.delta) END,
      next_attempt_at = v.next,
      error_code = v.code, error_title = v.title, error_detail = v.detail, error_class = v.class,
      failed_at = CASE WHEN v.state = 'failed' THEN v.at ELSE r.failed_at END,
      pair_rate_hits = r.pair_rate_hits + v.pair_hit,
      updated_at = $2
    FROM unnest($3::bigint[], $4::bool[], $5::text[], $6::text[], $7::bigint[], $8::int[], $9::bigint[],
                $10::int[], $11::text[], $12::text[], $13::text[], $14::int[])
      AS v(id, accepted, state, wamid, at, delta, next, code, title, detail, class, pair_hit)
    WHERE r.id = v.id AND ((r.state = 'sending' AND r.claimed_by = $1) OR r.state = 'unknown')`;
}

function attemptSql(s: string): string {
  return `INSERT INTO ${s}.attempts (recipient_id, started_at, finished_at, http_status, error_code, outcome, detail)
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::text[], $7::text[])`;
}

function optoutSql(s: string): string {
  return `INSERT INTO ${s}.optouts (phone, source, detail, created_at)
    SELECT phone, 'error_131050', detail, $3 FROM unnest($1::text[], $2::text[]) AS u(phone, detail)
    ON CONFLICT (phone) DO NOTHING`;
}

export async function writeRecords(c: Conn, s: string, records: readonly AttemptRecord[], owner: string, now: number): Promise<void> {
  // Rows locked in id order, as every other writer of recipients locks them: no deadlock cycles.
  const sorted = [...records].sort((a, b) => a.recipient.id - b.recipient.id);
  const cols = {
    id: [] as number[], accepted: [] as boolean[], state: [] as string[], wamid: [] as (string | null)[], at: [] as number[],
    delta: [] as number[], next: [] as (number | null)[], code: [] as (number | null)[], title: [] as (string | null)[],
    detail: [] as (string | null)[], cls: [] as (string | null)[], pairHit: [] as number[],
  };
  const attempts = { id: [] as number[], started: [] as number[], finished: [] as number[], http: [] as (number | null)[], code: [] as (number | null)[], outcome: [] as string[], detail: [] as (string | null)[] };
  const optouts = { phone: [] as string[], detail: [] as (string | null)[] };
  for (const { recipient, startedAt, finishedAt, outcome: o, decision: d } of sorted) {
    const accepted = o.kind === 'accepted';
    const code = o.kind === 'error' ? o.code : null;
    const title = o.kind === 'error' ? o.title : o.kind === 'unknown' ? 'No answer (may have been sent)' : 'Could not reach the API';
    cols.id.push(recipient.id);
    cols.accepted.push(accepted);
    cols.state.push(accepted ? 'sent' : d.state);
    cols.wamid.push(accepted ? o.wamid : null);
    cols.at.push(finishedAt);
    cols.delta.push(accepted ? 0 : d.attemptsDelta);
    cols.next.push(accepted ? null : d.nextAttemptAt);
    cols.code.push(code);
    cols.title.push(accepted ? null : title);
    cols.detail.push(accepted ? null : o.detail);
    cols.cls.push(accepted ? null : d.errorClass);
    cols.pairHit.push(o.kind === 'error' && o.errorClass === 'pair_rate' ? 1 : 0);
    attempts.id.push(recipient.id);
    attempts.started.push(startedAt);
    attempts.finished.push(finishedAt);
    attempts.http.push(o.kind === 'accepted' || o.kind === 'error' ? o.httpStatus : null);
    attempts.code.push(code);
    attempts.outcome.push(accepted ? 'accepted' : (d.errorClass ?? o.kind));
    attempts.detail.push(accepted ? o.wamid : o.detail);
    if (!accepted && d.optOut) {
      optouts.phone.push(recipient.phone);
      optouts.detail.push(title);
    }
  }
  await c.run(
    recordSql(s),
    [owner, now, cols.id, cols.accepted, cols.state, cols.wamid, cols.at, cols.delta, cols.next, cols.code, cols.title, cols.detail, cols.cls, cols.pairHit],
    `wa_record_${s}`,
  );
  await c.run(
    attemptSql(s),
    [attempts.id, attempts.started, attempts.finished, attempts.http, attempts.code, attempts.outcome, attempts.detail],
    `wa_attempt_${s}`,
  );
  if (optouts.phone.length > 0) await c.run(optoutSql(s), [optouts.phone, optouts.detail, now]);
}
