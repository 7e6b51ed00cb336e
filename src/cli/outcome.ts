// The one place where outcomes become the exit codes of DESIGN §2 (contract), with the one stderr
// line a non-zero exit prints: what happened, and the exact command that continues.
import type { EngineResult } from '../core/engine/engine.js';
import { WaSendError } from '../core/errors.js';
import { JournalError } from '../core/journal.js';
import { openCount } from '../core/rules/broadcast-state.js';
import type { BroadcastStatus } from '../core/types.js';
import type { SweepEntry } from '../core/usecases/retry-failed.js';
import type { RunSummary } from '../core/usecases/run-broadcast.js';
import type { StopSignal } from './io.js';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  partial: 3,
  halted: 4,
  busy: 5,
  pending: 6,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

export interface Verdict {
  code: number;
  /** The stderr line (printed even with --quiet); null for a clean exit 0. */
  line: string | null;
}

export function signalExit(signal: StopSignal | null): number {
  if (signal === 'SIGTERM') return EXIT.sigterm;
  if (signal === 'SIGHUP') return EXIT.sighup;
  return EXIT.sigint;
}

/** An error that ended a command: its exit code and line. */
export function errorVerdict(err: unknown): Verdict {
  if (err instanceof WaSendError) {
    const code = err.kind === 'usage' ? EXIT.usage : err.kind === 'busy' ? EXIT.busy : EXIT.internal;
    return { code, line: err.hint ? `${err.message} — ${err.hint}` : err.message };
  }
  if (err instanceof JournalError) {
    const hint = err.fault === 'busy' ? ' — try again when it finishes; nothing was changed' : '';
    return { code: journalExit(err), line: `${err.message}${hint}` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: EXIT.internal, line: `unexpected error: ${message} (this is a bug; please report it with the command you ran)` };
}

/** A journal that cannot be written now (locked, full, server gone) is "busy"; a lost or broken file an I/O failure. */
function journalExit(err: JournalError): number {
  return err.fault === 'busy' || err.fault === 'unavailable' || err.fault === 'full' ? EXIT.busy : EXIT.internal;
}

export interface RunContext {
  /** The signal that interrupted the run (first SIGINT/SIGTERM/SIGHUP), if one did. */
  signal: StopSignal | null;
}

export function runVerdict(s: RunSummary, ctx: RunContext): Verdict {
  const { id } = s;
  const continueCmd = s.mode === 'retry-failed' ? `wa-send retry-failed ${id}` : `wa-send resume ${id}`;
  const o = s.outcome;
  switch (o.kind) {
    case 'cancelled':
      return { code: EXIT.ok, line: `broadcast ${id} is cancelled: nothing is sent` };
    case 'busy':
      return {
        code: EXIT.busy,
        line: `broadcast ${id} is being sent by another process (${o.holder}) — wait for it, or check with: wa-send status ${id}`,
      };
    case 'number_busy':
      if (o.interrupted)
        return {
          code: signalExit(ctx.signal),
          line: `interrupted while waiting for number ${o.sender}; nothing was sent — continue with: ${continueCmd}`,
        };
      return {
        code: EXIT.busy,
        line: `number ${o.sender} is sending broadcast ${o.holderBroadcast} (${o.holder}); one sender per number — wait for it, or add --wait: ${continueCmd} --wait`,
      };
    case 'preflight':
      return {
        code: EXIT.halted,
        line: `preflight ${o.check} check failed: ${o.line}; nothing was sent — fix it, then: ${continueCmd} (wa-send doctor runs the checks alone)`,
      };
    case 'declined':
      if (ctx.signal !== null)
        return {
          code: signalExit(ctx.signal),
          line: `interrupted at the question; nothing was sent — send it with: ${continueCmd}`,
        };
      return {
        code: EXIT.pending,
        line: `not sent: broadcast ${id} stays planned — send it with: ${continueCmd} (or wa-send cancel ${id})`,
      };
    case 'finished':
      return finishedBefore(s, s.status!);
    case 'ran':
      return ranVerdict(s, o.engine, ctx, continueCmd);
  }
}

function ranVerdict(s: RunSummary, e: EngineResult, ctx: RunContext, continueCmd: string): Verdict {
  const { id } = s;
  switch (e.stop) {
    case 'interrupted':
      return {
        code: signalExit(ctx.signal),
        line: `interrupted by ${ctx.signal ?? 'a signal'}; every answer received was recorded — continue with: ${continueCmd}`,
      };
    case 'halted':
      return {
        code: EXIT.halted,
        line: `broadcast ${id} halted: ${e.reason ?? 'run-wide error'}; fix it, then: wa-send resume ${id}`,
      };
    case 'lease_lost':
      return {
        code: EXIT.busy,
        line: `broadcast ${id} was taken over by another process; this one stopped sending (its answers were recorded)`,
      };
    case 'cancelled':
      return {
        code: EXIT.ok,
        line: `broadcast ${id} was cancelled while it ran: ${e.skipped + (s.status?.counts.skipped ?? 0)} recipients will not be sent`,
      };
    case 'journal':
      return journalVerdict(s, e, continueCmd);
    case 'limit':
      return {
        code: EXIT.pending,
        line: `stopped after --limit (${e.started} messages in this run); the rest stays pending — continue with: ${continueCmd}`,
      };
    case 'daily_limit':
      return {
        code: EXIT.pending,
        line: `broadcast ${id} stopped at the daily messaging limit: ${e.reason ?? 'limit reached'}; the rest stays pending — continue then with: ${continueCmd} (the cron sweep wa-send retry-failed continues it)`,
      };
    case 'pending':
      // Nothing is left to continue (every row answered or unknown): say what the rows need instead.
      if (s.status && openCount(s.status.counts) === 0) return finishedVerdict(s, s.status);
      return {
        code: EXIT.pending,
        line: `stopped with work left: ${e.reason ?? 'retries scheduled past --max-wait'} — continue later with: ${continueCmd}`,
      };
    case 'done':
      return s.status ? finishedVerdict(s, s.status) : { code: EXIT.ok, line: null };
  }
}

function journalVerdict(_s: RunSummary, e: EngineResult, continueCmd: string): Verdict {
  const err = e.journalError!;
  const lost =
    e.unrecorded > 0
      ? `${e.unrecorded} answers could not be recorded (those rows will show as unknown)`
      : 'every answer received was recorded';
  const waited = err.transient ? ` (tried for ${Math.round(e.journalTroubleMs / 1000)} s)` : '';
  const next =
    err.fault === 'gone' ? 'restore the journal file before running anything else on it' : `when it is fixed: ${continueCmd}`;
  return {
    code: journalExit(err),
    line: `${err.message}${waited}: stopped sending after ${e.started} requests; ${lost} — ${next}`,
  };
}

/** A broadcast with nothing left to claim: the code its rows decide, and the line that names what is left. */
export function finishedVerdict(s: RunSummary, status: BroadcastStatus): Verdict {
  const { id } = status;
  if (status.state === 'halted')
    return {
      code: EXIT.halted,
      line: `broadcast ${id} is halted: ${status.reason ?? 'run-wide error'}; fix it, then: wa-send resume ${id}`,
    };
  if (status.send_failed + status.counts.unknown > 0) return { code: EXIT.partial, line: partialLine(s, status) };
  if (openCount(status.counts) > 0) {
    const next = status.next_retry_at ? ` (next ${status.next_retry_at})` : '';
    return {
      code: EXIT.pending,
      line: `broadcast ${id} has retries scheduled${next} — continue later with: wa-send resume ${id}`,
    };
  }
  return { code: EXIT.ok, line: null };
}

/** Nothing was left to send before this command: say so even with --quiet (a re-run must never look like a send). */
function finishedBefore(s: RunSummary, status: BroadcastStatus): Verdict {
  const v = finishedVerdict(s, status);
  const when = status.last_run_at ?? status.created_at;
  const again = s.mode === 'broadcast' ? '; to send again give a new --key' : '';
  const head = `broadcast ${status.id} finished on ${when.slice(0, 10)} (${status.state}): nothing sent${again}`;
  return { code: v.code, line: v.line === null ? head : `${head}; ${v.line}` };
}

/** Names what is left and the command that really continues with it (or when it can). */
function partialLine(s: RunSummary, status: BroadcastStatus): string {
  const { id } = status;
  const what: string[] = [];
  const next: string[] = [];
  const failed = status.send_failed;
  if (failed > 0) {
    const top = status.errors[0];
    what.push(`${failed} failed${top ? ` (mostly ${top.code} ${top.title})` : ''}`);
    if (s.retryable > 0) next.push(`retry the ${s.retryable} with a retryable error: wa-send retry-failed ${id}`);
    else if (status.deferred_until !== null) {
      next.push(`131049 rows may be retried after ${status.deferred_until}: wa-send retry-failed ${id} then`);
    } else {
      next.push(
        `list them: wa-send status ${id} --recipients --state failed; after fixing the cause: wa-send retry-failed ${id} --all-errors`,
      );
    }
  }
  if (status.counts.unknown > 0) {
    what.push(`${status.counts.unknown} unknown (may have been delivered)`);
    next.push(`delivery receipts resolve unknown rows; to send them anyway: wa-send retry-failed ${id} --include-unknown`);
  }
  return `broadcast ${id} finished ${status.state}: ${what.join(', ')} — ${next.join('; ')}`;
}

/** When several broadcasts end differently, the exit code reports the most serious outcome. */
const SEVERITY: number[] = [
  EXIT.sigint,
  EXIT.sigterm,
  EXIT.sighup,
  EXIT.internal,
  EXIT.halted,
  EXIT.busy,
  EXIT.partial,
  EXIT.pending,
  EXIT.ok,
];

export function worst(codes: number[]): number {
  return codes.reduce((w, c) => (SEVERITY.indexOf(c) < SEVERITY.indexOf(w) ? c : w), EXIT.ok as number);
}

export function sweepVerdicts(entries: SweepEntry[], ctx: RunContext): Verdict[] {
  return entries.map((e) =>
    'run' in e
      ? runVerdict(e.run, ctx)
      : 'refused' in e
        ? { code: EXIT.usage, line: `broadcast ${e.id} not retried: ${errorVerdict(e.refused).line}` }
        : { code: EXIT.ok, line: `broadcast ${e.id} skipped: ${e.skipped}` },
  );
}
