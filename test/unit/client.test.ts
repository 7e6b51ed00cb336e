import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../src/core/sender.js';
import { CloudApiClient, type CloudApiClientOptions } from '../../src/whatsapp/client.js';

// Real node:http servers on 127.0.0.1 with ephemeral ports; never any other host.
const TOKEN = 'EAAG-secret-token-0123456789';
const WAMID = 'wamid.TEST0001';
const OK_BODY = JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: WAMID }] });
const MESSAGE = { messaging_product: 'whatsapp', to: '15551230000', type: 'text', text: { body: 'hi ünï' } };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface TestServer {
  url: string;
  seen: Seen[];
  connections: number;
  open: Set<net.Socket>;
  close(): Promise<void>;
}
type Respond = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const cleanups: Array<() => Promise<void>> = [];
const outcomes: SendOutcome[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
// Whatever went wrong in any test, the token must not have ended up in an outcome.
afterAll(() => {
  for (const o of outcomes) expect(JSON.stringify(o)).not.toContain(TOKEN);
});

async function serve(respond: Respond): Promise<TestServer> {
  const seen: Seen[] = [];
  const open = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      respond(req, res, body);
    });
  });
  const t: TestServer = {
    url: '',
    seen,
    connections: 0,
    open,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  server.on('connection', (s: net.Socket) => {
    t.connections++;
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  cleanups.push(t.close);
  return t;
}

function client(apiUrl: string, extra: Partial<CloudApiClientOptions> = {}): CloudApiClient {
  const c = new CloudApiClient({
    apiUrl,
    apiVersion: 'v23.0',
    phoneNumberId: '1234567890',
    token: TOKEN,
    connections: 4,
    ...extra,
  });
  cleanups.unshift(() => c.close()); // close the client before its server
  return c;
}

async function send(c: CloudApiClient, body: Record<string, unknown> = MESSAGE, onWritten?: () => void): Promise<SendOutcome> {
  const o = await c.send(body, onWritten);
  outcomes.push(o);
  return o;
}

/** A deterministic token-like string (EAAG + letters and digits) with no repeated 8-character piece. */
function fakeToken(length: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed;
  let out = 'EAAG';
  while (out.length < length) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet.charAt((x >>> 16) % alphabet.length);
  }
  return out;
}

const json =
  (status: number, body: string, headers: Record<string, string> = {}): Respond =>
  (_q, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };

describe('CloudApiClient: answers', () => {
  it('POSTs the JSON body with bearer auth to /{version}/{phone id}/messages and reads the wamid', async () => {
    const s = await serve(json(200, OK_BODY));
    expect(await send(client(s.url))).toEqual({ kind: 'accepted', httpStatus: 200, wamid: WAMID, messageStatus: null });
    expect(s.seen).toHaveLength(1);
    const [req] = s.seen;
    expect(req).toMatchObject({ method: 'POST', url: '/v23.0/1234567890/messages' });
    expect(req!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body)).toEqual(MESSAGE);
  });

  it.each([
    ['/proxy/graph/', '/proxy/graph/v23.0/1234567890/messages'],
    ['/', '/v23.0/1234567890/messages'],
    ['/base', '/base/v23.0/1234567890/messages'],
  ])('apiUrl path %j', async (suffix, path) => {
    const s = await serve(json(200, OK_BODY));
    expect((await send(client(s.url + suffix))).kind).toBe('accepted');
    expect(s.seen[0]!.url).toBe(path);
  });

  it('an error body is classified by its code', async () => {
    const body = JSON.stringify({
      error: { code: 131026, message: 'm', error_data: { details: 'not on WhatsApp' }, fbtrace_id: 'TR' },
    });
    const s = await serve(json(400, body));
    expect(await send(client(s.url))).toEqual({
      kind: 'error',
      httpStatus: 400,
      errorClass: 'permanent',
      code: 131026,
      title: 'Message undeliverable',
      detail: 'not on WhatsApp',
      retryAfterMs: null,
      fbtraceId: 'TR',
    });
  });

  it('429 with Retry-After is a throttle carrying the delay', async () => {
    const s = await serve(json(429, JSON.stringify({ error: { code: 130429 } }), { 'retry-after': '7' }));
    expect(await send(client(s.url))).toMatchObject({ kind: 'error', errorClass: 'throttle', code: 130429, retryAfterMs: 7000 });
  });

  it('503 with an HTML page is retryable with a one-line snippet of its text', async () => {
    const s = await serve((_q, res) =>
      res
        .writeHead(503, { 'content-type': 'text/html' })
        .end(`<html>\n<body>Service Unavailable ${'z'.repeat(100_000)}</body></html>`),
    );
    const o = await send(client(s.url));
    expect(o).toMatchObject({ kind: 'error', httpStatus: 503, errorClass: 'retryable', code: null });
    // The page's text, not its markup.
    expect(o.kind === 'error' && o.detail).toMatch(/^Service Unavailable z+…$/);
  });
});

