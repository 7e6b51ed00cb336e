import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../src/core/sender.js';
import { classifyResponse, parseRetryAfter } from '../../src/whatsapp/classify.js';
import { errorTitle } from '../../src/whatsapp/error-codes.js';
import { WHATSAPP_SAMPLES } from '../helpers/fixtures.js';

// The shared fixture set (Meta's MIT OpenAPI examples plus our synthetic ones) lives outside the repo.
const SAMPLES = WHATSAPP_SAMPLES;
const sample = (rel: string) => readFileSync(join(SAMPLES, rel), 'utf8');
const errBody = (error: Record<string, unknown>) => JSON.stringify({ error });

describe('classifyResponse: real success fixtures', () => {
  it('synthetic template responses keep message_status', () => {
    expect(classifyResponse(200, {}, sample('synthetic/send-success-template-accepted.json'))).toEqual({
      kind: 'accepted',
      httpStatus: 200,
      wamid: 'wamid.SYNTHETIC0000000000000000001',
      messageStatus: 'accepted',
    });
    expect(classifyResponse(200, {}, sample('synthetic/send-success-template-held.json'))).toEqual({
      kind: 'accepted',
      httpStatus: 200,
      wamid: 'wamid.SYNTHETIC0000000000000000004',
      messageStatus: 'held_for_quality_assessment',
    });
  });

  const dir = join(SAMPLES, 'facebook-openapi-send-responses');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  it('the OpenAPI response set is all there (44 files)', () => expect(files).toHaveLength(44));

  // The mark-as-read/typing response is {"success": true}: no wamid, so a sender cannot tell.
  const NOT_A_SEND = new Set(['send-typing-indicator-and-read-receipt.json']);
  it.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const outcome = classifyResponse(200, { 'content-type': 'application/json' }, text);
    if (NOT_A_SEND.has(file)) {
      expect(outcome.kind).toBe('unknown');
      return;
    }
    const expected = (JSON.parse(text) as { messages: Array<{ id: string }> }).messages[0]!.id;
    expect(expected).toMatch(/^wamid\./);
    // None of Meta's examples has message_status (FACTS §2): absent must read as null, not fail.
    expect(outcome).toEqual({ kind: 'accepted', httpStatus: 200, wamid: expected, messageStatus: null });
  });
});

describe('classifyResponse: error bodies', () => {
  it('the synthetic 130429 fixture is a throttle with details and trace id', () => {
    expect(classifyResponse(400, {}, sample('synthetic/send-error-130429.json'))).toEqual({
      kind: 'error',
      httpStatus: 400,
      errorClass: 'throttle',
      code: 130429,
      title: errorTitle(130429),
      detail: 'synthetic: throughput reached',
      retryAfterMs: null,
      fbtraceId: 'SYNTHETICTRACE0001',
    });
  });

  const byClass: Array<[ErrorClass, number, number]> = [
    ['retryable', 131000, 400],
    ['retryable', 2, 503],
    ['throttle', 4, 429],
    ['throttle', 80007, 400],
    ['pair_rate', 131056, 400],
    ['maintenance', 131057, 400],
    ['permanent', 131026, 400],
    ['payload', 132000, 400],
    ['opted_out', 131050, 400],
    ['defer_24h', 131049, 400],
    ['halt', 190, 401],
    ['halt', 250, 403],
    ['halt', 132015, 400],
    // The code wins over the HTTP status in both directions.
    ['permanent', 131026, 500],
    ['retryable', 131016, 400],
    ['halt', 131048, 429],
    // Not in the table, and neither 429, 5xx nor is_transient: a Graph error wa-send cannot judge.
    ['unexpected', 2500, 400],
  ];
  it.each(byClass)('%s: code %i at HTTP %i', (errorClass, code, status) => {
    const o = classifyResponse(status, {}, errBody({ code, message: `(#${code}) x`, fbtrace_id: 'T1' }));
    const title = errorClass === 'unexpected' ? `Error ${code} (unknown to wa-send): x` : errorTitle(code);
    expect(o).toMatchObject({ kind: 'error', errorClass, code, title, fbtraceId: 'T1' });
  });
  it('the table covers every ErrorClass', () => {
    const all: ErrorClass[] = [
      'retryable',
      'throttle',
      'pair_rate',
      'maintenance',
      'permanent',
      'payload',
      'opted_out',
      'defer_24h',
      'halt',
      'unexpected',
    ];
    expect(new Set(byClass.map(([c]) => c))).toEqual(new Set(all));
  });

  // A code not in the table is `unexpected` (was `permanent`) unless the answer says retry or slow down;
  // its detail is the raw answer, the only evidence of what it means.
  const unknownCode: Array<[number, boolean, ErrorClass]> = [
    [400, true, 'retryable'],
    [400, false, 'unexpected'],
    [429, false, 'throttle'],
    [503, false, 'retryable'],
    [500, true, 'retryable'],
    [403, false, 'unexpected'],
  ];
  it.each(unknownCode)('unknown code at HTTP %i, is_transient %s -> %s', (status, isTransient, errorClass) => {
    const body = errBody({ code: 987654, is_transient: isTransient });
    const o = classifyResponse(status, {}, body);
    expect(o).toMatchObject({
      kind: 'error',
      errorClass,
      code: 987654,
      title: 'Error 987654 (unknown to wa-send)',
      detail: body,
    });
  });

  it('detail prefers error_data.details, then message; whitespace collapsed', () => {
    const both = errBody({ code: 131009, message: 'msg', error_data: { details: 'the\n  detail' } });
    expect(classifyResponse(400, {}, both)).toMatchObject({ detail: 'the detail' });
    expect(classifyResponse(400, {}, errBody({ code: 131009, message: 'only msg' }))).toMatchObject({ detail: 'only msg' });
  });

  it('a numeric-string code is still a code; an error without one falls back to the status', () => {
    expect(classifyResponse(400, {}, errBody({ code: '131050' }))).toMatchObject({ code: 131050, errorClass: 'opted_out' });
    expect(classifyResponse(502, {}, errBody({ message: 'upstream' }))).toMatchObject({
      code: null,
      errorClass: 'retryable',
      detail: 'upstream',
      title: expect.stringContaining('502'),
    });
  });
});

