// check: the journal's problems on stderr (exit 3), or silence (exit 0), as a cron job wants; with a
// notify target, one alert listing them. The journal is only read; an alert that cannot be delivered
// is one more stderr line and changes nothing else.
import { checkAlert, checkJournal, type Problem } from '../../core/usecases/check.js';
import { resolveAccount } from '../account.js';
import { AlertCourier, notifyTarget } from '../alerts.js';
import type { Context } from '../context.js';
import { errorOut, note, printJson } from '../io.js';
import { EXIT } from '../outcome.js';

interface CheckFlags {
  notify?: string;
  maxFailed: number;
  maxStuckMinutes: number;
  json?: boolean;
}

export async function checkAction(ctx: Context, flags: CheckFlags): Promise<number> {
  const account = resolveAccount(ctx, flags.notify === undefined ? {} : { notify: flags.notify });
  const target = notifyTarget(account.settings.notify);
  const limits = { maxFailed: flags.maxFailed, maxStuckMs: flags.maxStuckMinutes * 60_000 };
  let problems: Problem[] = [];
  // No journal yet is nothing to worry about (a new box, before its first broadcast): say so, quietly.
  if (ctx.journalMissing()) note(ctx.io, `(no journal at ${ctx.journalLabel} yet: nothing to check)`);
  else problems = await ctx.withJournal({ readonly: true }, (journal) => checkJournal(journal, ctx.clock.now(), limits));
  render(ctx, problems, Boolean(flags.json));
  if (problems.length === 0) return EXIT.ok;
  if (target !== null) {
    const courier = new AlertCourier(ctx.io);
    courier.send(account.settings.notify.value!, checkAlert(problems, account.profile?.name ?? null, ctx.clock.now()));
    await courier.drain();
  }
  return EXIT.partial;
}

function render(ctx: Context, problems: Problem[], json: boolean): void {
  if (json) {
    printJson(ctx.io, { ok: problems.length === 0, problems });
    if (problems.length > 0) errorOut(ctx.io, `check found ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    return;
  }
  for (const p of problems) errorOut(ctx.io, p.line);
}
