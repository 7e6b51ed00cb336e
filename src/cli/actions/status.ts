// status [id] [--json] [--recipients [--state S] [--format table|csv|json]]
import { usageError } from '../../core/errors.js';
import { allStatuses, broadcastStatus, requireBroadcast } from '../../core/usecases/broadcasts.js';
import type { Context } from '../context.js';
import { printJson, printLine } from '../io.js';
import { ownerAlive } from '../owner.js';
import { type RowFormat, writeRecipientRows } from '../recipient-export.js';
import { renderList, renderStatus } from '../render-status.js';

interface StatusFlags {
  json?: boolean;
  recipients?: boolean;
  state?: string;
  format?: RowFormat;
}

export async function statusAction(ctx: Context, id: string | undefined, flags: StatusFlags): Promise<number> {
  // --state and --format only make sense for rows: asking for them is asking for the rows.
  const rows = Boolean(flags.recipients || flags.state || flags.format);
  if (!id && rows)
    throw usageError('--recipients, --state and --format need a broadcast id', 'e.g. wa-send status <broadcast-id> --recipients');
  if (id && ctx.journalMissing()) throw usageError(`no broadcast ${id}: the journal ${ctx.journalLabel} does not exist yet`);
  // A journal that does not exist yet opens as an empty one: the list says "No broadcasts yet."
  return ctx.withJournal({ readonly: true }, async (journal) => {
    const now = ctx.clock.now();
    if (!id) {
      const list = await allStatuses(journal, now, ownerAlive);
      if (flags.json) printJson(ctx.io, list);
      else printLine(ctx.io.stdout, renderList(ctx.io, list));
      return 0;
    }
    await requireBroadcast(journal, id);
    if (rows) {
      await writeRecipientRows(ctx.io.stdout, journal.broadcasts.rows(id, flags.state), flags.format ?? 'table');
      return 0;
    }
    const status = await broadcastStatus(journal, id, now, ownerAlive);
    if (flags.json) printJson(ctx.io, status);
    else printLine(ctx.io.stdout, renderStatus(ctx.io, status));
    return 0;
  });
}
