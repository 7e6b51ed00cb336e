// Runs the engine on one broadcast: target check, lease, orphan recovery, signals, progress, the
// final summary and the exit code (DESIGN §2). Shared by broadcast, resume and retry-failed.
import { randomInt } from 'node:crypto';
import { openCount } from '../core/broadcast-state.js';
import { Engine, type RunResult } from '../core/engine.js';
import { busyError, usageError } from '../core/errors.js';
import { sameTarget, targetLabel, type BroadcastStatus } from '../core/types.js';
import { acquireLease, getBroadcast, releaseLease, type BroadcastRow } from '../journal/broadcasts.js';
import type { Db } from '../journal/db.js';
import { SqliteSendStore } from '../journal/send-store.js';
import { startBackgroundCheckpoints } from '../journal/checkpointer.js';
import { countEligibleForRetry } from '../journal/retry-selection.js';
import { broadcastStatus } from '../journal/status.js';
import { buildRequestBody } from '../whatsapp/payload.js';
import { requireBroadcast, type Context } from './context.js';
import { EXIT, signalExit } from './exit-codes.js';
import { errorOut, note, printJson, printLine } from './io.js';
import { newOwner, ownerAlive } from './owner.js';
import { progressReporter } from './progress.js';
import { renderStatus } from './render-status.js';
import type { RunFlags } from './run-flags.js';
import { openSender } from './sender-factory.js';
import { requireCredentials, resolveTarget } from './target.js';

export type RunMode = 'broadcast' | 'resume' | 'retry-failed';

export interface RunOutcome { code: number; status: BroadcastStatus; line: string | null }

const CONFIRM_ABOVE = 100;
const LEASE_TTL_MS = 30_000;

/** Sends one broadcast and prints its summary; returns the exit code (non-zero exits print one stderr line). */
export async function sendBroadcast(ctx: Context, db: Db, id: string, flags: RunFlags, opts: { mode: RunMode; fresh: boolean }): Promise<number> {
  const outcome = await runOne(ctx, db, id, flags, opts.mode, opts.fresh);
  if (flags.json) printJson(ctx.io, outcome.status);
  if (outcome.line) errorOut(ctx.io, outcome.line);
  // A clean run has no error line; tell a person where the per-recipient detail is (not cron: --quiet).
  else if (outcome.code === EXIT.ok && ctx.io.stderrIsTTY) note(ctx.io, `Per recipient: wa-send status ${id} --recipients`);
  return outcome.code;
}

export async function runOne(ctx: Context, db: Db, id: string, flags: RunFlags, mode: RunMode, fresh: boolean): Promise<RunOutcome> {
  const b = requireBroadcast(ctx, db, id);
  const continueCmd = mode === 'retry-failed' ? `wa-send retry-failed ${id}` : `wa-send resume ${id}`;
  if (b.status === 'cancelled') return finish(ctx, db, b, flags, EXIT.ok, null);
  const creds = requireCredentials(checkTarget(ctx, b, flags), ctx.env);
  const status0 = broadcastStatus(db, b, Date.now(), ownerAlive);
  if (openCount(status0.counts) === 0) {
    if (!fresh) note(ctx.io, `Broadcast ${id} has nothing left to send (${status0.state}).`);
    const code = codeForFinished(status0);
    return finish(ctx, db, b, flags, code, finishedLine(db, status0, code), status0);
  }
  if (mode === 'broadcast' && fresh && b.target !== 'sandbox' && !flags.yes && ctx.io.stdinIsTTY && status0.recipients > CONFIRM_ABOVE) {
    const ok = await ctx.io.confirm(`Send ${b.spec.message.type} message to ${status0.recipients} recipients via ${targetLabel(b.target)}?`);
    if (!ok) return finish(ctx, db, b, flags, EXIT.pending, `not sent: broadcast ${id} stays planned — send it with: ${continueCmd} (or wa-send cancel ${id})`);
  }

  const owner = newOwner();
  const lease = acquireLease(db, id, owner, LEASE_TTL_MS, Date.now(), ownerAlive);
  if (!lease.ok) throw busyError(`broadcast ${id} is being sent by another process (${lease.holder})`, `wait for it, or check with: wa-send status ${id}`);
  const store = new SqliteSendStore(db);
  const orphans = store.recoverOrphans(id, Date.now());
  store.applyPendingEvents(Date.now()); // webhooks that arrived for them may settle them at once
  if (orphans > 0) {
    note(ctx.io, `${orphans} recipients were in flight when an earlier run died: marked unknown (they may have been sent; see wa-send status ${id} --recipients --state unknown).`);
  }
  const open = await openSender(b.target, creds, flags.concurrency);
  const total = openCount(store.counts(id));
  const progress = progressReporter(ctx.io, total, id);
  const engine = new Engine(id, {
    rate: flags.rate, concurrency: flags.concurrency, maxAttempts: flags.maxAttempts, maxWaitMs: flags.maxWait,
    leaseOwner: owner, leaseTtlMs: LEASE_TTL_MS, ...(flags.limit !== undefined && { limit: flags.limit }),
  }, {
    store, sender: open.sender, now: Date.now, random: () => randomInt(0, 2 ** 31) / 2 ** 31,
    buildBody: (r) => buildRequestBody(b.spec, r.phone, r.vars, r.recipientKey),
    onProgress: (p) => progress.update(p),
  });
  const signals = trapSignals(engine, ctx, continueCmd);
  const checkpoints = startBackgroundCheckpoints(db);
  let result: RunResult;
  try {
    result = await engine.run();
  } finally {
    signals.release();
    progress.stop();
    releaseLease(db, id, owner);
    await Promise.all([open.close(), checkpoints.stop()]);
  }
  return finish(ctx, db, b, flags, ...exitFor(result, signals.received(), id, continueCmd, db, b));
}

