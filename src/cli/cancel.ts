// wa-send cancel <broadcast-id>: nothing more is sent; open rows become skipped.
import type { Command } from 'commander';
import { openCount } from '../core/broadcast-state.js';
import { cancelBroadcast, countEligibleForRetry } from '../journal/retry-selection.js';
import { broadcastStatus } from '../journal/status.js';
import type { Wrap } from '../main.js';
import { requireBroadcast, type Context } from './context.js';
import { printLine } from './io.js';
import { ownerAlive } from './owner.js';

export function registerCancel(program: Command, wrap: Wrap): void {
  program.command('cancel')
    .description('cancel a broadcast: nothing more is sent (a running process stops after its requests in flight)')
    .argument('<broadcast-id>')
    .action(wrap(async (ctx: Context, id: string) => {
      const db = ctx.openJournal();
      try {
        const b = requireBroadcast(ctx, db, id);
        const now = Date.now();
        const status = broadcastStatus(db, b, now, ownerAlive);
        // A finished broadcast keeps its state: cancelling it would only rewrite its history.
        if (status.state === 'cancelled' || (openCount(status.counts) === 0 && countEligibleForRetry(db, id, {}, now) === 0)) {
          printLine(ctx.io.stdout, `Broadcast ${id} is ${status.state}: nothing left to cancel.`);
          return 0;
        }
        const skipped = cancelBroadcast(db, id, Date.now());
        printLine(ctx.io.stdout, `Broadcast ${id} cancelled: ${skipped} recipients will not be sent.`);
        return 0;
      } finally {
        db.close();
      }
    }));
}
