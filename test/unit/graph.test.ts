// The Graph GET client against the real sandbox (in-process, 127.0.0.1) and tiny node:http servers
// for what the sandbox never does: hanging, echoing the token, odd errors, foreign paging links.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { fetchPhoneNumberInfo, fetchTemplates, messagingLimitOf } from '../../src/whatsapp/graph.js';

const TOKEN = 'EAAG-secret-token-0123456789';
const results: unknown[] = [];
afterAll(() => {
  for (const r of results) expect(JSON.stringify(r)).not.toContain(TOKEN);
});

const base = (apiUrl: string, extra: Record<string, unknown> = {}) => ({
  apiUrl,
  apiVersion: 'v23.0',
  token: TOKEN,
  timeoutMs: 2000,
  ...extra,
});
const numberInfo = async (apiUrl: string, extra: Record<string, unknown> = {}) => {
  const r = await fetchPhoneNumberInfo({ ...base(apiUrl, extra), phoneNumberId: '106540352242922' });
  results.push(r);
  return r;
};
const templates = async (apiUrl: string, name: string, extra: Record<string, unknown> = {}) => {
  const r = await fetchTemplates({ ...base(apiUrl, extra), wabaId: '102290129340398', name });
  results.push(r);
  return r;
};

interface Seen {
  url: string;
  authorization: string | undefined;
}
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, self: string) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  let self = '';
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url!, authorization: req.headers.authorization });
    handler(req, res, self);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: self, seen };
}

const json = (status: number, body: unknown) => (_q: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
};
const graphError = (code: number, details: string, subcode?: number) => ({
  error: {
    message: `(#${code}) x`,
    type: 'OAuthException',
    code,
    ...(subcode ? { error_subcode: subcode } : {}),
    error_data: { details },
    fbtrace_id: 'A',
  },
});

describe('fetchPhoneNumberInfo against the sandbox', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ token: TOKEN, quality: 'YELLOW', messagingLimit: 'TIER_2K', throughput: 'HIGH' });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('reads quality, throughput and the messaging limit', async () => {
    expect(await numberInfo(sandbox.url)).toEqual({
      ok: true,
      info: {
        displayPhoneNumber: '+1 555-000-0000',
        verifiedName: 'wa-send sandbox',
        qualityRating: 'YELLOW',
        throughputLevel: 'HIGH',
        messagingLimitTier: 'TIER_2K',
        messagingLimit: 2000,
      },
    });
    sandbox.configure({ messagingLimit: 'TIER_UNLIMITED', quality: 'RED' });
    expect(await numberInfo(sandbox.url)).toMatchObject({
      ok: true,
      info: { qualityRating: 'RED', messagingLimitTier: 'TIER_UNLIMITED', messagingLimit: null },
    });
  });

  it('names a refused token plainly (error 190 → auth)', async () => {
    const r = await numberInfo(sandbox.url, { token: 'EAAG-some-other-token-000000' });
    expect(r).toEqual({
      ok: false,
      kind: 'auth',
      code: 190,
      httpStatus: 401,
      message: 'the access token is invalid or expired (error 190): invalid OAuth access token',
    });
  });
});

