// metrics: the journal in Prometheus text exposition format.
import { journalSamples, renderPrometheus } from '../../core/metrics.js';
import type { Context } from '../context.js';
import { ownerAlive } from '../owner.js';

export async function metricsAction(ctx: Context): Promise<number> {
  const missing = ctx.journalMissing();
  await ctx.withJournal({ readonly: true }, async (journal) => {
    ctx.io.stdout.write(
      renderPrometheus(journalSamples(await journal.broadcasts.metrics(ctx.clock.now()), ctx.clock.now(), ownerAlive)),
    );
  });
  if (missing) ctx.io.stderr.write(`(no journal at ${ctx.journalLabel} yet)\n`);
  return 0;
}
