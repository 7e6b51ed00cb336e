import { WHATSAPP_SAMPLES } from '../helpers/fixtures.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../src/core/sender.js';
import { errorTitle } from '../../src/whatsapp/error-codes.js';
import { classifyResponse, parseRetryAfter } from '../../src/whatsapp/classify.js';

// The shared fixture set (Meta's MIT OpenAPI examples plus our synthetic ones) lives outside the repo.
const SAMPLES = WHATSAPP_SAMPLES;
const sample = (rel: string) => readFileSync(join(SAMPLES, rel), 'utf8');
const errBody = (error: Record<string, unknown>) => JSON.stringify({ error });

describe('classifyResponse: real success fixtures', () => {
  it('synthetic template responses keep message_status', () => {
    expect(classifyResponse(200, {}, sample('synthetic/send-success-template-accepted.json'))).toEqual({
      kind: 'accepted', httpStatus: 200, wamid: 'wamid.SYNTHETIC0000000000000000001', messageStatus: 'accepted',
    });
    expect(classifyResponse(200, {}, sample('synthetic/send-success-template-held.json'))).toEqual({
      kind: 'accepted', httpStatus: 200, wamid: 'wamid.SYNTHETIC0000000000000000004',
      messageStatus: 'held_for_quality_assessment',
    });
  });

  const dir = join(SAMPLES, 'facebook-openapi-send-responses');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
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
      kind: 'error', httpStatus: 400, errorClass: 'throttle', code: 130429, title: errorTitle(130429),
      detail: 'synthetic: throughput reached', retryAfterMs: null, fbtraceId: 'SYNTHETICTRACE0001',
    });
  });

  const byClass: Array<[ErrorClass, number, number]> = [
    ['retryable', 131000, 400], ['retryable', 2, 503], ['throttle', 4, 429], ['throttle', 80007, 400],
    ['pair_rate', 131056, 400], ['maintenance', 131057, 400], ['permanent', 131026, 400],
    ['payload', 132000, 400], ['opted_out', 131050, 400], ['defer_24h', 131049, 400],
    ['halt', 190, 401], ['halt', 250, 403], ['halt', 132015, 400],
    // The code wins over the HTTP status in both directions.
    ['permanent', 131026, 500], ['retryable', 131016, 400], ['halt', 131048, 429],
  ];
  it.each(byClass)('%s: code %i at HTTP %i', (errorClass, code, status) => {
    const o = classifyResponse(status, {}, errBody({ code, message: `(#${code}) x`, fbtrace_id: 'T1' }));
    expect(o).toMatchObject({ kind: 'error', errorClass, code, title: errorTitle(code), fbtraceId: 'T1' });
  });
  it('the table covers every ErrorClass', () => {
    const all: ErrorClass[] = ['retryable', 'throttle', 'pair_rate', 'maintenance', 'permanent', 'payload',
      'opted_out', 'defer_24h', 'halt'];
    expect(new Set(byClass.map(([c]) => c))).toEqual(new Set(all));
  });

  const unknownCode: Array<[number, boolean, ErrorClass]> = [
    [400, true, 'retryable'], [400, false, 'permanent'], [429, false, 'throttle'], [503, false, 'retryable'],
    [500, true, 'retryable'], [403, false, 'permanent'],
  ];
  it.each(unknownCode)('unknown code at HTTP %i, is_transient %s -> %s', (status, isTransient, errorClass) => {
    const o = classifyResponse(status, {}, errBody({ code: 987654, is_transient: isTransient }));
    expect(o).toMatchObject({ kind: 'error', errorClass, code: 987654, title: 'Error 987654', detail: null });
  });

  it('detail prefers error_data.details, then message; whitespace collapsed', () => {
    const both = errBody({ code: 131009, message: 'msg', error_data: { details: 'the\n  detail' } });
    expect(classifyResponse(400, {}, both)).toMatchObject({ detail: 'the detail' });
    expect(classifyResponse(400, {}, errBody({ code: 131009, message: 'only msg' }))).toMatchObject({ detail: 'only msg' });
  });

  it('a numeric-string code is still a code; an error without one falls back to the status', () => {
    expect(classifyResponse(400, {}, errBody({ code: '131050' }))).toMatchObject({ code: 131050, errorClass: 'opted_out' });
    expect(classifyResponse(502, {}, errBody({ message: 'upstream' }))).toMatchObject({
      code: null, errorClass: 'retryable', detail: 'upstream', title: expect.stringContaining('502'),
    });
  });
});

describe('classifyResponse: no parsable error body', () => {
  const html = `<html>\n<head><title>503 Service Unavailable</title></head>\n<body>${'x'.repeat(5000)}</body></html>`;
  const cases: Array<[string, number, string, ErrorClass]> = [
    ['429 empty', 429, '', 'throttle'], ['502 empty', 502, '', 'retryable'], ['404 empty', 404, '', 'permanent'],
    ['503 HTML', 503, html, 'retryable'], ['400 garbage', 400, 'oops{', 'permanent'],
    ['400 JSON without error', 400, '{"foo":1}', 'permanent'], ['500 truncated JSON', 500, '{"error":{"co', 'retryable'],
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
      expect(body.replace(/\s+/g, ' ')).toContain(o.detail!.replace(/…$/, ''));
    }
  });

  it('an HTML error keeps the x-fb-trace-id header for support', () => {
    expect(classifyResponse(502, { 'x-fb-trace-id': 'HDRTRACE' }, html)).toMatchObject({ fbtraceId: 'HDRTRACE' });
  });
});

describe('classifyResponse: 2xx without a wamid is unknown', () => {
  it.each(['', '{}', '{"messages":[]}', '{"messages":[{"id":""}]}', '<html>ok</html>', '{"error":{"code":131026}}'])(
    '%j',
    (body) => expect(classifyResponse(200, {}, body).kind).toBe('unknown'),
  );
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
