// Turns one Cloud API HTTP answer into a SendOutcome. Pure: no I/O, the clock only as a parameter.
// Logic keys on the error `code` (FACTS §3), never on Meta's message text; the HTTP status only
// decides when there is no code we know. A 2xx without a wamid is `unknown`, not an error: the API
// may well have accepted the message, and re-sending it blindly could message the user twice.

import type { ErrorClass, SendOutcome } from '../core/sender.js';
import { errorCodeInfo, errorTitle } from './error-codes.js';
import type { Redact } from './redact.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Snippets of non-JSON bodies are for humans reading a journal row, not for parsing. */
const SNIPPET_MAX = 200;
/** Meta's own details are kept whole unless absurdly long (they end up in SQLite rows). */
const DETAIL_MAX = 1000;

const keep: Redact = (text) => text;

/**
 * `redact` takes the access token out of a body before anything is cut from it (see redact.ts); a
 * success is read for its wamid alone, which the caller scrubs whole.
 */
export function classifyResponse(
  httpStatus: number, headers: ResponseHeaders, rawBody: string, nowMs: number = Date.now(), redact: Redact = keep,
): SendOutcome {
  if (httpStatus >= 200 && httpStatus < 300) {
    const message = asObject(asArray(parseJson(rawBody)?.messages)?.[0]);
    const wamid = message?.id;
    if (typeof wamid === 'string' && wamid !== '') {
      const status = message?.message_status;
      // FACTS §2: message_status is optional; absent means accepted.
      return { kind: 'accepted', httpStatus, wamid, messageStatus: typeof status === 'string' ? status : null };
    }
    return { kind: 'unknown', detail: `HTTP ${httpStatus} without a message id: ${snippet(redact(rawBody)) ?? '(empty body)'}` };
  }

  const body = redact(rawBody);
  const json = parseJson(body);
  const error = asObject(json?.error);
  const code = error ? toCode(error.code) : null;
  const errorData = asObject(error?.error_data);
  const metaDetail = firstString(errorData?.details, error?.message);
  return {
    kind: 'error',
    httpStatus,
    errorClass: errorClassFor(code, httpStatus, error?.is_transient === true),
    code,
    title: code !== null ? errorTitle(code) : statusTitle(httpStatus),
    // A JSON error with no text of its own has nothing better to show than its code.
    detail: metaDetail !== null ? oneLine(metaDetail, DETAIL_MAX) : error ? null : snippet(body),
    retryAfterMs: parseRetryAfter(header(headers, 'retry-after'), nowMs),
    // Meta also sends the trace id as a header, which survives when a proxy replaces the body.
    fbtraceId: firstString(error?.fbtrace_id, header(headers, 'x-fb-trace-id')),
  };
}

function errorClassFor(code: number | null, httpStatus: number, isTransient: boolean): ErrorClass {
  const known = code !== null ? errorCodeInfo(code) : undefined;
  if (known) return known.class;
  if (httpStatus === 429) return 'throttle';
  if (isTransient || httpStatus >= 500) return 'retryable';
  return 'permanent';
}

function statusTitle(httpStatus: number): string {
  if (httpStatus === 429) return 'HTTP 429 Too Many Requests (no error code)';
  if (httpStatus >= 500) return `HTTP ${httpStatus} server error (no error code)`;
  return `HTTP ${httpStatus} (no error code)`;
}

/**
 * Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns milliseconds from
 * `nowMs`, clamped at 0 for dates in the past, or null when absent or unparsable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const ms = Number(trimmed) * 1000;
    return Number.isFinite(ms) ? ms : null;
  }
  // Date.parse accepts many odd strings; require a letter so "1.5" or "-3" are not read as dates.
  if (!/[a-z]/i.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  // undici lower-cases header names; a hand-built record in a test or adapter may not.
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

type Obj = Record<string, unknown>;

function parseJson(body: string): Obj | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    return asObject(JSON.parse(body));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** Graph sends numbers; accept a numeric string too rather than lose the code. */
function toCode(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

function firstString(...values: unknown[]): string | null {
  for (const v of values) if (typeof v === 'string' && v !== '') return v;
  return null;
}

function snippet(body: string): string | null {
  const text = oneLine(body, SNIPPET_MAX);
  return text === '' ? null : text;
}

function oneLine(text: string, max: number): string {
  // Slice first: an HTML error page can be large and only its start is kept.
  const cut = text.length > max * 4;
  const flat = text.slice(0, max * 4).replace(/\s+/g, ' ').trim();
  return cut || flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