describe('classifyResponse: no parsable error body', () => {
  const html = `<html>\n<head><title>503 Service Unavailable</title></head>\n<body>${'x'.repeat(5000)}</body></html>`;
  const cases: Array<[string, number, string, ErrorClass]> = [
    // 404 and 400 without a Graph error were `permanent`; they are a proxy or a wrong URL: `unexpected`.
    ['429 empty', 429, '', 'throttle'],
    ['502 empty', 502, '', 'retryable'],
    ['404 empty', 404, '', 'unexpected'],
    ['503 HTML', 503, html, 'retryable'],
    ['400 garbage', 400, 'oops{', 'unexpected'],
    ['400 JSON without error', 400, '{"foo":1}', 'unexpected'],
    ['500 truncated JSON', 500, '{"error":{"co', 'retryable'],
  ];
  it.each(cases)('%s', (_name, status, body, errorClass) => {
    const o = classifyResponse(status, {}, body);
    if (o.kind !== 'error') throw new Error(`expected error, got ${o.kind}`);
    expect(o).toMatchObject({ errorClass, code: null, fbtraceId: null, retryAfterMs: null });
    expect(o.title).toContain(String(status));
    if (body === '') expect(o.detail).toBeNull();
    else {
      expect(o.detail!.length).toBeLessThanOrEqual(200);
      expect(o.detail).not.toMatch(/\n/);
      // An HTML page is shown as its text, title first.
      const shown = body === html ? `503 Service Unavailable — ${'x'.repeat(5000)}` : body;
      expect(shown.replace(/\s+/g, ' ')).toContain(o.detail!.replace(/…$/, ''));
    }
  });

  it('an HTML error keeps the x-fb-trace-id header for support', () => {
    expect(classifyResponse(502, { 'x-fb-trace-id': 'HDRTRACE' }, html)).toMatchObject({ fbtraceId: 'HDRTRACE' });
  });
});

describe('classifyResponse: 2xx without a wamid is unknown', () => {
  it.each(['', '{}', '{"messages":[]}', '{"messages":[{"id":""}]}', '<html>ok</html>', '{"error":{"code":131026}}'])(
    '%j',
    (body) =>
      expect(classifyResponse(200, {}, body)).toMatchObject({
        kind: 'unknown',
        detail: expect.stringMatching(/^HTTP 200 answered without a message id: /),
      }),
  );
});

