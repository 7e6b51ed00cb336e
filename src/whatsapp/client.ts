// The undici client that sends one Cloud API message per call (the Sender the engine uses).
// One Pool sized to the run's concurrency, keep-alive, no pipelining (POST is not idempotent:
// a pipelined request behind a failed one would be ambiguous for no gain), explicit timeouts.
// Per-request work is kept to a JSON.stringify and one small handler object: the engine must
// sustain thousands of requests per second against a local sandbox.

import { Pool } from 'undici';
import type { Sender, SendOutcome } from '../core/sender.js';
import { type Redact, tokenRedactor } from './redact.js';
import { SendHandler } from './send-handler.js';

export interface CloudApiClientOptions {
  /** e.g. https://graph.facebook.com, or a proxy/sandbox URL with a path prefix. */
  apiUrl: string;
  apiVersion: string;
  phoneNumberId: string;
  token: string;
  /** Sockets in the pool: match the engine's concurrency. */
  connections: number;
  connectTimeoutMs?: number;
  /** Limit for the response headers, and for each gap between body chunks. */
  responseTimeoutMs?: number;
}

export class CloudApiClient implements Sender {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: string[];
  private readonly redact: Redact;
  private closing: Promise<void> | null = null;

  constructor(options: CloudApiClientOptions) {
    const { connections, token } = options;
    if (!Number.isInteger(connections) || connections < 1) {
      throw new Error(`connections must be a positive integer, got ${connections}`);
    }
    // undici would refuse such a header on every request; fail once, without echoing the token.
    if (/[\r\n\0]/.test(token)) throw new Error('the access token contains a line break or NUL');
    const url = new URL(options.apiUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error(`API URL must be http(s), got ${url.protocol}`);
    }
    const prefix = url.pathname.replace(/\/+$/, '');
    this.path = `${prefix}/${encodeURIComponent(options.apiVersion)}/${encodeURIComponent(options.phoneNumberId)}/messages`;
    this.redact = tokenRedactor(token);
    // Built once and shared: undici copies header arrays into each request, never mutates them.
    this.headers = ['authorization', `Bearer ${token}`, 'content-type', 'application/json'];
    const responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
    this.pool = new Pool(url.origin, {
      connections,
      pipelining: 1,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      headersTimeout: responseTimeoutMs,
      bodyTimeout: responseTimeoutMs,
    });
  }

  send(body: Record<string, unknown>, onWritten?: () => void): Promise<SendOutcome> {
    // A body that cannot be serialised is a bug: the promise rejects rather than pretend a send outcome.
    return new Promise((resolve) => {
      const payload = JSON.stringify(body);
      const handler = new SendHandler(this.redact, (outcome) => resolve(this.scrub(outcome)), onWritten);
      // dispatch reports its own synchronous failures (closed pool, bad options) through
      // onResponseError before any write, so they arrive as `unreachable`.
      this.pool.dispatch({ path: this.path, method: 'POST', headers: this.headers, body: payload }, handler);
    });
  }

  /** Waits for requests in flight (bounded by the timeouts), then closes every socket. */
  close(): Promise<void> {
    this.closing ??= this.pool.close();
    return this.closing;
  }

  /**
   * A proxy or server may echo request headers into an answer; the token must never be recorded. The
   * handler scrubs a body before cutting it to a snippet; this scrubs every string the outcome carries
   * (undici's own error messages included), which are short and complete by now.
   */
  private scrub(outcome: SendOutcome): SendOutcome {
    const r = this.redact;
    switch (outcome.kind) {
      case 'accepted': {
        // Runs once per message: the usual, clean outcome is returned as it is rather than copied.
        const wamid = r(outcome.wamid);
        const messageStatus = outcome.messageStatus === null ? null : r(outcome.messageStatus);
        return wamid === outcome.wamid && messageStatus === outcome.messageStatus
          ? outcome
          : { ...outcome, wamid, messageStatus };
      }
      case 'error':
        return {
          ...outcome,
          title: r(outcome.title),
          detail: outcome.detail === null ? null : r(outcome.detail),
          fbtraceId: outcome.fbtraceId === null ? null : r(outcome.fbtraceId),
        };
      default:
        return { ...outcome, detail: r(outcome.detail) };
    }
  }
}
