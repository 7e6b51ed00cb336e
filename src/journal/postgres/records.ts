// Writing the engine's answers (DESIGN §3 rule 3): one UPDATE for every row of an exchange and one
// INSERT for the audit trail, whatever the batch size (the values travel as arrays, unnested). A
// row is written only while it is ours and `sending`, or `unknown` (a late answer after a
// takeover); never over a row another runner has claimed since.
import type { AttemptRecord } from '../../core/journal.js';
import { outcomeTitle } from '../../core/sender.js';
import type { Conn } from './pool.js';

/** Placeholders ($n) of one statement's parameters, by name. */
export type Params<K extends string> = Record<K, string>;

export const RECORD_ARRAYS = [
  'id',
  'accepted',
  'state',
  'wamid',
  'at',
  'delta',
  'next',
  'code',
  'title',
  'detail',
  'class',
  'pairHit',
] as const;
export const ATTEMPT_ARRAYS = ['recipient', 'started', 'finished', 'http', 'code', 'outcome', 'detail'] as const;
export const OPTOUT_ARRAYS = ['phone', 'detail'] as const;

export function recordSql(s: string, p: Params<'owner' | 'now' | (typeof RECORD_ARRAYS)[number]>): string {
  return `UPDATE ${s}.recipients r SET
      state = v.state,
      wamid = CASE WHEN v.accepted THEN v.wamid ELSE r.wamid END,
      sent_at = CASE WHEN v.accepted THEN coalesce(r.sent_at, v.at) ELSE r.sent_at END,
      attempts = CASE WHEN v.accepted THEN r.attempts ELSE greatest(0, r.attempts + v.delta) END,
      next_attempt_at = v.next,
      error_code = v.code, error_title = v.title, error_detail = v.detail, error_class = v.class,
      failed_at = CASE WHEN v.state = 'failed' THEN v.at ELSE r.failed_at END,
      pair_rate_hits = r.pair_rate_hits + v.pair_hit,
      updated_at = ${p.now}::bigint
    FROM unnest(${p.id}::bigint[], ${p.accepted}::bool[], ${p.state}::text[], ${p.wamid}::text[], ${p.at}::bigint[],
                ${p.delta}::int[], ${p.next}::bigint[], ${p.code}::int[], ${p.title}::text[], ${p.detail}::text[],
                ${p.class}::text[], ${p.pairHit}::int[])
      AS v(id, accepted, state, wamid, at, delta, next, code, title, detail, class, pair_hit)
    WHERE r.id = v.id AND ((r.state = 'sending' AND r.claimed_by = ${p.owner}) OR r.state = 'unknown')`;
}

export function attemptSql(s: string, p: Params<(typeof ATTEMPT_ARRAYS)[number]>): string {
  return `INSERT INTO ${s}.attempts (recipient_id, started_at, finished_at, http_status, error_code, outcome, detail)
    SELECT * FROM unnest(${p.recipient}::bigint[], ${p.started}::bigint[], ${p.finished}::bigint[], ${p.http}::int[],
                         ${p.code}::int[], ${p.outcome}::text[], ${p.detail}::text[])`;
}

/** A 131050 answer opts the number out at once (the next claim of any sender skips it). */
export function optoutSql(s: string, p: Params<'now' | (typeof OPTOUT_ARRAYS)[number]>): string {
  return `INSERT INTO ${s}.optouts (phone, source, detail, created_at)
    SELECT phone, 'error_131050', detail, ${p.now}::bigint FROM unnest(${p.phone}::text[], ${p.detail}::text[]) AS u(phone, detail)
    ON CONFLICT (phone) DO NOTHING`;
}

export interface RecordValues {
  records: unknown[][];
  attempts: unknown[][];
  optouts: unknown[][];
}

/** The records as column arrays, in RECORD_ARRAYS / ATTEMPT_ARRAYS / OPTOUT_ARRAYS order. */
export function recordValues(records: readonly AttemptRecord[]): RecordValues {
  // Rows locked in id order, as every other writer of recipients locks them: no deadlock cycles.
  const sorted = [...records].sort((a, b) => a.recipient.id - b.recipient.id);
  const out: RecordValues = {
    records: RECORD_ARRAYS.map(() => []),
    attempts: ATTEMPT_ARRAYS.map(() => []),
    optouts: OPTOUT_ARRAYS.map(() => []),
  };
  const push = (arrays: unknown[][], values: unknown[]) => values.forEach((v, i) => arrays[i]!.push(v));
  for (const { recipient, startedAt, finishedAt, outcome: o, decision: d } of sorted) {
    const accepted = o.kind === 'accepted';
    const code = o.kind === 'error' ? o.code : null;
    const title = accepted ? null : outcomeTitle(o);
    push(out.records, [
      recipient.id,
      accepted,
      accepted ? 'sent' : d.state,
      accepted ? o.wamid : null,
      finishedAt,
      accepted ? 0 : d.attemptsDelta,
      accepted ? null : d.nextAttemptAt,
      code,
      title,
      accepted ? null : o.detail,
      accepted ? null : d.errorClass,
      o.kind === 'error' && o.errorClass === 'pair_rate' ? 1 : 0,
    ]);
    push(out.attempts, [
      recipient.id,
      startedAt,
      finishedAt,
      o.kind === 'accepted' || o.kind === 'error' ? o.httpStatus : null,
      code,
      accepted ? 'accepted' : (d.errorClass ?? o.kind),
      accepted ? o.wamid : o.detail,
    ]);
    if (!accepted && d.optOut) push(out.optouts, [recipient.phone, title]);
  }
  return out;
}

/** $first, $first+1, … for the names, in order. */
export function placeholders<K extends string>(names: readonly K[], first: number): Params<K> {
  return Object.fromEntries(names.map((n, i) => [n, `$${first + i}`])) as Params<K>;
}

/** The records in their own statements (inside the caller's transaction). */
export async function writeRecords(
  c: Conn,
  s: string,
  records: readonly AttemptRecord[],
  owner: string,
  now: number,
): Promise<void> {
  const v = recordValues(records);
  await c.run(
    recordSql(s, { owner: '$1', now: '$2', ...placeholders(RECORD_ARRAYS, 3) }),
    [owner, now, ...v.records],
    `wa_record_${s}`,
  );
  await c.run(attemptSql(s, placeholders(ATTEMPT_ARRAYS, 1)), v.attempts, `wa_attempt_${s}`);
  if (v.optouts[0]!.length > 0) await c.run(optoutSql(s, { now: '$1', ...placeholders(OPTOUT_ARRAYS, 2) }), [now, ...v.optouts]);
}
