// cancel: nothing more is sent; open rows become skipped.
import { cancelBroadcast } from '../../core/usecases/cancel.js';
import type { Context } from '../context.js';
import { printLine } from '../io.js';
import { ownerAlive } from '../owner.js';

export async function cancelAction(ctx: Context, id: string): Promise<number> {
  return ctx.withJournal({}, async (journal) => {
    const c = await cancelBroadcast(journal, id, ctx.clock.now(), ownerAlive);
    printLine(
      ctx.io.stdout,
      c.changed
        ? `Broadcast ${id} cancelled: ${c.skipped} recipients will not be sent.`
        : `Broadcast ${id} is ${c.status.state}: nothing left to cancel.`,
    );
    return 0;
  });
}
