// Meta's verification handshake (FACTS §6): GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…
// is answered 200 with the raw challenge only when the token matches WA_VERIFY_TOKEN; else 403.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { WebhookLog } from './applier.js';

export function handshake(
  params: URLSearchParams,
  verifyToken: string | null | undefined,
  res: ServerResponse,
  log: WebhookLog,
): void {
  const challenge = params.get('hub.challenge');
  const token = params.get('hub.verify_token');
  if (!verifyToken) {
    log({
      level: 'warn',
      event: 'handshake',
      status: 403,
      msg: 'refused a verification handshake: WA_VERIFY_TOKEN is not set (403)',
    });
  } else if (params.get('hub.mode') === 'subscribe' && token !== null && challenge !== null && sameSecret(token, verifyToken)) {
    log({ level: 'info', event: 'handshake', status: 200, msg: 'answered a verification handshake (200)' });
    // The challenge is reflected: plain text and nosniff, so a browser never renders it as HTML.
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(challenge);
    return;
  } else {
    log({
      level: 'warn',
      event: 'handshake',
      status: 403,
      msg: 'refused a verification handshake: wrong hub.mode or hub.verify_token (403)',
    });
  }
  res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('forbidden\n');
}

/** Constant-time equality for secrets of any length (digests have a fixed length). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
