// Small HTTP helpers for the sandbox server: reading a bounded body, writing JSON, and the Graph API
// error body of FACTS §3, so every error the sandbox gives looks like one from Meta.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorTitle, httpStatusFor } from '../whatsapp/error-codes.js';

/** Meta caps request bodies far below this; it only protects the sandbox from runaway clients. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
      else resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
    // A client that hangs up mid-body may get neither 'end' nor 'error'; don't wait forever.
    req.on('close', () => {
      if (!req.complete) reject(new Error('client closed the connection before the body was complete'));
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed || res.writableEnded) return; // the client gave up while we waited
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// A per-process prefix plus a counter: unique, cheap (no crypto per message) and never reused by a
// restarted sandbox, so journals from earlier runs can't collide with new wamids.
const RUN = randomBytes(6).toString('hex').toUpperCase();
let counter = 0;

export function newWamid(): string {
  return `wamid.SBX${RUN}${(++counter).toString(36).toUpperCase().padStart(8, '0')}`;
}

function fbtraceId(): string {
  return randomBytes(8).toString('base64url');
}

/** The error body and HTTP status for a Cloud API error code. */
export function graphError(code: number, details: string): { status: number; body: string } {
  const body = JSON.stringify({
    error: {
      message: `(#${code}) ${errorTitle(code)}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details },
      fbtrace_id: fbtraceId(),
    },
  });
  return { status: httpStatusFor(code), body };
}
