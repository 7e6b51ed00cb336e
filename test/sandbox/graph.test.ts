// The Graph GETs a preflight reads: the phone number node (?fields=, quality, throughput, messaging
// limit) and a WABA's message_templates (name filter, fields, paging), with /messages' Bearer check.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TemplateDefinition } from '../../src/core/template-check.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { post, textMessage } from './helpers.js';

async function get(base: string, path: string, token: string | null = 'test-token'): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, json: await res.json() };
}

async function configure(base: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/_sandbox/config`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const promo = (i: number): TemplateDefinition => ({
  name: `promo_${String(i).padStart(2, '0')}`,
  language: 'en_US',
  status: 'APPROVED',
  category: 'MARKETING',
  components: [{ type: 'BODY', text: 'Sale {{1}}' }],
});

describe('GET /{version}/{phone-number-id}', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() =>
    sandbox.configure({ quality: 'GREEN', messagingLimit: 'TIER_UNLIMITED', throughput: 'STANDARD', token: null }),
  );

  it("answers Meta's default fields for any id", async () => {
    const r = await get(sandbox.url, '/v23.0/106540352242922');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      id: '106540352242922',
      display_phone_number: '+1 555-000-0000',
      verified_name: 'wa-send sandbox',
      quality_rating: 'GREEN',
    });
  });

  it('answers only the fields asked for, plus id', async () => {
    const r = await get(sandbox.url, '/v23.0/1?fields=throughput,whatsapp_business_manager_messaging_limit');
    expect(r.json).toEqual({
      id: '1',
      throughput: { level: 'STANDARD' },
      whatsapp_business_manager_messaging_limit: 'TIER_UNLIMITED',
    });
    // Graph's nested selection syntax reads as the field itself.
    expect((await get(sandbox.url, '/v23.0/1?fields=throughput{level}')).json).toEqual({
      id: '1',
      throughput: { level: 'STANDARD' },
    });
  });

  it('reflects quality, messaging limit and throughput set at start, by configure() and by POST /_sandbox/config', async () => {
    const other = await startSandbox({ quality: 'YELLOW', messagingLimit: 'TIER_250', throughput: 'HIGH' });
    try {
      const fields = '?fields=quality_rating,throughput,whatsapp_business_manager_messaging_limit';
      expect((await get(other.url, `/v23.0/9${fields}`)).json).toMatchObject({
        quality_rating: 'YELLOW',
        throughput: { level: 'HIGH' },
        whatsapp_business_manager_messaging_limit: 'TIER_250',
      });
      other.configure({ quality: 'RED' });
      expect((await get(other.url, `/v23.0/9${fields}`)).json.quality_rating).toBe('RED');
      expect(
        (await configure(other.url, { quality: 'UNKNOWN', messaging_limit: 'TIER_2K', throughput: 'STANDARD' })).status,
      ).toBe(200);
      expect((await get(other.url, `/v23.0/9${fields}`)).json).toMatchObject({
        quality_rating: 'UNKNOWN',
        throughput: { level: 'STANDARD' },
        whatsapp_business_manager_messaging_limit: 'TIER_2K',
      });
    } finally {
      await other.close();
    }
  });

  it.each([
    [{ quality: 'BLUE' }, /quality must be one of GREEN, YELLOW, RED, UNKNOWN/],
    [{ messaging_limit: 'TIER_3K' }, /messagingLimit must be one of/],
    [{ throughput: 'MAX' }, /throughput must be one of STANDARD, HIGH/],
  ])('refuses config %j', async (body, message) => {
    const r = await configure(sandbox.url, body);
    expect(r.status).toBe(400);
    expect(r.json.error.error_data.details).toMatch(message);
  });

  it('answers error 100 for a field the node does not have', async () => {
    const r = await get(sandbox.url, '/v23.0/1?fields=quality_rating,colour');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({
      code: 100,
      type: 'OAuthException',
      error_data: { details: expect.stringMatching(/nonexisting field \(colour\)/) },
    });
  });

  it('checks the Bearer token exactly as /messages does (190, HTTP 401, same body shape)', async () => {
    const missing = await get(sandbox.url, '/v23.0/1', null);
    const messages = await post(sandbox.url, textMessage('+15551230000'), { token: null });
    expect(missing.status).toBe(401);
    expect(messages.status).toBe(401);
    expect(Object.keys(missing.json.error).sort()).toEqual(Object.keys(messages.json.error).sort());
    expect(missing.json.error).toMatchObject({ code: 190, error_data: { details: messages.json.error.error_data.details } });

    sandbox.configure({ token: 'the-right-token' });
    expect((await get(sandbox.url, '/v23.0/1', 'a-wrong-token')).json.error).toMatchObject({
      code: 190,
      error_data: { details: 'invalid OAuth access token' },
    });
    expect((await get(sandbox.url, '/v23.0/1', 'the-right-token')).status).toBe(200);
    expect((await get(sandbox.url, '/v23.0/1/message_templates', 'a-wrong-token')).status).toBe(401);
  });

  it('leaves other GETs to the existing 404 and keeps /_sandbox/stats working and send-only', async () => {
    expect((await get(sandbox.url, '/v23.0/1/messages')).status).toBe(404);
    const before = sandbox.stats().requests;
    await get(sandbox.url, '/v23.0/1');
    const stats = await get(sandbox.url, '/_sandbox/stats');
    expect(stats.status).toBe(200);
    expect(stats.json.requests).toBe(before);
  });
});

describe('GET /{version}/{waba-id}/message_templates', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.configure({ templates: null, templateStatuses: [] }));

  it("knows hello_world and order_update in Meta's shape by default", async () => {
    const r = await get(sandbox.url, '/v23.0/102290129340398/message_templates');
    expect(r.status).toBe(200);
    expect(r.json.data.map((t: any) => t.name)).toEqual(['hello_world', 'order_update']);
    expect(r.json.data[1]).toEqual({
      name: 'order_update',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      id: '1667192013751005',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'BODY', text: expect.stringContaining('{{1}}') },
        { type: 'FOOTER', text: 'wa-send sandbox' },
      ],
    });
    expect(r.json.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
    expect(r.json.paging.next).toBeUndefined();
  });

  it('filters by name (partially, like Meta), language and status, and honours ?fields=', async () => {
    sandbox.configure({
      templates: [{ ...promo(1), name: 'order_update', language: 'pt_BR' }],
      templateStatuses: ['order_update:pt_BR=PAUSED'],
    });
    const byName = await get(sandbox.url, '/v23.0/1/message_templates?name=order');
    expect(byName.json.data.map((t: any) => `${t.name}/${t.language}/${t.status}`)).toEqual([
      'order_update/en_US/APPROVED',
      'order_update/pt_BR/PAUSED',
    ]);
    const paused = await get(
      sandbox.url,
      '/v23.0/1/message_templates?name=order_update&status=PAUSED&fields=name,language,status',
    );
    expect(paused.json.data).toEqual([
      { id: expect.stringMatching(/^\d+$/), name: 'order_update', language: 'pt_BR', status: 'PAUSED' },
    ]);
    expect((await get(sandbox.url, '/v23.0/1/message_templates?language=en_US&fields=name')).json.data).toHaveLength(2);
    expect((await get(sandbox.url, '/v23.0/1/message_templates?name=nothing_like_it')).json).toEqual({ data: [] });
    expect((await get(sandbox.url, '/v23.0/1/message_templates?fields=name,secrets')).json.error.code).toBe(100);
  });

  it('pages with limit, cursors and a next URL on its own origin', async () => {
    sandbox.configure({ templates: Array.from({ length: 23 }, (_, i) => promo(i)) });
    const seen: string[] = [];
    let path: string | null = '/v23.0/1/message_templates?name=promo&limit=10';
    let pages = 0;
    while (path !== null) {
      const r = await get(sandbox.url, path);
      seen.push(...r.json.data.map((t: any) => t.name));
      pages++;
      const next: string | undefined = r.json.paging.next;
      if (next !== undefined) expect(new URL(next).origin).toBe(sandbox.url);
      path = next === undefined ? null : next.slice(sandbox.url.length);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => promo(i).name));
    expect((await get(sandbox.url, '/v23.0/1/message_templates?limit=0')).json.error.code).toBe(100);
    expect((await get(sandbox.url, '/v23.0/1/message_templates?after=!!')).json.error.code).toBe(100);
  });
});
