// When a run needs a person who is not watching (issue: alerts): it halted (exit 4, a failed
// preflight included), it stopped at the daily limit, or it ended partial with failed and unknown
// rows at or above --alert-failure-rate (percent of the rows that got an outcome). The CLI gives
// the one line it prints (the alert's text) and sends what this returns.
import type { Alert, AlertEvent } from '../alerts.js';
import type { BroadcastStatus } from '../types.js';
import type { RunSummary } from '../usecases/run-broadcast.js';

export interface RunAlertInput {
  summary: RunSummary;
  thresholdPct: number;
  /** The verdict's stderr line. */
  line: string | null;
  now: number;
}

export function runAlertEvent(s: RunSummary, thresholdPct: number): AlertEvent | null {
  const o = s.outcome;
  if (o.kind === 'preflight') return 'halted';
  if (o.kind !== 'ran') return null;
  if (o.engine.stop === 'halted') return 'halted';
  if (o.engine.stop === 'daily_limit') return 'daily_limit';
  const st = s.status;
  if (st?.state === 'halted') return 'halted';
  if (st?.state !== 'partial') return null;
  return failureShare(st) * 100 >= thresholdPct ? 'partial' : null;
}

/** Failed and unknown rows over the rows that got an outcome (accepted, failed, unknown). */
export function failureShare(st: BroadcastStatus): number {
  const bad = st.send_failed + st.counts.unknown;
  const settled = st.accepted + bad;
  return settled === 0 ? 0 : bad / settled;
}

export function runAlert(input: RunAlertInput): Alert | null {
  const { summary: s } = input;
  const event = runAlertEvent(s, input.thresholdPct);
  if (event === null) return null;
  return broadcastAlert(event, s.status, s.broadcast, input.line ?? `broadcast ${s.id}: ${event}`, input.now);
}

/** An alert about one broadcast: its number, profile, counts and top errors, and the command that continues. */
export function broadcastAlert(
  event: AlertEvent,
  status: BroadcastStatus | null,
  b: { id: string; sender: string; profile: string | null },
  text: string,
  now: number,
): Alert {
  return {
    event,
    text,
    broadcast: b.id,
    number: b.sender,
    profile: b.profile,
    counts: status ? { ...status.counts } : null,
    topErrors: (status?.errors ?? []).slice(0, 3).map((e) => ({ code: e.code, title: e.title, count: e.count })),
    continueWith: continueCommand(event, b.id),
    problems: [],
    at: new Date(now).toISOString(),
  };
}

function continueCommand(event: AlertEvent, id: string): string | null {
  if (event === 'halted' || event === 'daily_limit') return `wa-send resume ${id}`;
  if (event === 'partial') return `wa-send retry-failed ${id}`;
  if (event === 'failure_rate') return `wa-send status ${id} --recipients --state failed`;
  return null;
}
