// `wa-send check`: the cron job's look over the whole journal. It turns the journal's health facts
// into problems a person can act on, each naming the broadcast, the sending number and the one
// command that helps; the CLI prints them, and the `check` alert carries the same lines.
import type { Alert } from '../alerts.js';
import type { BroadcastFacts, HealthFacts, Journal } from '../journal.js';

const DAY_MS = 24 * 3600_000;

export interface CheckLimits {
  /** A broadcast with more failed rows than this in the last 24 h is a problem. */
  maxFailed: number;
  /** `unknown` or `sending` rows untouched for longer than this are stuck. */
  maxStuckMs: number;
}

export type ProblemKind = 'failed' | 'stuck' | 'stopped';

export interface Problem {
  kind: ProblemKind;
  broadcast: string;
  number: string;
  /** failed: rows failed in 24 h; stuck: rows stuck; stopped: rows still to send. */
  count: number;
  /** The command that helps. */
  command: string;
  /** One line for a person: what, where, and the command. */
  line: string;
  /** stuck: which state; stopped: the last run's outcome and reason; failed: the most frequent error. */
  state?: 'unknown' | 'sending';
  since?: string;
  outcome?: string;
  reason?: string | null;
  top_error?: { code: number; title: string } | null;
}

export async function checkJournal(journal: Journal, now: number, limits: CheckLimits): Promise<Problem[]> {
  const health = await journal.broadcasts.health(now, { failedSince: now - DAY_MS, stuckBefore: now - limits.maxStuckMs });
  const facts = new Map<string, BroadcastFacts | null>();
  const factsOf = async (id: string) => {
    if (!facts.has(id)) facts.set(id, await journal.broadcasts.facts(id));
    return facts.get(id) ?? null;
  };
  const problems: Problem[] = [];
  for (const f of health.failed.filter((x) => x.count > limits.maxFailed))
    problems.push(failedProblem(f, (await factsOf(f.broadcastId))?.errors ?? []));
  for (const s of health.stuck) problems.push(stuckProblem(s, limits.maxStuckMs));
  for (const s of health.stopped.filter((x) => stopNeedsPerson(x.outcome, x.endedAt, now))) {
    const counts = (await factsOf(s.broadcastId))?.counts;
    problems.push(stoppedProblem(s, counts ? counts.pending + counts.retry : 0));
  }
  return problems;
}

/** Stops nobody continues on their own. */
const NEEDS_A_PERSON = new Set(['halted', 'journal', 'lease_lost']);

/**
 * A halt, a journal fault or a lost lease needs a person at once. A stop the cron sweep or the next
 * cron run continues (the daily limit, retries left for later, --limit, a signal) needs one only when
 * nothing continued it for a day.
 */
export function stopNeedsPerson(outcome: string, endedAt: number, now: number): boolean {
  return NEEDS_A_PERSON.has(outcome) || now - endedAt >= DAY_MS;
}

function failedProblem(f: HealthFacts['failed'][number], errors: BroadcastFacts['errors']): Problem {
  const title = errors.find((e) => e.code === f.topCode)?.title ?? '';
  const top = f.topCode === null ? null : { code: f.topCode, title };
  const mostly = top ? ` (mostly ${[top.code, top.title].join(' ').trim()})` : '';
  const command = `wa-send retry-failed ${f.broadcastId}`;
  return {
    kind: 'failed',
    broadcast: f.broadcastId,
    number: numberOf(f.sender),
    count: f.count,
    command,
    line: `broadcast ${f.broadcastId} (number ${numberOf(f.sender)}): ${rows(f.count)} failed in the last 24 h${mostly} — see them with wa-send status ${f.broadcastId} --recipients --state failed; retry the retryable ones with: ${command}`,
    top_error: top,
  };
}

function stuckProblem(s: HealthFacts['stuck'][number], maxStuckMs: number): Problem {
  const since = new Date(s.oldestAt).toISOString();
  const minutes = Math.round(maxStuckMs / 60_000);
  // `unknown`: the API may or may not have sent them, so a person looks first. `sending` for that
  // long: the run that claimed them died or hangs; resume recovers them (or says who holds them).
  const [command, why] =
    s.state === 'unknown'
      ? [`wa-send status ${s.broadcastId} --recipients --state unknown`, 'the API may or may not have sent them; look with']
      : [`wa-send resume ${s.broadcastId}`, 'the run that claimed them died or hangs; continue with'];
  return {
    kind: 'stuck',
    broadcast: s.broadcastId,
    number: numberOf(s.sender),
    count: s.count,
    command,
    line: `broadcast ${s.broadcastId} (number ${numberOf(s.sender)}): ${rows(s.count)} ${s.state} for over ${minutes} min (since ${since}) — ${why}: ${command}`,
    state: s.state,
    since,
  };
}

function stoppedProblem(s: HealthFacts['stopped'][number], left: number): Problem {
  const command = `wa-send resume ${s.broadcastId}`;
  const reason = s.reason ? `: ${s.reason}` : '';
  return {
    kind: 'stopped',
    broadcast: s.broadcastId,
    number: numberOf(s.sender),
    count: left,
    command,
    line: `broadcast ${s.broadcastId} (number ${numberOf(s.sender)}) stopped (${s.outcome}${reason}) with ${rows(left)} left to send — continue with: ${command}`,
    since: new Date(s.endedAt).toISOString(),
    outcome: s.outcome,
    reason: s.reason,
  };
}

/** The one `check` alert for a journal with problems (none is sent for a quiet one). */
export function checkAlert(problems: readonly Problem[], profile: string | null, now: number): Alert {
  const only = <T>(values: T[]): T | null => (new Set(values).size === 1 ? values[0]! : null);
  return {
    event: 'check',
    text: `wa-send check: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the journal`,
    broadcast: only(problems.map((p) => p.broadcast)),
    number: only(problems.map((p) => p.number)),
    profile,
    counts: null,
    topErrors: [],
    continueWith: problems.length === 1 ? problems[0]!.command : null,
    problems: problems.map((p) => p.line),
    at: new Date(now).toISOString(),
  };
}

// A broadcast planned by a version before numbers were recorded has no sender.
const numberOf = (sender: string | null) => sender ?? 'unrecorded';
const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
