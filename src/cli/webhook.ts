// wa-send webhook [--port N] [--host H]: runs the receiver until SIGINT/SIGTERM. Secrets come from
// the environment only and are never printed.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { usageError } from '../core/errors.js';
import { DEFAULT_OPTOUT_KEYWORDS } from '../webhook/events.js';
import { startWebhookServer, type WebhookLog, type WebhookServer } from '../webhook/server.js';
import type { Wrap } from '../main.js';
import type { Context } from './context.js';
import { printLine, type IO } from './io.js';
import { untilSignal } from './signals.js';

interface WebhookFlags { port: number; host: string; optoutKeywords: string[]; json?: boolean }

export const DEFAULT_WEBHOOK_PORT = 8080;

export function registerWebhook(program: Command, wrap: Wrap): void {
  program.command('webhook')
    .description("receive Meta's status and inbound webhooks: delivery receipts and opt-outs")
    .option('--port <n>', 'port to listen on (0: any free port)', portNumber, DEFAULT_WEBHOOK_PORT)
    .option('--host <host>', 'address to listen on; put a TLS proxy in front', '127.0.0.1')
    .addOption(new Option('--optout-keywords <list>', 'comma-separated replies that opt the sender out')
      .argParser(keywordList).default([...DEFAULT_OPTOUT_KEYWORDS], DEFAULT_OPTOUT_KEYWORDS.join(',')))
    .option('--json', 'log one JSON object per line on stdout')
    .action(wrap(webhookAction));
}

async function webhookAction(ctx: Context, flags: WebhookFlags): Promise<number> {
  const appSecret = ctx.env.WA_APP_SECRET;
  if (!appSecret) {
    throw usageError('WA_APP_SECRET is not set: the receiver cannot check webhook signatures without it',
      'set it to your app secret (App Dashboard → App settings → Basic), in the environment or an --env-file');
  }
  const db = ctx.openJournal();
  let server: WebhookServer;
  try {
    server = await startWebhookServer({
      db, appSecret, verifyToken: ctx.env.WA_VERIFY_TOKEN, port: flags.port, host: flags.host,
      optoutKeywords: flags.optoutKeywords, log: logger(ctx.io, Boolean(flags.json)),
    });
  } catch (err) {
    db.close();
    throw listenError(err, flags);
  }
  printLine(ctx.io.stdout, `wa-send webhook listening on ${server.url}`);
  await untilSignal();
  await server.close();
  db.close();
  return 0;
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
  if (code === 'EADDRINUSE') return usageError(`cannot listen on ${where}: the address is already in use`, 'choose another --port');
  if (code === 'EACCES') return usageError(`cannot listen on ${where}: permission denied`, 'use a port above 1023');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return usageError(`cannot listen on ${where}: no such local address`);
  return err as Error;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(`--port must be a number from 0 to 65535, got "${value}"`);
  return n;
}

function keywordList(value: string): string[] {
  const words = value.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (words.length === 0) throw new InvalidArgumentError('--optout-keywords needs at least one word, e.g. STOP,UNSUBSCRIBE');
  return words;
}
