// metrics --listen: serves the journal for Prometheus until SIGINT/SIGTERM/SIGHUP (exit 0). Stdout gets
// exactly one line, the URL with the port actually bound, so scripts and tests can find it.
import { usageError, WaSendError } from '../../core/errors.js';
import { startMetricsServer } from '../../metrics/server.js';
import type { ListenAddress } from '../commands/metrics.js';
import type { Context } from '../context.js';
import { untilStopSignal } from '../interrupts.js';
import { note, printable, printLine } from '../io.js';
import { errorVerdict } from '../outcome.js';

export async function serveMetrics(ctx: Context, address: ListenAddress, read: () => Promise<string>): Promise<number> {
  const missing = ctx.journalMissing();
  await firstRead(ctx, read);
  const server = await startMetricsServer({
    ...address,
    scrape: read,
    describeError: (err) => printable(errorVerdict(err).line ?? String(err)),
    log: (line) => {
      if (!ctx.io.quiet) ctx.io.stderr.write(`${new Date().toISOString()} warn: ${line}\n`);
    },
  }).catch((err: unknown) => {
    throw listenError(err, address);
  });
  printLine(ctx.io.stdout, server.url);
  note(ctx.io, `serving ${ctx.journalLabel} for Prometheus at ${server.url}; Ctrl-C stops`);
  if (missing) note(ctx.io, `(no journal at ${ctx.journalLabel} yet: scrapes show an empty journal until one is written)`);
  await untilStopSignal(ctx.io);
  await server.close();
  return 0;
}

/**
 * A file that is no journal (or one from a newer wa-send) will not become one: refuse at start, exit 2.
 * A journal that cannot be read right now (a PostgreSQL server still starting) may be readable at
 * the next scrape: warn and serve, each scrape answers 503 until it is.
 */
async function firstRead(ctx: Context, read: () => Promise<string>): Promise<void> {
  try {
    await read();
  } catch (err) {
    if (err instanceof WaSendError) throw err;
    note(
      ctx.io,
      `warning: ${printable(errorVerdict(err).line ?? String(err))} — serving anyway; scrapes answer 503 until it reads`,
    );
  }
}

function listenError(err: unknown, { host, port }: ListenAddress): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') return usageError(`cannot listen on ${where}: the address is already in use`, 'choose another port');
  if (code === 'EACCES') return usageError(`cannot listen on ${where}: permission denied`, 'use a port above 1023');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return usageError(`cannot listen on ${where}: no such local address`);
  return err as Error;
}
