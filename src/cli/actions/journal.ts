// journal copy <from> <to>: every broadcast, recipient, attempt, run, webhook event, opt-out and
// opt-in of one journal into an empty other one (leases are not data: src/core/journal-copy.ts). The source is only read; the target is created if needed.
import { existsSync } from 'node:fs';
import { usageError } from '../../core/errors.js';
import type { Journal } from '../../core/journal.js';
import { copyJournal } from '../../core/usecases/copy-journal.js';
import { isJournalUrl, openJournal, printableLocation } from '../../journal/index.js';
import { type Context, resolveJournalLocation } from '../context.js';
import { printJson, printLine } from '../io.js';
import { ownerAlive } from '../owner.js';

export async function journalCopyAction(
  ctx: Context,
  fromArg: string,
  toArg: string,
  flags: { json?: boolean },
): Promise<number> {
  const from = resolveJournalLocation(fromArg, {});
  const to = resolveJournalLocation(toArg, {});
  if (from === to) throw usageError(`journal copy needs two different journals; both are ${printableLocation(from)}`);
  if (!isJournalUrl(from) && !existsSync(from)) throw usageError(`the journal ${from} does not exist: nothing to copy`);
  const source = await openJournal(from, { readonly: true, env: ctx.env });
  let target: Journal | null = null;
  try {
    target = await openJournal(to, { env: ctx.env });
    const { counts, inFlight } = await copyJournal(source, target, ctx.clock.now(), ownerAlive);
    if (flags.json) printJson(ctx.io, { from: source.location, to: target.location, rows: counts, in_flight_unknown: inFlight });
    else {
      const n = (x: number) => x.toLocaleString('en-US');
      printLine(
        ctx.io.stdout,
        `Copied ${source.location} to ${target.location}: ${n(counts.broadcasts)} broadcasts, ${n(counts.recipients)} recipients, ` +
          `${n(counts.rejections)} rejected rows, ${n(counts.attempts)} attempts, ${n(counts.runs)} runs, ` +
          `${n(counts.webhook_events)} webhook events, ${n(counts.optouts)} opt-outs, ${n(counts.optins)} opt-ins.`,
      );
      if (inFlight > 0) {
        printLine(
          ctx.io.stdout,
          `${n(inFlight)} recipients were being sent when the journal was copied: unknown in the copy (they may have been sent; resume does not send them again).`,
        );
      }
    }
    return 0;
  } finally {
    await target?.close();
    await source.close();
  }
}
