// webhook: runs the receiver until SIGINT/SIGTERM/SIGHUP. Secrets come from the environment only
// and are never printed. The journal is opened durable: an event is on disk before its 200.
import { usageError } from '../../core/errors.js';
import { startWebhookServer, type WebhookLog, type WebhookServer } from '../../webhook/server.js';
import type { Context } from '../context.js';
import { untilStopSignal } from '../interrupts.js';
import { type IO, printLine } from '../io.js';

interface WebhookFlags {
  port: number;
  host: string;
  optoutKeywords: string[];
  json?: boolean;
}

export async function webhookAction(ctx: Context, flags: WebhookFlags): Promise<number> {
  const appSecret = ctx.env.WA_APP_SECRET;
  if (!appSecret) {
    throw usageError(
      'WA_APP_SECRET is not set: the receiver cannot check webhook signatures without it',
      'set it to your app secret (App Dashboard → App settings → Basic), in the environment or an --env-file',
    );
  }
  return ctx.withJournal({ durable: true }, async (journal) => {
    let server: WebhookServer;
    try {
      server = await startWebhookServer({
        journal,
        appSecret,
        verifyToken: ctx.env.WA_VERIFY_TOKEN,
        port: flags.port,
        host: flags.host,
        optoutKeywords: flags.optoutKeywords,
        log: logger(ctx.io, Boolean(flags.json)),
      });
    } catch (err) {
      throw listenError(err, flags);
    }
    printLine(ctx.io.stdout, `wa-send webhook listening on ${server.url}`);
    await untilStopSignal(ctx.io);
    await server.close();
    return 0;
  });
}

function logger(io: IO, json: boolean): WebhookLog {
  return (entry) => {
    if (io.quiet || (entry.level === 'debug' && !io.verbose)) return;
    const time = new Date().toISOString();
    if (json) io.stdout.write(`${JSON.stringify({ time, ...entry })}\n`);
    else io.stderr.write(`${time} ${entry.level === 'info' || entry.level === 'debug' ? '' : `${entry.level}: `}${entry.msg}\n`);
  };
}

function listenError(err: unknown, flags: WebhookFlags): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${flags.host}:${flags.port}`;
  if (code === 'EADDRINUSE')
    return usageError(`cannot listen on ${where}: the address is already in use`, 'choose another --port');
  if (code === 'EACCES') return usageError(`cannot listen on ${where}: permission denied`, 'use a port above 1023');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return usageError(`cannot listen on ${where}: no such local address`);
  return err as Error;
}