// Answers that are not a Cloud API error wa-send knows: a proxy, a wrong URL, a code not in the
// table. Failing every row at full speed as `permanent` hid a run-wide problem; they are `unexpected`
// (the engine halts once they repeat), and their titles say what they are without repeating themselves.
describe('classifyResponse: answers that are not a Cloud API error we know', () => {
  const nginx404 =
    '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n';
  const blockPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Access Denied &amp; Logged</title>
    <style>body { font: 12px sans-serif; }</style><script>var t = "<b>not text</b>";</script></head>
    <body><!-- policy 7 --><h1>Access Denied</h1><p>Your organization&#39;s policy blocks graph.example.com.</p>${'<p>filler</p>'.repeat(400)}</body></html>`;
  const redirect = '<html><head><title>301 Moved Permanently</title></head><body><h1>Moved Permanently</h1></body></html>';
  const unknownPath = errBody({
    message: 'Unknown path components: /v23.0/123/mesages',
    type: 'OAuthException',
    code: 2500,
    fbtrace_id: 'AbC',
  });
  // The detail is a prefix (as a RegExp) or the exact text; null when there is nothing to show.
  type Case = [string, number, Record<string, string>, string, ErrorClass, number | null, string, RegExp | string | null];
  const cases: Case[] = [
    ['103 informational', 103, {}, '', 'unexpected', null, 'HTTP 103 Early Hints (not a Cloud API answer)', null],
    [
      '301 redirect (http:// to https://)',
      301,
      { location: 'https://graph.example.com/v23.0/1/messages' },
      redirect,
      'unexpected',
      null,
      'HTTP 301 Moved Permanently (not a Cloud API answer)',
      'redirects to https://graph.example.com/v23.0/1/messages; 301 Moved Permanently — Moved Permanently',
    ],
    ['302 without a body', 302, {}, '', 'unexpected', null, 'HTTP 302 Found (not a Cloud API answer)', null],
    [
      '401 text',
      401,
      { 'content-type': 'text/plain' },
      'Unauthorized\n',
      'unexpected',
      null,
      'HTTP 401 Unauthorized (not a Cloud API answer)',
      'Unauthorized',
    ],
    [
      '403 HTML block page',
      403,
      { 'content-type': 'text/html' },
      blockPage,
      'unexpected',
      null,
      'HTTP 403 Forbidden (not a Cloud API answer)',
      /^Access Denied & Logged — Access Denied Your organization's policy blocks graph\.example\.com\. filler filler .*…$/,
    ],
    [
      '404 HTML (nginx)',
      404,
      { 'content-type': 'text/html' },
      nginx404,
      'unexpected',
      null,
      'HTTP 404 Not Found (not a Cloud API answer)',
      '404 Not Found nginx/1.25.3',
    ],
    [
      '407 proxy',
      407,
      { 'proxy-authenticate': 'Basic realm="corp"' },
      'Proxy Authentication Required',
      'unexpected',
      null,
      'HTTP 407 Proxy Authentication Required (not a Cloud API answer)',
      'Proxy Authentication Required',
    ],
    [
      '413 from a proxy',
      413,
      {},
      '<html><body>Request Entity Too Large</body></html>',
      'unexpected',
      null,
      'HTTP 413 Payload Too Large (not a Cloud API answer)',
      'Request Entity Too Large',
    ],
    [
      '400 JSON without a code',
      400,
      {},
      '{"error":{"message":"Bad request"}}',
      'unexpected',
      null,
      'HTTP 400 Bad Request (not a Cloud API answer)',
      'Bad request',
    ],
    [
      '2500 Unknown path components (HTTP 400)',
      400,
      {},
      unknownPath,
      'unexpected',
      2500,
      'Error 2500 (unknown to wa-send): Unknown path components: /v23.0/123/mesages',
      unknownPath,
    ],
    [
      'an unknown code whose message repeats it',
      400,
      {},
      errBody({ code: 2635, message: '(#2635) You are calling a deprecated version' }),
      'unexpected',
      2635,
      'Error 2635 (unknown to wa-send): You are calling a deprecated version',
      '{"error":{"code":2635,"message":"(#2635) You are calling a deprecated version"}}',
    ],
    [
      'an unknown code with only a type',
      403,
      {},
      errBody({ code: 4242, type: 'GraphMethodException', error_data: { details: 'no such edge' } }),
      'unexpected',
      4242,
      'Error 4242 (unknown to wa-send): GraphMethodException',
      'no such edge',
    ],
    ['429 without a code', 429, {}, '', 'throttle', null, 'HTTP 429 Too Many Requests (no error code)', null],
    [
      '429 with an unknown code',
      429,
      {},
      errBody({ code: 987654 }),
      'throttle',
      987654,
      'Error 987654 (unknown to wa-send)',
      '{"error":{"code":987654}}',
    ],
    [
      '429 with a known code',
      429,
      {},
      errBody({ code: 130429, message: '(#130429) Rate limit hit' }),
      'throttle',
      130429,
      errorTitle(130429),
      '(#130429) Rate limit hit',
    ],
    [
      '503 without a code',
      503,
      {},
      '<html><head><title>503 Service Unavailable</title></head></html>',
      'retryable',
      null,
      'HTTP 503 Service Unavailable (no error code)',
      '503 Service Unavailable',
    ],
    ['520 without a code (no reason phrase)', 520, {}, '', 'retryable', null, 'HTTP 520 (no error code)', null],
    [
      '500 with an unknown code',
      500,
      {},
      errBody({ code: 2500, message: 'x' }),
      'retryable',
      2500,
      'Error 2500 (unknown to wa-send): x',
      '{"error":{"code":2500,"message":"x"}}',
    ],
    [
      'an unknown code marked is_transient',
      400,
      {},
      errBody({ code: 2501, is_transient: true }),
      'retryable',
      2501,
      'Error 2501 (unknown to wa-send)',
      '{"error":{"code":2501,"is_transient":true}}',
    ],
    ['a known code at 404 is still the code', 404, {}, errBody({ code: 131026 }), 'permanent', 131026, errorTitle(131026), null],
  ];
  it.each(cases)('%s', (_name, status, headers, body, errorClass, code, title, detail) => {
    const o = classifyResponse(status, headers, body);
    if (o.kind !== 'error') throw new Error(`expected error, got ${o.kind}`);
    expect({ errorClass: o.errorClass, code: o.code, title: o.title }).toEqual({ errorClass, code, title });
    if (detail instanceof RegExp) expect(o.detail).toMatch(detail);
    else expect(o.detail).toBe(detail);
    // A one-line snippet for a journal row: no line breaks, no markup, at most 200 characters.
    expect(o.detail?.length ?? 0).toBeLessThanOrEqual(200);
    expect(o.detail ?? '').not.toMatch(/[\r\n]|<\/?[a-z]+[\s>]/i);
    // A title names the status or the code once, never twice.
    for (const n of o.title.match(/\d{3,}/g) ?? []) expect(o.title.split(n)).toHaveLength(2);
  });

  it('an HTML page longer than the snippet keeps its title first', () => {
    const o = classifyResponse(403, {}, blockPage);
    expect(o.kind === 'error' && o.detail).toMatch(
      /^Access Denied & Logged — Access Denied Your organization's policy .* filler .*…$/,
    );
  });

  it('a 2xx without a message id says it answered, which is not "no answer"', () => {
    expect(classifyResponse(200, {}, '{"success":true}')).toEqual({
      kind: 'unknown',
      answered: true,
      detail: 'HTTP 200 answered without a message id: {"success":true}',
    });
    expect(classifyResponse(202, {}, '')).toEqual({
      kind: 'unknown',
      answered: true,
      detail: 'HTTP 202 answered without a message id: (empty body)',
    });
    expect(classifyResponse(200, {}, '<html><title>Welcome</title><body>Welcome to nginx!</body></html>')).toEqual({
      kind: 'unknown',
      answered: true,
      detail: 'HTTP 200 answered without a message id: Welcome to nginx!',
    });
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  const at = (v: string | string[]) => classifyResponse(429, { 'retry-after': v }, '', now);

  it('delta-seconds, any header-name case, first of repeated values', () => {
    expect(at('30')).toMatchObject({ retryAfterMs: 30_000 });
    expect(at(['5', '60'])).toMatchObject({ retryAfterMs: 5_000 });
    expect(classifyResponse(429, { 'Retry-After': '2' }, '', now)).toMatchObject({ retryAfterMs: 2_000 });
  });
  it('HTTP-date, never negative', () => {
    expect(at('Sun, 01 Jun 2025 12:01:30 GMT')).toMatchObject({ retryAfterMs: 90_000 });
    expect(at('Sun, 01 Jun 2025 11:00:00 GMT')).toMatchObject({ retryAfterMs: 0 });
  });
  it.each(['', 'soon', '-5', '1.5', 'Mon, 99 Foo 2025'])('invalid %j -> null', (v) => {
    expect(parseRetryAfter(v, now)).toBeNull();
  });
  it('a bare number is delta-seconds even if it looks like a year', () => {
    expect(parseRetryAfter(' 2025 ', now)).toBe(2_025_000);
  });
  it('absent -> null', () => expect(classifyResponse(429, {}, '', now)).toMatchObject({ retryAfterMs: null }));
});
