// wa-send retry-failed [broadcast-id] [--all-errors] [--include-unknown] [run flags]
// Without an id: every broadcast with retries due (the cron form), one after another.
import type { Command } from 'commander';
import { broadcastsWithRetries, requeueForRetry, type RetrySelection } from '../journal/retry-selection.js';
import type { Wrap } from '../main.js';
import type { Db } from '../journal/db.js';
import { requireBroadcast, type Context } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { errorOut, note, printJson } from './io.js';
import { addRunFlags, type RunFlags } from './run-flags.js';
import { runOne, sendBroadcast } from './send.js';

interface RetryFlags extends RunFlags, RetrySelection {}

/** When several broadcasts end differently, the exit code reports the most serious outcome. */
const SEVERITY = [EXIT.internal, EXIT.halted, EXIT.busy, EXIT.partial, EXIT.pending, EXIT.ok];

export function registerRetryFailed(program: Command, wrap: Wrap): void {
  addRunFlags(program.command('retry-failed')
    .description('send again the recipients that failed with a retryable error (no id: every broadcast with retries due)')
    .argument('[broadcast-id]')
    .option('--all-errors', 'also retry recipients that failed with a permanent error')
    .option('--include-unknown', 'also send recipients whose outcome is unknown (they may receive it twice)'))
    .action(wrap(retryAction));
}

async function retryAction(ctx: Context, id: string | undefined, flags: RetryFlags): Promise<number> {
  const db = ctx.openJournal();
  try {
    if (id) {
      requireBroadcast(ctx, db, id);
      requeue(ctx, db, id, flags);
      return await sendBroadcast(ctx, db, id, flags, { mode: 'retry-failed', fresh: false });
    }
    const ids = broadcastsWithRetries(db, flags, Date.now());
    if (ids.length === 0) note(ctx.io, 'No broadcast has retries due.');
    const statuses = [];
    let worst: number = EXIT.ok;
    for (const each of ids) {
      requeue(ctx, db, each, flags);
      let code: number;
      try {
        const outcome = await runOne(ctx, db, each, flags, 'retry-failed', false);
        statuses.push(outcome.status);
        if (outcome.line) errorOut(ctx.io, outcome.line);
        code = outcome.code;
      } catch (err) {
        if (exitCodeFor(err) !== EXIT.busy) throw err;
        errorOut(ctx.io, `${(err as Error).message} — skipped`);
        code = EXIT.busy;
      }
      if (code === EXIT.sigint || code === EXIT.sigterm) return code; // an operator's Ctrl-C stops the whole sweep
      if (SEVERITY.indexOf(code as never) < SEVERITY.indexOf(worst as never)) worst = code;
    }
    if (flags.json) printJson(ctx.io, statuses);
    return worst;
  } finally {
    db.close();
  }
}

function requeue(ctx: Context, db: Db, id: string, flags: RetryFlags): void {
  const n = requeueForRetry(db, id, flags, Date.now());
  note(ctx.io, `Broadcast ${id}: ${n} failed recipients queued again.`);
}
