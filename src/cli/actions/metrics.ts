// metrics: the journal in Prometheus text exposition format: once on stdout, once into a file for
// node_exporter's textfile collector (--textfile, from cron), or on every scrape (--listen).
import { type ConfiguredNumber, journalSamples } from '../../core/metrics.js';
import { renderPrometheus } from '../../metrics/prometheus.js';
import { checkTextfileTarget, writeTextfile } from '../../metrics/textfile.js';
import type { ListenAddress } from '../commands/metrics.js';
import type { Context } from '../context.js';
import { note } from '../io.js';
import { ownerAlive } from '../owner.js';

interface MetricsFlags {
  textfile?: string;
  listen?: ListenAddress;
}

export async function metricsAction(ctx: Context, flags: MetricsFlags): Promise<number> {
  // The config file is read once, first: a broken one is a usage error before anything is written or served.
  const configured = configuredNumbers(ctx);
  const read = () => readMetrics(ctx, configured);
  if (flags.listen) return (await import('./metrics-listen.js')).serveMetrics(ctx, flags.listen, read);
  if (flags.textfile !== undefined) {
    checkTextfileTarget(flags.textfile);
    // The collector skips other names without a word: say so here, where someone can still see it.
    if (!flags.textfile.endsWith('.prom')) note(ctx.io, "note: node_exporter's textfile collector reads only files named *.prom");
  }
  const missing = ctx.journalMissing();
  const text = await read();
  if (flags.textfile === undefined) ctx.io.stdout.write(text);
  else writeTextfile(flags.textfile, text);
  if (missing) ctx.io.stderr.write(`(no journal at ${ctx.journalLabel} yet)\n`);
  return 0;
}

/** Opens the journal read-only, reads, closes: nothing is held between two reads. */
async function readMetrics(ctx: Context, configured: readonly ConfiguredNumber[]): Promise<string> {
  const now = ctx.clock.now();
  const facts = await ctx.withJournal({ readonly: true }, (journal) => journal.broadcasts.metrics(now));
  return renderPrometheus(journalSamples({ facts, now, ownerAlive, configured }));
}

/** The config file's sending numbers and their daily limits (profiles without phone_number_id name no number). */
function configuredNumbers(ctx: Context): ConfiguredNumber[] {
  return [...ctx.config().profiles.values()].flatMap((p) =>
    p.phoneNumberId === undefined ? [] : [{ profile: p.name, phoneNumberId: p.phoneNumberId, dailyLimit: p.dailyLimit ?? null }],
  );
}
