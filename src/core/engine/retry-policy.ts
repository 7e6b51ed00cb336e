// What happens to a recipient after one attempt: the next state, when to try again, and whether
// the attempt counts. Pure: the engine applies the decision; tests drive it with a fixed random().
import type { SendOutcome } from '../sender.js';
import type { RecipientState } from '../types.js';

export interface RetryOptions {
  maxAttempts: number;
  /** Full-jitter exponential backoff: delay = random(0, min(cap, base · 2^(attempt-1))). */
  baseMs: number;
  capMs: number;
}

/** Defaults documented in the README: 1 s base, 60 s cap, full jitter. */
export const RETRY_DEFAULTS: Omit<RetryOptions, 'maxAttempts'> = { baseMs: 1000, capMs: 60_000 };

export interface Decision {
  state: RecipientState;
  nextAttemptAt: number | null;
  /** -1 when the attempt must not count (throttling, never sent, halted before it counted). */
  attemptsDelta: 0 | -1;
  errorClass: string | null;
  /** Run-wide consequences for the engine. */
  halt?: boolean;
  throttle?: boolean;
  optOut?: boolean;
  networkDown?: boolean;
}

const DAY_MS = 24 * 3600_000;

/**
 * @param attempts the row's attempts including this one
 * @param pairRateHits how many 131056 answers this row had before this one
 */
export function decide(
  outcome: SendOutcome,
  attempts: number,
  pairRateHits: number,
  opts: RetryOptions,
  now: number,
  random: () => number,
): Decision {
  const backoff = () => now + Math.floor(random() * Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempts - 1)));
  const retryOrFail = (errorClass: string, maxAttempts = opts.maxAttempts): Decision =>
    attempts >= maxAttempts
      ? { state: 'failed', nextAttemptAt: null, attemptsDelta: 0, errorClass }
      : { state: 'retry', nextAttemptAt: backoff(), attemptsDelta: 0, errorClass };

  switch (outcome.kind) {
    case 'accepted':
      return { state: 'sent', nextAttemptAt: null, attemptsDelta: 0, errorClass: null };
    case 'unknown': // the API may have it: never re-sent unless the operator asks (DESIGN §3 rule 4)
      return { state: 'unknown', nextAttemptAt: null, attemptsDelta: 0, errorClass: 'unknown' };
    case 'unreachable': // never left this machine: free to retry, the attempt doesn't count
      return { state: 'retry', nextAttemptAt: backoff(), attemptsDelta: -1, errorClass: 'unreachable', networkDown: true };
    case 'error':
      break;
  }
  const afterRetryAfter = (at: number) => Math.max(at, now + (outcome.retryAfterMs ?? 0));
  switch (outcome.errorClass) {
    case 'throttle': // the rate gate slows the whole run; the row itself just goes back in line shortly
      return {
        state: 'retry',
        nextAttemptAt: afterRetryAfter(now + 1000 + Math.floor(random() * 1000)),
        attemptsDelta: -1,
        errorClass: 'throttle',
        throttle: true,
      };
    case 'retryable': {
      // Code 1 may be a malformed request as well as a server error: only a couple of tries (FACTS §3).
      const d = retryOrFail('retryable', outcome.code === 1 ? Math.min(opts.maxAttempts, 3) : opts.maxAttempts);
      return d.nextAttemptAt === null ? d : { ...d, nextAttemptAt: afterRetryAfter(d.nextAttemptAt) };
    }
    case 'unexpected': // not a Cloud API answer: retried like a transient error until it repeats enough to halt
      return retryOrFail('unexpected');
    case 'maintenance': {
      const d = retryOrFail('retryable');
      return d.nextAttemptAt === null ? d : { ...d, nextAttemptAt: now + 30_000 + Math.floor(random() * 30_000) };
    }
    case 'pair_rate': {
      const d = retryOrFail('retryable');
      return d.nextAttemptAt === null ? d : { ...d, nextAttemptAt: now + 4 ** pairRateHits * 1000 };
    }
    case 'permanent':
      return { state: 'failed', nextAttemptAt: null, attemptsDelta: 0, errorClass: 'permanent' };
    case 'payload':
      return { state: 'failed', nextAttemptAt: null, attemptsDelta: 0, errorClass: 'payload' };
    case 'opted_out':
      return { state: 'skipped', nextAttemptAt: null, attemptsDelta: 0, errorClass: 'opted_out', optOut: true };
    case 'defer_24h': // failed for this run; `retry-failed` may try it again once a day has passed
      return { state: 'failed', nextAttemptAt: now + DAY_MS, attemptsDelta: 0, errorClass: 'defer_24h' };
    case 'halt': // the row is fine, the account/token/template is not: back to pending for `resume`
      return { state: 'pending', nextAttemptAt: null, attemptsDelta: -1, errorClass: 'halt', halt: true };
  }
}
