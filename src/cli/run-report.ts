// What a send command prints when a run ends: the summary (stdout, or stderr with --json), the JSON
// status object with --json, and the one line a non-zero exit prints, with the command that continues.
import type { RunSummary } from '../core/usecases/run-broadcast.js';
import type { Context } from './context.js';
import type { Interrupts } from './interrupts.js';
import { errorOut, note, printJson, printLine } from './io.js';
import { EXIT, runVerdict, type Verdict } from './outcome.js';
import { renderStatus } from './render-status.js';
import type { RunAlerts } from './run-alerts.js';

/** Prints one broadcast's end of run; returns its verdict. */
export function reportRun(ctx: Context, s: RunSummary, json: boolean, interrupts: Interrupts, alerts?: RunAlerts): Verdict {
  const { io } = ctx;
  if (s.status !== null) {
    // The summary is always printed; with --json stdout carries only the JSON document.
    if (!json) printLine(io.stdout, renderStatus(io, s.status));
    else if (!io.quiet) printLine(io.stderr, renderStatus(io, s.status));
  }
  const verdict = runVerdict(s, { signal: interrupts.received() });
  if (verdict.line !== null) errorOut(io, verdict.line);
  // A clean run has no line; tell a person where the per-recipient detail is (not cron: --quiet).
  else if (verdict.code === EXIT.ok && s.outcome.kind === 'ran' && io.stderrIsTTY) {
    note(io, `Per recipient: wa-send status ${s.id} --recipients`);
  }
  alerts?.afterRun(s, verdict);
  return verdict;
}

/** One broadcast's run, as `broadcast` and `resume` end: JSON on stdout with --json, then the verdict. */
export function finishRun(ctx: Context, s: RunSummary, json: boolean, interrupts: Interrupts, alerts?: RunAlerts): number {
  const verdict = reportRun(ctx, s, json, interrupts, alerts);
  if (json && s.status !== null) printJson(ctx.io, s.status);
  return verdict.code;
}
