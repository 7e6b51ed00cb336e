// DESIGN §4 and the promise "never the same message twice to the same person": a recipient accepted
// for an identical rendered message (same sending number, same request body apart from the callback
// data) within --dedup-window is not sent it again, whichever broadcast planned it. The identity is a
// hash of the sending number, the recipient and the rendered message (keys in a canonical order).
import { createHash } from 'node:crypto';
import { renderValue } from '../placeholders.js';
import type { MessageSpec, Target } from '../types.js';
import { canonical } from './key-reuse.js';

/** Default --dedup-window: a week. */
export const DEFAULT_DEDUP_WINDOW_MS = 7 * 24 * 3600_000;

/** The sending number a target stands for (an API URL can change, a proxy may front it; the number is the sender). */
export function senderOf(target: Target): string {
  return target === 'sandbox' ? 'sandbox' : target.phone_number_id;
}

/**
 * Hashes the identity of one recipient's message. Rendering is cached per distinct set of values
 * (a template without placeholders renders once for a million rows).
 */
export function messageHasher(target: Target, spec: MessageSpec): (phone: string, varsJson: string | null) => string {
  const sender = senderOf(target);
  const rendered = new Map<string, string>();
  return (phone, varsJson) => {
    const key = varsJson ?? '';
    let body = rendered.get(key);
    if (body === undefined) {
      const vars = varsJson ? (JSON.parse(varsJson) as Record<string, string>) : {};
      body = canonical(renderValue(spec.message, vars));
      if (rendered.size < 10_000) rendered.set(key, body);
    }
    return createHash('sha256').update(sender).update('\0').update(phone).update('\0').update(body).digest('base64url');
  };
}

/** Rows accepted (or possibly sent) since this time count as sent; null turns the guard off (--dedup-window 0). */
export function dedupSince(now: number, windowMs: number): number | null {
  return windowMs > 0 ? now - windowMs : null;
}
