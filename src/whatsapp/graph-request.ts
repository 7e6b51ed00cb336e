// One Graph API GET with a deadline, for preflight reads (phone number, templates). Not the send
// path: a fresh undici Agent per call (a preflight makes a handful of requests), explicit connect,
// headers and body timeouts plus an overall deadline, and the body always read to the end so the
// socket is released. Failures come back as values, classified for a human: auth, permission,
// not_found, timeout, unreachable, error.
import { Agent, request } from 'undici';
import { errorTitle } from './error-codes.js';

export type GraphErrorKind = 'auth' | 'permission' | 'not_found' | 'timeout' | 'unreachable' | 'error';

export interface GraphFailure {
  ok: false;
  kind: GraphErrorKind;
  code: number | null;
  httpStatus: number | null;
  message: string;
}

export type GraphAnswer = { ok: true; json: Record<string, unknown> } | GraphFailure;

export interface GraphSession {
  get(url: URL, what: string): Promise<GraphAnswer>;
}

/** Runs `use` with a session whose requests share one Agent, destroyed afterwards whatever happens. */
export async function withGraphSession<T>(token: string, timeoutMs: number, use: (s: GraphSession) => Promise<T>): Promise<T> {
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  try {
    return await use({ get: (url, what) => getJson(agent, url, headers, timeoutMs, what) });
  } finally {
    await agent.destroy().catch(() => {});
  }
}

async function getJson(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
  what: string,
): Promise<GraphAnswer> {
  let status: number;
  let text: string;
  try {
    const res = await request(url, { method: 'GET', headers, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
    status = res.statusCode;
    text = await res.body.text(); // always consumed: undici holds the socket until it is
  } catch (err) {
    return networkFailure(err as Error & { code?: unknown }, url, timeoutMs);
  }
  const json = parseObject(text);
  if (status >= 200 && status < 300) {
    if (json) return { ok: true, json };
    return fail(
      'error',
      null,
      status,
      `${url.origin} answered HTTP ${status} with a body that is not a JSON object: ${snippet(text)}`,
    );
  }
  return apiFailure(status, json, text, what);
}

/** Classifies by the Graph error code (FACTS §3), the HTTP status only when there is no code. */
function apiFailure(status: number, json: Record<string, unknown> | null, text: string, what: string): GraphFailure {
  const error = asObj(json?.error);
  const code = typeof error?.code === 'number' ? error.code : null;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : null;
  const details = firstString(asObj(error?.error_data)?.details, error?.message);
  const meta = details ? `: ${oneLine(details)}` : '';
  if (code === 190 || code === 0)
    return fail('auth', code, status, `the access token is invalid or expired (error ${code})${meta}`);
  if (code === 3 || code === 10 || code === 131005 || (code !== null && code >= 200 && code <= 299)) {
    return fail('permission', code, status, `the access token may not read ${what} (error ${code} ${errorTitle(code)})${meta}`);
  }
  // Graph's "Object with ID … does not exist, cannot be loaded due to missing permissions…" is 100/33.
  if ((code === 100 && (subcode === 33 || status === 404)) || code === 803 || (code === null && status === 404)) {
    return fail(
      'not_found',
      code,
      status,
      `${what} was not found, or this token cannot see it (${code === null ? 'HTTP 404' : `error ${code}`})${meta}`,
    );
  }
  if (code !== null) return fail('error', code, status, `reading ${what} failed: error ${code} ${errorTitle(code)}${meta}`);
  return fail('error', null, status, `reading ${what} failed: HTTP ${status}${text.trim() ? `: ${snippet(text)}` : ''}`);
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function networkFailure(err: Error & { code?: unknown }, url: URL, timeoutMs: number): GraphFailure {
  const code = typeof err.code === 'string' ? err.code : '';
  // AbortSignal.timeout rejects with a DOMException named TimeoutError; undici's own timeouts carry codes.
  if (TIMEOUT_CODES.has(code) || err.name === 'TimeoutError') {
    return fail('timeout', null, null, `no answer from ${url.origin} within ${timeoutMs} ms`);
  }
  const reason = err.message || err.name;
  return fail(
    'unreachable',
    null,
    null,
    `cannot reach ${url.origin}: ${code && !reason.includes(code) ? `${reason} (${code})` : reason}`,
  );
}

function fail(kind: GraphErrorKind, code: number | null, httpStatus: number | null, message: string): GraphFailure {
  return { ok: false, kind, code, httpStatus, message };
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;

function parseObject(text: string): Obj | null {
  try {
    return asObj(JSON.parse(text)) ?? null;
  } catch {
    return null;
  }
}

function firstString(...values: unknown[]): string | null {
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') return v;
  return null;
}

const oneLine = (text: string, max = 300) => {
  const flat = text
    .slice(0, max * 4)
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const snippet = (text: string) => oneLine(text, 200) || '(empty body)';
