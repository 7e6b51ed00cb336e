// wa-send status [id] [--json] [--recipients [--state S] [--format table|csv|json]]
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { usageError } from '../core/errors.js';
import { RECIPIENT_STATES } from '../core/types.js';
import { listBroadcasts } from '../journal/broadcasts.js';
import type { Db } from '../journal/db.js';
import { broadcastStatus } from '../journal/status.js';
import type { Wrap } from '../main.js';
import { requireBroadcast, type Context } from './context.js';
import { printJson, printLine } from './io.js';
import { ownerAlive } from './owner.js';
import { writeRecipientRows, type RowFormat } from './recipient-export.js';
import { renderList, renderStatus } from './render-status.js';

interface StatusFlags { json?: boolean; recipients?: boolean; state?: string; format?: RowFormat }

export function registerStatus(program: Command, wrap: Wrap): void {
  program.command('status')
    .description('show broadcasts (newest first), or one broadcast in detail')
    .argument('[broadcast-id]')
    .option('--json', 'print the status object(s) as JSON')
    .option('--recipients', 'list the rows of the broadcast (recipients and rejected rows)')
    .addOption(new Option('--state <state>', 'with --recipients: only rows in this state').choices([...RECIPIENT_STATES, 'rejected']))
    .addOption(new Option('--format <format>', 'rows output format (implies --recipients; default table)').choices(['table', 'csv', 'json']))
    .action(wrap(statusAction));
}

async function statusAction(ctx: Context, id: string | undefined, flags: StatusFlags): Promise<number> {
  // --state and --format only make sense for rows: asking for them is asking for the rows.
  const rows = Boolean(flags.recipients || flags.state || flags.format);
  if (!id && rows) throw usageError('--recipients, --state and --format need a broadcast id', 'e.g. wa-send status <broadcast-id> --recipients');
  if (id && !existsSync(ctx.journalPath)) throw usageError(`no broadcast ${id}: the journal ${ctx.journalPath} does not exist yet`);
  // A journal that does not exist yet opens as an empty one: the list says "No broadcasts yet."
  const db = ctx.openJournal({ readonly: true });
  try {
    return id ? await showOne(ctx, db, id, flags, rows) : showAll(ctx, db, flags);
  } finally {
    db.close();
  }
}

function showAll(ctx: Context, db: Db, flags: StatusFlags): number {
  const now = Date.now();
  const list = listBroadcasts(db).map((b) => broadcastStatus(db, b, now, ownerAlive));
  if (flags.json) printJson(ctx.io, list);
  else printLine(ctx.io.stdout, renderList(ctx.io, list));
  return 0;
}

async function showOne(ctx: Context, db: Db, id: string, flags: StatusFlags, rows: boolean): Promise<number> {
  const b = requireBroadcast(ctx, db, id);
  if (rows) {
    await writeRecipientRows(ctx.io.stdout, db, id, flags.state, flags.format ?? 'table');
    return 0;
  }
  const status = broadcastStatus(db, b, Date.now(), ownerAlive);
  if (flags.json) printJson(ctx.io, status);
  else printLine(ctx.io.stdout, renderStatus(ctx.io, status));
  return 0;
}
