// The webhook receiver (DESIGN §8): node:http, meant to sit behind the operator's TLS proxy.
// POST order is the crash-safety rule: verify the signature over the raw bytes, persist every
// event in one transaction, answer 200, and only then apply. Meta cannot be asked to resend a
// webhook it got a 200 for, so nothing is acknowledged before it is on disk.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Journal } from '../core/journal.js';
import { listenOn } from '../net/listen.js';
import { createApplier, type WebhookLog } from './applier.js';
import { MAX_BODY_BYTES, readBody } from './body.js';
import { DEFAULT_OPTOUT_KEYWORDS, extractEvents, optoutMatcher, readLegacyEvent } from './events.js';
import { handshake } from './handshake.js';
import { verifySignature } from './signature.js';

export type { WebhookLog, WebhookLogEntry } from './applier.js';

export interface WebhookServerOptions {
  /** Opened durable: an event is on disk before its 200. */
  journal: Journal;
  appSecret: string;
  /** Missing: every verification handshake is refused (POSTs still work). */
  verifyToken?: string | null | undefined;
  port: number;
  host: string;
  optoutKeywords?: readonly string[];
  log?: WebhookLog;
  maxBodyBytes?: number;
}

export interface WebhookServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Meta posts to the callback URL the operator configured; the proxy may map it to either path. */
const PATHS = new Set(['/', '/webhook', '/webhook/']);
const SWEEP_MS = 30_000;

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  if (!opts.appSecret) throw new Error('startWebhookServer needs the app secret');
  const log: WebhookLog = opts.log ?? (() => {});
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const isOptoutText = optoutMatcher(opts.optoutKeywords ?? DEFAULT_OPTOUT_KEYWORDS);
  const { journal } = opts;
  const applier = createApplier(journal.events, log);
  if (!opts.verifyToken)
    log({ level: 'warn', event: 'config', msg: 'WA_VERIFY_TOKEN is not set: verification handshakes (GET) will be refused' });
  const upgraded = await journal.events.upgradeLegacy(readLegacyEvent);
  if (upgraded > 0) log({ level: 'info', event: 'upgrade', msg: `read ${upgraded} events stored by an older version` });
  await applier.runNow('startup'); // events persisted but not applied before a crash or a stop
  // Rows can leave `sending` without any POST arriving (another process records the send, or a
  // resume turns dead `sending` rows into `unknown`): sweep now and then for what can apply now.
  const sweep = setInterval(() => applier.schedule('sweep'), SWEEP_MS).unref();

  async function onPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, limit);
    if (body === null) {
      log({ level: 'warn', event: 'rejected', status: 413, msg: `rejected a POST over ${limit} bytes (413)` });
      // Stop reading: the client gets its answer and the connection goes away with the rest of the body.
      res.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' }).end('payload too large\n', () => req.destroy());
      return;
    }
    if (!verifySignature(body, req.headers['x-hub-signature-256'], opts.appSecret)) {
      const why = req.headers['x-hub-signature-256'] === undefined ? 'no X-Hub-Signature-256' : 'a wrong X-Hub-Signature-256';
      log({ level: 'warn', event: 'rejected', status: 401, msg: `rejected a POST with ${why} (401)` });
      return reply(res, 401, 'invalid signature');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      log({ level: 'warn', event: 'rejected', status: 400, msg: 'rejected a signed POST whose body is not JSON (400)' });
      return reply(res, 400, 'body is not JSON');
    }
    const batch = extractEvents(payload, isOptoutText);
    const { inserted, duplicates } = await journal.events.insert(batch.events, Date.now());
    reply(res, 200, 'ok');
    const { statuses, inbound, preferences } = batch.counts;
    log({
      level: 'info',
      event: 'batch',
      events: batch.events.length,
      new: inserted,
      duplicates,
      statuses,
      inbound,
      preferences,
      msg: `received ${batch.events.length} events (${inserted} new, ${duplicates} duplicates): ${statuses} statuses, ${inbound} inbound, ${preferences} preferences`,
    });
    for (const e of batch.systemErrors) {
      log({
        level: 'warn',
        event: 'system_error',
        code: e.code,
        title: e.title,
        msg: `Meta reported an account-level error ${String(e.code)}: ${String(e.title)}`,
      });
    }
    if (inserted > 0) applier.schedule();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!PATHS.has(url.pathname)) return reply(res, 404, 'not found');
    if (req.method === 'GET') return handshake(url.searchParams, opts.verifyToken, res, log);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST');
      return reply(res, 405, 'method not allowed');
    }
    onPost(req, res).catch((err: unknown) => {
      // Typically SQLITE_BUSY past busy_timeout: not a 200, so Meta retries the POST later.
      log({ level: 'error', event: 'error', msg: `could not store a webhook POST: ${(err as Error).message}` });
      if (!res.headersSent) reply(res, 500, 'could not store the events');
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000; // a slow client cannot hold a connection open indefinitely

  const { port, origin } = await listenOn(server, opts.host, opts.port);
  return {
    url: `${origin}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 5_000).unref();
        clearInterval(sweep);
        server.close(() => {
          clearTimeout(force);
          applier.stop().then(resolve, resolve);
        });
        server.closeIdleConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}
