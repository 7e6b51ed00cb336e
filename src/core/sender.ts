// What the engine needs from the wire: send one request body, get one classified outcome.
// The undici client in src/whatsapp implements it; unit tests use small fakes.

/**
 * How a Cloud API error must be treated (FACTS §3):
 * retryable  - transient: back off with jitter and try again (spends an attempt)
 * throttle   - throughput limit: slow the whole run down and retry (does not spend an attempt)
 * pair_rate  - 131056: too many to this one recipient; retry only it after 4^x seconds
 * maintenance- 131057: number briefly unusable (throughput upgrade); retry after ~30 s
 * permanent  - this recipient can't be messaged: fail the row
 * payload    - the request is wrong: fail the row; halt if the first attempts all fail the same way
 * opted_out  - 131050: the user stopped marketing messages: record an opt-out, never retry
 * defer_24h  - 131049: per-user marketing cap: do not retry within 24 h
 * halt       - run-wide (token, permission, account, template): stop the broadcast at once
 * unexpected - an answer that is not a Cloud API error we know (a proxy, a wrong URL, an unknown
 *              code): retried, and the run halts once the same answer repeats
 */
export type ErrorClass =
  | 'retryable'
  | 'throttle'
  | 'pair_rate'
  | 'maintenance'
  | 'permanent'
  | 'payload'
  | 'opted_out'
  | 'defer_24h'
  | 'halt'
  | 'unexpected';

export type SendOutcome =
  /** HTTP 200 with a wamid: the API accepted the message (delivery comes later by webhook). */
  | { kind: 'accepted'; httpStatus: number; wamid: string; messageStatus: string | null }
  /** The API answered with an error (or a non-2xx without a parsable error). */
  | {
      kind: 'error';
      httpStatus: number;
      errorClass: ErrorClass;
      code: number | null;
      title: string;
      detail: string | null;
      retryAfterMs: number | null;
      fbtraceId: string | null;
    }
  /**
   * The request may have reached the API but no answer was read (timeout or reset after writing), or
   * the API answered 2xx without a message id (`answered`): either way it may have been sent.
   */
  | { kind: 'unknown'; detail: string; answered?: boolean }
  /** The request never left: connection refused/failed before the body was written. Safe to retry. */
  | { kind: 'unreachable'; detail: string };

export interface Sender {
  /** onWritten runs once, synchronously, just before the request's bytes are written to a socket. */
  send(body: Record<string, unknown>, onWritten?: () => void): Promise<SendOutcome>;
  close(): Promise<void>;
}

/**
 * "error 131026 Message undeliverable", or the title alone when it names the status or code itself
 * ("HTTP 407 Proxy Authentication Required (not a Cloud API answer)", "Error 2500 (unknown to wa-send): …").
 */
export function apiErrorName(o: Extract<SendOutcome, { kind: 'error' }>): string {
  const named = o.code === null || o.title === `Error ${o.code}` || o.title.startsWith(`Error ${o.code} `);
  return named ? o.title : `error ${o.code} ${o.title}`;
}

/** "error 131026 Message undeliverable: detail": how an API error is named in halt reasons. */
export function describeApiError(o: Extract<SendOutcome, { kind: 'error' }>): string {
  return `${apiErrorName(o)}${o.detail ? `: ${o.detail}` : ''}`;
}

/** The title a journal row gets for an outcome that is not an acceptance. */
export function outcomeTitle(o: Exclude<SendOutcome, { kind: 'accepted' }>): string {
  if (o.kind === 'error') return o.title;
  if (o.kind === 'unreachable') return 'Could not reach the API';
  return o.answered ? 'Answered without a message id (may have been sent)' : 'No answer (may have been sent)';
}
