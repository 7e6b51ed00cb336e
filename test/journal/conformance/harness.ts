// The conformance suite's tools: every test talks to the journal port only, so the same suite runs
// against SQLite and PostgreSQL. Rows are put into a state the way a run would put them there
// (plan, claim, record), never with SQL.
import { decide, RETRY_DEFAULTS } from '../../../src/core/engine/retry-policy.js';
import type { AttemptRecord, Journal, RecipientRow } from '../../../src/core/journal.js';
import type { SendOutcome } from '../../../src/core/sender.js';
import type { RecipientToSend } from '../../../src/core/types.js';
import { csvOf, plan, tempDir, writeCsv } from '../../helpers/journal.js';

export interface OpenedJournal {
  journal: Journal;
  /** Another connection to the same journal (a second process, as far as the journal can tell). */
  reopen(): Promise<Journal>;
  cleanup(): Promise<void>;
}

export type OpenJournal = () => Promise<OpenedJournal>;

export const OWNER = 'conformance@test#000001';
export const T = 1_760_000_000_000;

export type SeedSpec =
  | { state: 'pending' }
  | { state: 'sending' }
  | { state: 'sent'; wamid: string; at?: number }
  | { state: 'unknown' }
  | { state: 'retry'; at: number }
  | { state: 'failed'; code?: number }
  | { state: 'skipped' };

export function phoneOf(i: number): string {
  return `+1415201${String(i).padStart(4, '0')}`;
}

/** Plans one broadcast of `n` recipients through the port; returns its id. */
export async function planned(journal: Journal, n: number, opts: { start?: number; key?: string } = {}): Promise<string> {
  const dir = tempDir('wa-send-conf-');
  const numbers = Array.from({ length: n }, (_, i) => phoneOf((opts.start ?? 0) + i));
  const r = await plan(journal, writeCsv(dir, csvOf(numbers)), undefined, opts.key ? { key: opts.key } : {});
  return r.broadcastId!;
}

export const outcomes = {
  accepted: (wamid: string): SendOutcome => ({ kind: 'accepted', httpStatus: 200, wamid, messageStatus: 'accepted' }),
  error: (code: number, errorClass: Extract<SendOutcome, { kind: 'error' }>['errorClass'], httpStatus = 400): SendOutcome => ({
    kind: 'error',
    httpStatus,
    errorClass,
    code,
    title: `Error ${code}`,
    detail: `detail ${code}`,
    retryAfterMs: null,
    fbtraceId: null,
  }),
  unknown: (): SendOutcome => ({ kind: 'unknown', detail: 'headers timeout after the request was written' }),
  unreachable: (): SendOutcome => ({ kind: 'unreachable', detail: 'ECONNREFUSED' }),
};

/** The record the engine would write for this outcome (decided by the real retry policy). */
export function recordOf(r: RecipientToSend, outcome: SendOutcome, at: number, maxAttempts = 3): AttemptRecord {
  const decision = decide(outcome, r.attempts, r.pairRateHits, { maxAttempts, ...RETRY_DEFAULTS }, at, () => 0.5);
  return { recipient: r, startedAt: at - 10, finishedAt: at, outcome, decision };
}

export function exchangeOf(journal: Journal, id: string, x: Partial<Parameters<Journal['runs']['exchange']>[0]> = {}) {
  return journal.runs.exchange({
    dedupSince: null,
    broadcastId: id,
    sender: 'sandbox',
    owner: OWNER,
    leaseTtlMs: 30_000,
    now: T,
    records: [],
    release: [],
    requeue: [],
    halt: null,
    claim: 0,
    ...x,
  });
}

/** A broadcast whose rows are in the given states, reached through the port as a run would. */
export async function seeded(journal: Journal, specs: SeedSpec[], start = 0): Promise<{ id: string; rows: RecipientToSend[] }> {
  const id = await planned(journal, specs.length, { start });
  const skip = specs.map((s, i) => (s.state === 'skipped' ? phoneOf(start + i) : null)).filter((p): p is string => p !== null);
  if (skip.length > 0) await journal.optouts.add(skip, 'manual', 'seed', T);
  if (!(await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true)).ok) throw new Error('lease not free');
  const { claimed } = await exchangeOf(journal, id, { claim: specs.length });
  const byPhone = new Map(claimed.map((r) => [r.phone, r]));
  const records: AttemptRecord[] = [];
  specs.forEach((s, i) => {
    const r = byPhone.get(phoneOf(start + i));
    if (!r) return;
    if (s.state === 'sent') records.push(recordOf(r, outcomes.accepted(s.wamid), s.at ?? T));
    if (s.state === 'unknown') records.push(recordOf(r, outcomes.unknown(), T));
    if (s.state === 'retry')
      records.push({
        ...recordOf(r, outcomes.error(131000, 'retryable', 500), T),
        decision: { state: 'retry', nextAttemptAt: s.at, attemptsDelta: 0, errorClass: 'retryable' },
      });
    if (s.state === 'failed') records.push(recordOf(r, outcomes.error(s.code ?? 131026, 'permanent'), T));
  });
  const release: number[] = [];
  specs.forEach((s, i) => {
    if (s.state === 'pending') release.push(byPhone.get(phoneOf(start + i))!.id);
  });
  await exchangeOf(journal, id, { records, release });
  if (skip.length > 0) await journal.optouts.remove(skip);
  return { id, rows: specs.map((_, i) => byPhone.get(phoneOf(start + i))!).filter(Boolean) };
}

export async function rowsOf(journal: Journal, id: string, state?: string): Promise<RecipientRow[]> {
  const out: RecipientRow[] = [];
  for await (const r of journal.broadcasts.rows(id, state)) out.push(r);
  return out;
}

export async function rowByPhone(journal: Journal, id: string, phone: string): Promise<RecipientRow> {
  const row = (await rowsOf(journal, id)).find((r) => r.phone === phone);
  if (!row) throw new Error(`no row ${phone}`);
  return row;
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** A run of the broadcast, logged from start to end as a run's use case logs it (rate 80, concurrency 4). */
export async function loggedRun(
  journal: Journal,
  broadcastId: string,
  end: { outcome: string; reason?: string | null; mode?: string; startedAt?: number; endedAt?: number },
): Promise<void> {
  const startedAt = end.startedAt ?? T;
  const mode = end.mode ?? 'broadcast';
  const run = await journal.runs.logRunStart({ broadcastId, mode, owner: OWNER, rate: 80, concurrency: 4, startedAt });
  await journal.runs.logRunEnd(run, end.outcome, end.reason ?? null, end.endedAt ?? startedAt + 10);
}