describe('CloudApiClient: was the request written?', () => {
  it('connection refused is unreachable', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((r) => probe.close(r)); // nothing listens there now
    let written = 0;
    const o = await send(client(`http://127.0.0.1:${port}`), MESSAGE, () => written++);
    expect(o).toMatchObject({ kind: 'unreachable', detail: expect.stringContaining('ECONNREFUSED') });
    expect(written).toBe(0); // the rate gate must not count a request that never left
  });

  it('tells the caller once, before the server has the request, when it is written', async () => {
    let seenAtWrite = -1;
    let written = 0;
    const s = await serve(json(200, OK_BODY));
    const o = await send(client(s.url), MESSAGE, () => {
      written++;
      seenAtWrite = s.seen.length;
    });
    expect(o.kind).toBe('accepted');
    expect(written).toBe(1);
    expect(seenAtWrite).toBe(0);
  });

  it('a server that reads the request and never answers gives unknown after the response timeout', async () => {
    const s = await serve(() => {
      /* never answer */
    });
    const started = Date.now();
    const o = await send(client(s.url, { responseTimeoutMs: 300 }));
    expect(o).toMatchObject({ kind: 'unknown', detail: expect.stringContaining('UND_ERR_HEADERS_TIMEOUT') });
    // undici's headers/body timers tick every ~0.5 s, so 300 ms fires somewhere in 300–1000 ms.
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
    expect(s.seen).toHaveLength(1); // it really had been written: that is why it is unknown
  });

  it('a server that destroys the socket after reading the request gives unknown', async () => {
    const s = await serve((req) => req.socket.destroy());
    expect(await send(client(s.url))).toMatchObject({ kind: 'unknown' });
    expect(s.seen).toHaveLength(1);
  });

  it('a socket closed mid-response (headers sent, body cut) gives unknown', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' }).write('{"messages":');
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect(await send(client(s.url))).toMatchObject({ kind: 'unknown' });
  });

  // undici writes the request in the same tick the TCP connect completes, so when the server
  // accepts and then drops the connection the request has already been handed to the socket: the
  // mechanism reports unknown. It could only say unreachable if the connect itself had failed.
  it('a server that drops the connection before reading anything gives unknown (request already written)', async () => {
    const raw = net.createServer((sock) => sock.destroy());
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => raw.close(() => r())));
    const c = client(`http://127.0.0.1:${(raw.address() as net.AddressInfo).port}`);
    for (let i = 0; i < 5; i++) expect(await send(c)).toMatchObject({ kind: 'unknown' });
  });

  it('an idle keep-alive socket the server closed is not used: the next send succeeds on a new one', async () => {
    const s = await serve((req, res) => res.writeHead(200).end(OK_BODY, () => req.socket.end()));
    const c = client(s.url);
    expect((await send(c)).kind).toBe('accepted');
    await new Promise((r) => setTimeout(r, 100)); // let the FIN arrive
    expect((await send(c)).kind).toBe('accepted');
    expect(s.connections).toBe(2);
  });

  it('send after close() is unreachable, not a throw', async () => {
    const s = await serve(json(200, OK_BODY));
    const c = client(s.url);
    await c.close();
    expect(await send(c)).toMatchObject({ kind: 'unreachable' });
    expect(s.seen).toHaveLength(0);
  });
});

