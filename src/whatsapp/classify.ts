// Turns one Cloud API HTTP answer into a SendOutcome. Pure: no I/O, the clock only as a parameter.
// Logic keys on the error `code` (FACTS §3), never on Meta's message text; the HTTP status only
// decides when there is no code we know. A 2xx without a wamid is `unknown`, not an error: the API
// may well have accepted the message, and re-sending it blindly could message the user twice.
// An answer with no code, or a code we do not know, is not something wa-send can judge per recipient:
// a proxy's 407, a wrong path's 404, Graph's 2500 are the same for every row. Those are `unexpected`
// (the engine halts once they repeat) unless the status says "slow down" (429) or "try again" (5xx).

import { STATUS_CODES } from 'node:http';
import type { ErrorClass, SendOutcome } from '../core/sender.js';
import { errorCodeInfo } from './error-codes.js';
import type { Redact } from './redact.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Snippets of bodies are for humans reading a journal row, not for parsing. */
const SNIPPET_MAX = 200;
/** Meta's own details are kept whole unless absurdly long (they end up in SQLite rows). */
const DETAIL_MAX = 1000;
/** Meta's message in the title of a code we do not know: enough to recognise it in a status table. */
const TITLE_TEXT_MAX = 120;
/** An HTML error page's useful part (title, first lines) is near its start. */
const MARKUP_SCAN = 16 * 1024;

const keep: Redact = (text) => text;

type Obj = Record<string, unknown>;

/**
 * `redact` takes the access token out of a body before anything is cut from it (see redact.ts); a
 * success is read for its wamid alone, which the caller scrubs whole.
 */
export function classifyResponse(
  httpStatus: number,
  headers: ResponseHeaders,
  rawBody: string,
  nowMs: number = Date.now(),
  redact: Redact = keep,
): SendOutcome {
  if (httpStatus >= 200 && httpStatus < 300) {
    const message = asObject(asArray(parseJson(rawBody)?.messages)?.[0]);
    const wamid = message?.id;
    if (typeof wamid === 'string' && wamid !== '') {
      const status = message?.message_status;
      // FACTS §2: message_status is optional; absent means accepted.
      return { kind: 'accepted', httpStatus, wamid, messageStatus: typeof status === 'string' ? status : null };
    }
    // Distinct from a request that got no answer at all (send-handler): this one was answered.
    return {
      kind: 'unknown',
      answered: true,
      detail: `HTTP ${httpStatus} answered without a message id: ${bodySnippet(redact(rawBody)) ?? '(empty body)'}`,
    };
  }

  const body = redact(rawBody);
  const error = asObject(parseJson(body)?.error);
  const code = error ? toCode(error.code) : null;
  const known = code === null ? undefined : errorCodeInfo(code);
  const errorClass = known?.class ?? classByStatus(code, httpStatus, error?.is_transient === true);
  const location = httpStatus >= 300 && httpStatus < 400 ? header(headers, 'location') : undefined;
  return {
    kind: 'error',
    httpStatus,
    errorClass,
    code,
    title: known?.title ?? (code === null ? statusTitle(httpStatus, errorClass) : unknownCodeTitle(code, error)),
    detail: known
      ? knownCodeDetail(error)
      : otherDetail(body, error, code, location === undefined ? undefined : redact(location)),
    retryAfterMs: parseRetryAfter(header(headers, 'retry-after'), nowMs),
    // Meta also sends the trace id as a header, which survives when a proxy replaces the body.
    fbtraceId: firstString(error?.fbtrace_id, header(headers, 'x-fb-trace-id')),
  };
}

/** For an answer without a code we know, only "slow down" and "try again" can be read from the status. */
function classByStatus(code: number | null, httpStatus: number, isTransient: boolean): ErrorClass {
  if (httpStatus === 429) return 'throttle';
  // is_transient is Graph's own word, so it counts only on a Graph error (one with a code).
  if ((httpStatus >= 500 && httpStatus < 600) || (code !== null && isTransient)) return 'retryable';
  return 'unexpected';
}

/** "HTTP 407 Proxy Authentication Required (not a Cloud API answer)", "HTTP 429 Too Many Requests (no error code)". */
function statusTitle(httpStatus: number, errorClass: ErrorClass): string {
  const phrase = STATUS_CODES[httpStatus];
  const status = phrase ? `HTTP ${httpStatus} ${phrase}` : `HTTP ${httpStatus}`;
  return `${status} ${errorClass === 'unexpected' ? '(not a Cloud API answer)' : '(no error code)'}`;
}

/** "Error 2500 (unknown to wa-send): Unknown path components", with Meta's "(#2500) " prefix dropped. */
function unknownCodeTitle(code: number, error: Obj | undefined): string {
  const text = firstString(error?.message, error?.type)?.replace(new RegExp(`^\\s*\\(#${code}\\)\\s*`), '');
  return `Error ${code} (unknown to wa-send)${text ? `: ${oneLine(text, TITLE_TEXT_MAX)}` : ''}`;
}

/** A code we know has its title from our table; Meta's details or message say the rest. */
function knownCodeDetail(error: Obj | undefined): string | null {
  const text = firstString(asObject(error?.error_data)?.details, error?.message);
  return text === null ? null : oneLine(text, DETAIL_MAX);
}

/**
 * For anything else the body is the evidence. A code we do not know: Meta's details, else the raw
 * answer (its message is in the title already). No code: the error's own text, else what the page
 * says; a redirect names where it points, the most useful part of it.
 */
function otherDetail(body: string, error: Obj | undefined, code: number | null, location: string | undefined): string | null {
  const details = firstString(asObject(error?.error_data)?.details);
  const text = code !== null ? (details ?? bodySnippet(body)) : (firstString(details, error?.message) ?? bodySnippet(body));
  const parts = [location === undefined ? null : `redirects to ${location}`, text].filter((p): p is string => p !== null);
  return parts.length === 0 ? null : oneLine(parts.join('; '), SNIPPET_MAX);
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

/** What a person should read of a body, on one line: an HTML page's text (its <title> first), else the body. */
function bodySnippet(body: string): string | null {
  const text = oneLine(/^\s*</.test(body) ? markupText(body.slice(0, MARKUP_SCAN)) : body, SNIPPET_MAX);
  return text === '' ? null : text;
}

/** The visible text of an HTML (or XML) page, its title first unless the text starts with it anyway. */
function markupText(html: string): string {
  const title = flat(decodeEntities(/<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html)?.[1] ?? ''));
  const text = flat(
    decodeEntities(
      html
        .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
        .replace(/<(head|title|script|style)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
        .replace(/<[^>]*(?:>|$)/g, ' '),
    ),
  );
  if (title === '' || text.startsWith(title)) return text || title;
  return text === '' ? title : `${title} — ${text}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? entity;
    const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : entity;
  });
}

function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function oneLine(text: string, max: number): string {
  // Slice first: an error page can be large and only its start is kept.
  const cut = text.length > max * 4;
  const line = flat(text.slice(0, max * 4));
  return cut || line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