/** A broadcast keeps its target: explicit flags, or env pointing elsewhere, may not redirect it. */
function checkTarget(ctx: Context, b: BroadcastRow, flags: RunFlags) {
  const explicit = flags.sandbox || flags.apiUrl !== undefined || flags.phoneNumberId !== undefined;
  const asked = explicit ? resolveTarget(flags, ctx.env) : b.target === 'sandbox' ? 'sandbox' : resolveTarget({}, ctx.env);
  if (asked !== null && !sameTarget(asked, b.target)) {
    throw usageError(`broadcast ${b.id} was planned for ${targetLabel(b.target)}, not ${targetLabel(asked)}; a broadcast is never sent to another target`);
  }
  return b.target;
}

/** The exit code and stderr line for how the run ended (and, when done, the status they came from). */
function exitFor(r: RunResult, signal: NodeJS.Signals | null, id: string, continueCmd: string, db: Db, b: BroadcastRow): [number, string | null, BroadcastStatus?] {
  switch (r.stop) {
    case 'interrupted':
      return [signalExit(signal), `interrupted by ${signal ?? 'a signal'}; every answer received was recorded — continue with: ${continueCmd}`];
    case 'halted':
      return [EXIT.halted, `broadcast ${id} halted: ${r.reason ?? 'run-wide error'}; fix it, then: wa-send resume ${id}`];
    case 'lease_lost':
      return [EXIT.busy, `broadcast ${id} was taken over by another process; stopped sending`];
    case 'limit':
      return [EXIT.pending, `stopped after --limit ${r.started} messages; the rest stays pending — continue with: ${continueCmd}`];
    case 'pending':
      return [EXIT.pending, `stopped with work left: ${r.reason ?? 'retries scheduled past --max-wait'} — continue later with: ${continueCmd}`];
    case 'done': {
      const status = broadcastStatus(db, getBroadcast(db, b.id)!, Date.now(), ownerAlive);
      const code = codeForFinished(status);
      return [code, finishedLine(db, status, code), status];
    }
  }
}

/** Exit codes speak of sending (accepted by the API or not); delivery failures are in `status`. */
function codeForFinished(s: BroadcastStatus): number {
  if (s.state === 'halted') return EXIT.halted;
  if ((s.send_failed as number) + s.counts.unknown > 0) return EXIT.partial;
  if (openCount(s.counts) > 0) return EXIT.pending;
  return EXIT.ok;
}

/** The stderr line for a broadcast with nothing left to claim (null for a clean exit 0). */
function finishedLine(db: Db, s: BroadcastStatus, code: number): string | null {
  if (code === EXIT.partial) return partialLine(db, s);
  if (code === EXIT.halted) return `broadcast ${s.id} is halted: ${s.reason ?? 'run-wide error'}; fix it, then: wa-send resume ${s.id}`;
  if (code === EXIT.pending) return `broadcast ${s.id} has retries scheduled${s.next_retry_at ? ` (next ${String(s.next_retry_at)})` : ''} — continue later with: wa-send resume ${s.id}`;
  return null;
}

/** One line that names what is left and the command that actually continues with it. */
function partialLine(db: Db, s: BroadcastStatus): string {
  const failed = s.send_failed as number;
  const what: string[] = [];
  const next: string[] = [];
  if (failed > 0) {
    const top = s.errors[0] ? ` (mostly ${s.errors[0].code} ${s.errors[0].title})` : '';
    what.push(`${failed} failed${top}`);
    const retryable = countEligibleForRetry(db, s.id, {}, Date.now());
    next.push(retryable > 0
      ? `retry the ${retryable} with a retryable error: wa-send retry-failed ${s.id}`
      : `list them: wa-send status ${s.id} --recipients --state failed; after fixing the cause: wa-send retry-failed ${s.id} --all-errors`);
  }
  if (s.counts.unknown > 0) {
    what.push(`${s.counts.unknown} unknown (may have been delivered)`);
    next.push(`delivery receipts resolve unknown rows; to send them anyway: wa-send retry-failed ${s.id} --include-unknown`);
  }
  return `broadcast ${s.id} finished ${s.state}: ${what.join(', ')} — ${next.join('; ')}`;
}

function finish(ctx: Context, db: Db, b: BroadcastRow, flags: RunFlags, code: number, line: string | null,
  status = broadcastStatus(db, getBroadcast(db, b.id)!, Date.now(), ownerAlive)): RunOutcome {
  // The summary is always printed; with --json stdout carries only the JSON document.
  if (!flags.json) printLine(ctx.io.stdout, renderStatus(ctx.io, status));
  else if (!ctx.io.quiet) printLine(ctx.io.stderr, renderStatus(ctx.io, status));
  return { code, status, line };
}

/** First signal: drain gracefully. Second: leave at once (rows in flight become unknown next run). */
function trapSignals(engine: Engine, ctx: Context, continueCmd: string) {
  let got: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (got !== null) {
      errorOut(ctx.io, `second ${signal}: exiting now; rows in flight will show as unknown — continue with: ${continueCmd}`);
      process.exit(signalExit(signal));
    }
    got = signal;
    note(ctx.io, `\n${signal}: stopping — waiting for requests in flight to be answered and recorded (again to exit at once)`);
    engine.stop('interrupted');
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received: () => got,
    release: () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); },
  };
}