// A proxy (or a misconfigured server) that echoes the request headers puts the token into an error
// body; cut to a snippet, only part of the token would be there, which a whole-token scrub misses.
describe('CloudApiClient: an echoed token never reaches an outcome', () => {
  const LONG = fakeToken(200, 7);
  const fragments = Array.from({ length: LONG.length - 7 }, (_, p) => LONG.slice(p, p + 8));
  const leaked = (o: SendOutcome) => fragments.filter((f) => JSON.stringify(o).includes(f));
  const headerDump = (req: http.IncomingMessage) =>
    Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('\n');

  const cases: Array<[string, Respond]> = [
    [
      '407 text/plain echoing every header',
      (req, res) =>
        res
          .writeHead(407, { 'content-type': 'text/plain' })
          .end(`Proxy authentication required. Request headers:\n${headerDump(req)}`),
    ],
    [
      '401 text/plain with the Authorization header first',
      (req, res) =>
        res
          .writeHead(401, { 'content-type': 'text/plain' })
          .end(`denied: authorization=${req.headers.authorization!} host=${req.headers.host!}`),
    ],
    [
      '401 JSON error whose message carries the first 120 characters of the token',
      (req, res) => {
        const cut = req.headers.authorization!.slice('Bearer '.length, 'Bearer '.length + 120);
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 190, message: `Malformed access token ${cut}`, type: 'OAuthException' } }));
      },
    ],
    [
      '400 JSON error whose message carries a middle piece of the token',
      (req, res) => {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 131009, message: `bad value ${req.headers.authorization!.slice(60, 100)}` } }));
      },
    ],
    [
      '502 HTML page echoing the headers',
      (req, res) =>
        res.writeHead(502, { 'content-type': 'text/html' }).end(`<html><body><pre>${headerDump(req)}</pre></body></html>`),
    ],
  ];
  it.each(cases)('%s', async (_name, respond) => {
    const s = await serve(respond);
    const o = await send(client(s.url, { token: LONG }));
    expect(o.kind).toBe('error');
    expect(s.seen[0]!.headers.authorization).toBe(`Bearer ${LONG}`);
    expect(leaked(o)).toEqual([]);
    expect(JSON.stringify(o)).toContain('[redacted]');
  });
});

describe('CloudApiClient: token and sockets', () => {
  it('an answer that echoes the token has it redacted in every outcome kind', async () => {
    const echo: Respond = (req, res, body) => {
      const auth = req.headers.authorization!;
      if (body.includes('"error"')) res.writeHead(400).end(JSON.stringify({ error: { code: 131009, message: `bad ${auth}` } }));
      else if (body.includes('"html"')) res.writeHead(502).end(`<p>${auth}</p>`);
      else res.writeHead(200).end(JSON.stringify({ echoed: auth }));
    };
    const c = client((await serve(echo)).url);
    for (const kind of ['error', 'html', 'ok']) {
      const o = await send(c, { ...MESSAGE, kind });
      expect(o.kind).toBe(kind === 'ok' ? 'unknown' : 'error');
      expect(JSON.stringify(o)).not.toContain(TOKEN);
      expect(JSON.stringify(o)).toContain('[redacted]');
    }
  });

  it('constructor errors never echo the token', () => {
    const thrown = (() => {
      try {
        client('http://127.0.0.1:1', { token: `${TOKEN}\r\nX: y` });
      } catch (e) {
        return e;
      }
    })();
    expect(String(thrown)).toMatch(/line break/);
    expect(String(thrown)).not.toContain(TOKEN);
    expect(() => client('http://127.0.0.1:1', { connections: 0 })).toThrow(/connections/);
  });

  // Not always exactly one: undici 7 checks an idle keep-alive socket for a pending FIN/RST with a
  // setImmediate before reusing it, and a send arriving in that window may open a second socket.
  it('sequential sends reuse keep-alive sockets, never more than `connections`', async () => {
    const s = await serve(json(200, OK_BODY));
    const c = client(s.url, { connections: 4 });
    for (let i = 0; i < 50; i++) expect((await send(c)).kind).toBe('accepted');
    expect(s.seen).toHaveLength(50);
    expect(s.connections).toBeGreaterThanOrEqual(1);
    expect(s.connections).toBeLessThanOrEqual(4);
  });

  it('concurrent sends open at most `connections` sockets, and close() closes them', async () => {
    let inFlight = 0;
    let peak = 0;
    const s = await serve((_q, res) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200).end(OK_BODY);
      }, 5);
    });
    const c = client(s.url, { connections: 3 });
    const all = await Promise.all(Array.from({ length: 60 }, () => send(c)));
    expect(all.every((o) => o.kind === 'accepted')).toBe(true);
    expect(s.connections).toBeGreaterThanOrEqual(2);
    expect(s.connections).toBeLessThanOrEqual(3);
    expect(peak).toBeLessThanOrEqual(3);
    expect(s.open.size).toBeGreaterThan(0);
    await c.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.open.size).toBe(0);
  });
});
