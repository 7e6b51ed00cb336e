// The undici dispatch handler behind one CloudApiClient.send(): it reads the whole response (undici
// keeps a socket busy until its body is consumed), classifies it, and decides what a failure means.
//
// "Was the request written?" (DESIGN §3 rule 4). undici 7 calls the handler's onRequestStart
// (the legacy onConnect, wrapped by UnwrapHandler) from writeH1 in lib/dispatcher/client-h1.js,
// synchronously, immediately before it writes the request line, headers and body to a socket that
// is connected and idle; nothing is written to a socket before that call. Everything that can fail
// earlier (DNS, ECONNREFUSED, connect timeout, TLS handshake, a dispatcher already closed, a header
// undici refuses) fails before onRequestStart, so the request never left: `unreachable`, safe to
// retry. A keep-alive socket the server closed while idle never gets the request at all: undici
// drops that socket and writes the queued request to a fresh connection. Once onRequestStart has
// run, any failure (headers/body timeout, reset, socket closed mid-response) is `unknown`, even if
// the bytes probably never reached the server: we cannot prove they did not. The flag is never
// reset, so a doubt once raised stays raised.

import type { Dispatcher } from 'undici';
import type { SendOutcome } from '../core/sender.js';
import { classifyResponse, type ResponseHeaders } from './classify.js';
import type { Redact } from './redact.js';

/** A send response is a few hundred bytes; more is an error page, of which the start suffices. */
const BODY_KEEP_BYTES = 64 * 1024;

export class SendHandler implements Dispatcher.DispatchHandler {
  private written = false;
  private status = 0;
  private headers: ResponseHeaders = {};
  private chunks: Buffer[] = [];
  private kept = 0;

  constructor(
    /** Applied to the whole body before it is cut to a snippet: a cut token would escape a later scrub. */
    private readonly redact: Redact,
    private readonly done: (outcome: SendOutcome) => void,
    /** Told once, as the request is about to be written: the rate gate counts the start from here. */
    private readonly onWritten?: () => void,
  ) {}

  onRequestStart(): void {
    if (this.written) return;
    this.written = true;
    this.onWritten?.();
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: ResponseHeaders): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    // Past the cap the chunk is still consumed (undici needs that), just not kept.
    if (this.kept < BODY_KEEP_BYTES) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
    }
  }

  onResponseEnd(): void {
    const { chunks } = this;
    const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.done(classifyResponse(this.status, this.headers, body, Date.now(), this.redact));
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    const reason = describe(err);
    this.done(
      this.written
        ? { kind: 'unknown', detail: `connection failed after the request was written; it may have reached the API: ${reason}` }
        : { kind: 'unreachable', detail: `request not sent: ${reason}` },
    );
  }
}

function describe(err: Error & { code?: unknown }): string {
  const code = typeof err.code === 'string' ? err.code : undefined;
  // Node's connect AggregateError (several addresses tried) has an empty message but a code.
  const message = err.message || err.name;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
