// X-Hub-Signature-256 (FACTS §6): hex HMAC-SHA256 of the exact request bytes, keyed with the app
// secret. Always over the raw Buffer: Meta signs its escaped-unicode rendering of the JSON, so
// re-serialising the parsed body breaks the signature of any event with non-ASCII text.
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/** The header value Meta would send for `body` (the sandbox, tests and the bench sign with it). */
export function signatureHeader(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Constant-time check of a X-Hub-Signature-256 value against the raw body. */
export function verifySignature(rawBody: Buffer, header: string | string[] | undefined, appSecret: string): boolean {
  if (typeof header !== 'string' || appSecret === '') return false;
  const match = HEADER_FORMAT.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  // timingSafeEqual throws on a length mismatch; the regex already fixes the length, check anyway.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