describe('fetchPhoneNumberInfo failures', () => {
  it('sends the token as a Bearer header and asks for exactly the fields it reads, under the URL path prefix', async () => {
    const s = await serve(json(200, { id: '1', quality_rating: 'GREEN' }));
    const r = await numberInfo(`${s.url}/graph/`);
    expect(r).toEqual({
      ok: true,
      info: {
        displayPhoneNumber: null,
        verifiedName: null,
        qualityRating: 'GREEN',
        throughputLevel: null,
        messagingLimitTier: null,
        messagingLimit: null,
      },
    });
    const url = new URL(s.seen[0]!.url, s.url);
    expect(url.pathname).toBe('/graph/v23.0/106540352242922');
    expect(url.searchParams.get('fields')).toBe(
      'display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit',
    );
    expect(s.seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it.each([
    ['error 0', graphError(0, 'session expired'), 401, 'auth', 0],
    ['error 10', graphError(10, 'Application does not have permission for this action'), 403, 'permission', 10],
    ['error 200', graphError(200, 'Requires whatsapp_business_management'), 403, 'permission', 200],
    ['error 100/33', graphError(100, "Object with ID '106540352242922' does not exist", 33), 400, 'not_found', 100],
    ['a bare HTTP 404', '<html>Not Found</html>', 404, 'not_found', null],
    ['error 100 (a bad field)', graphError(100, 'Tried accessing nonexisting field (x)'), 400, 'error', 100],
    ['error 80007', graphError(80007, 'rate limit'), 400, 'error', 80007],
    ['an HTML 502', '<html>Bad Gateway</html>', 502, 'error', null],
  ])('classifies %s', async (_what, body, status, kind, code) => {
    const s = await serve(json(status, body));
    expect(await numberInfo(s.url)).toMatchObject({ ok: false, kind, code, httpStatus: status });
  });

  it('words not found and permission for an operator', async () => {
    const s = await serve(json(400, graphError(100, 'Unsupported get request.', 33)));
    expect(await numberInfo(s.url)).toMatchObject({
      message: 'phone number 106540352242922 was not found, or this token cannot see it (error 100): Unsupported get request.',
    });
  });

  it('never returns the token, even when the server echoes it back', async () => {
    const s = await serve((req, res) => json(401, graphError(190, `token ${req.headers.authorization} expired`))(req, res));
    const r = await numberInfo(s.url);
    expect(r).toMatchObject({
      ok: false,
      kind: 'auth',
      message: 'the access token is invalid or expired (error 190): token Bearer [redacted] expired',
    });
    const ok = await serve((req, res) => json(200, { id: '1', verified_name: `name ${req.headers.authorization}` })(req, res));
    expect(await numberInfo(ok.url)).toMatchObject({ ok: true, info: { verifiedName: 'name Bearer [redacted]' } });
  });

  it('times out on a server that never answers (timeout)', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    expect(await numberInfo(s.url, { timeoutMs: 150 })).toEqual({
      ok: false,
      kind: 'timeout',
      code: null,
      httpStatus: null,
      message: `no answer from ${s.url} within 150 ms`,
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('times out on a body that stops half-way', async () => {
    const s = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    });
    expect(await numberInfo(s.url, { timeoutMs: 150 })).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('reports a port nobody listens on as unreachable', async () => {
    const s = await serve(() => {});
    const url = s.url;
    await new Promise((r) => {
      servers[0]!.close(r);
      servers.splice(0);
    });
    expect(await numberInfo(url)).toMatchObject({
      ok: false,
      kind: 'unreachable',
      code: null,
      message: expect.stringMatching(new RegExp(`^cannot reach ${url}: .*ECONNREFUSED`)),
    });
  });

  it('refuses a 200 that is not JSON, and bad inputs, without a request', async () => {
    const s = await serve(json(200, 'OK'));
    expect(await numberInfo(s.url)).toMatchObject({
      ok: false,
      kind: 'error',
      httpStatus: 200,
      message: expect.stringMatching(/not a JSON object: OK$/),
    });
    expect(await numberInfo('ftp://x.test')).toMatchObject({
      ok: false,
      kind: 'error',
      message: 'the API URL must be http(s), got ftp:',
    });
    expect(await numberInfo(s.url, { token: 'a\nb' })).toMatchObject({
      ok: false,
      message: 'the access token is empty or contains a line break',
    });
    expect(s.seen).toHaveLength(1);
  });
});

describe('fetchTemplates', () => {
  let sandbox: RunningSandbox;
  const translation = (language: string, name = 'order_update') => ({
    name,
    language,
    components: [{ type: 'BODY', text: 'Hi {{1}}' }],
  });
  beforeAll(async () => {
    sandbox = await startSandbox({
      token: TOKEN,
      templates: [
        translation('pt_BR'),
        translation('en_US', 'order_update_v2'),
        ...Array.from({ length: 120 }, (_, i) => translation(`xx_${String(i).padStart(3, '0')}`, 'many_languages')),
      ],
      templateStatuses: ['order_update:pt_BR=PAUSED'],
    });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('returns every translation of exactly that name, in the shape template-check reads', async () => {
    const r = await templates(sandbox.url, 'order_update');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.templates.map((t) => `${t.name}/${t.language}/${t.status}`)).toEqual([
      'order_update/en_US/APPROVED',
      'order_update/pt_BR/PAUSED',
    ]);
    expect(r.templates[0]).toMatchObject({
      category: 'UTILITY',
      id: '1667192013751005',
      components: [{ type: 'BODY' }, { type: 'FOOTER' }],
    });
  });

  it('follows paging.next on the same origin', async () => {
    const r = await templates(sandbox.url, 'many_languages');
    expect(r.ok && r.templates.length).toBe(120);
  });

  it('returns an empty list for a name nobody has, and auth failures like fetchPhoneNumberInfo', async () => {
    expect(await templates(sandbox.url, 'nope')).toEqual({ ok: true, templates: [] });
    expect(await templates(sandbox.url, 'order_update', { token: 'EAAG-wrong-token-00000000' })).toMatchObject({
      ok: false,
      kind: 'auth',
      code: 190,
    });
  });

  it('does not follow a next link to another origin (the token would go with it)', async () => {
    const s = await serve(
      json(200, { data: [translation('en_US')], paging: { next: 'http://127.0.0.2:9/v23.0/1/message_templates?after=x' } }),
    );
    expect(await templates(s.url, 'order_update')).toMatchObject({ ok: true, templates: [{ language: 'en_US' }] });
    expect(s.seen).toHaveLength(1);
  });

  it('stops after a few pages of a server that always has more', async () => {
    const s = await serve((q, res, self) =>
      json(200, { data: [translation('en_US')], paging: { next: `${self}/v23.0/1/message_templates?after=${Math.random()}` } })(
        q,
        res,
      ),
    );
    const r = await templates(s.url, 'order_update');
    expect(r.ok && r.templates.length).toBe(5);
    expect(s.seen).toHaveLength(5);
    expect(s.seen.every((x) => x.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('skips malformed entries', async () => {
    const s = await serve(
      json(200, {
        data: [
          7,
          { name: 'order_update' },
          { name: 'order_update', language: 'de', components: [{ text: 'no type' }, { type: 'BODY', text: 'x' }] },
        ],
      }),
    );
    expect(await templates(s.url, 'order_update')).toEqual({
      ok: true,
      templates: [{ name: 'order_update', language: 'de', status: 'UNKNOWN', components: [{ type: 'BODY', text: 'x' }] }],
    });
  });
});

describe('messagingLimitOf', () => {
  it.each([
    ['TIER_250', 250],
    ['TIER_2K', 2000],
    ['TIER_10K', 10000],
    ['TIER_100K', 100000],
    ['TIER_1K', 1000],
    ['TIER_UNLIMITED', null],
    ['UNKNOWN', null],
    [null, null],
  ])('%s → %s', (tier, n) => expect(messagingLimitOf(tier)).toBe(n));
});
