// The receiver over real HTTP on 127.0.0.1: handshake, signatures over raw bytes, limits, persist-then-apply.
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractEvents } from '../../src/webhook/events.js';
import { startWebhookServer, type WebhookLogEntry, type WebhookServer } from '../../src/webhook/server.js';
import { signatureHeader } from '../../src/webhook/signature.js';
import { seeded } from '../journal/conformance/harness.js';
import { eventCount, eventually, optedOut, post, rowOf, SECRET, statusBody, tempJournal } from './helpers.js';

let j: ReturnType<typeof tempJournal>;
let server: WebhookServer;
let logs: WebhookLogEntry[];

async function start(extra: { verifyToken?: string | null; optoutKeywords?: string[] } = {}): Promise<WebhookServer> {
  server = await startWebhookServer({
    journal: j.journal,
    appSecret: SECRET,
    verifyToken: 'verify-me',
    port: 0,
    host: '127.0.0.1',
    log: (e) => logs.push(e),
    ...extra,
  });
  return server;
}

beforeEach(() => {
  j = tempJournal();
  logs = [];
});
afterEach(async () => {
  await server?.close();
  await j.cleanup();
});

describe('verification handshake (GET)', () => {
  const hub = (mode: string, token: string) =>
    `?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;

  it('echoes hub.challenge for the right token', async () => {
    await start();
    const res = await fetch(`${server.url}/${hub('subscribe', 'verify-me')}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1158201444');
  });

  it('answers 403 for a wrong token, a wrong mode, or when no token is configured', async () => {
    await start();
    expect((await fetch(`${server.url}/${hub('subscribe', 'verify-mf')}`)).status).toBe(403);
    expect((await fetch(`${server.url}/${hub('unsubscribe', 'verify-me')}`)).status).toBe(403);
    expect((await fetch(`${server.url}/?hub.mode=subscribe&hub.challenge=1`)).status).toBe(403);
    await server.close();
    await start({ verifyToken: undefined });
    expect((await fetch(`${server.url}/${hub('subscribe', '')}`)).status).toBe(403);
    expect(logs.some((l) => l.level === 'warn' && /WA_VERIFY_TOKEN/.test(l.msg))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain('verify-me');
  });
});

describe('signatures (POST)', () => {
  // Meta signs its escaped-unicode rendering; JSON.stringify of the parsed body gives other bytes.
  const escaped = Buffer.from(
    JSON.stringify(statusBody([{ id: 'wamid.X', status: 'sent', timestamp: 1760000000 }])).replace(
      '"15551230000"',
      '"15551230000","note":"caf\\u00e9 \\ud83d\\ude00"',
    ),
  );

  it('rejects a forged, a missing or a re-serialized signature with 401 and stores nothing', async () => {
    await start();
    const reserialized = signatureHeader(JSON.stringify(JSON.parse(escaped.toString('utf8'))), SECRET);
    expect(reserialized).not.toBe(signatureHeader(escaped, SECRET));
    expect((await post(server.url, escaped, signatureHeader(escaped, 'another-secret'))).status).toBe(401);
    expect((await post(server.url, escaped, null)).status).toBe(401);
    expect((await post(server.url, escaped, reserialized)).status).toBe(401);
    expect((await post(server.url, escaped, 'sha256=zz')).status).toBe(401);
    expect(eventCount(j.db)).toBe(0);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it('accepts the signature of the raw bytes, escaped or UTF-8 non-ASCII text', async () => {
    await start();
    expect((await post(server.url, escaped)).status).toBe(200);
    const utf8 = Buffer.from(
      JSON.stringify(statusBody([{ id: 'wamid.Y', status: 'sent', timestamp: 1760000000, biz_opaque_callback_data: 'ünï ✓' }])),
      'utf8',
    );
    expect((await post(`${server.url}/webhook`, utf8)).status).toBe(200);
    expect(eventCount(j.db)).toBe(2);
  });
});

describe('limits and paths', () => {
  it('answers 413 to a body over 4 MiB, declared or chunked, and stores nothing', async () => {
    await start();
    const big = Buffer.alloc(4 * 1024 * 1024 + 10, 0x20);
    expect((await post(server.url, big)).status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(Buffer.alloc(1024 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(eventCount(j.db)).toBe(0);
    // A 3 MB POST (Meta's maximum) is still fine.
    const padded = JSON.stringify({
      ...statusBody([{ id: 'wamid.Z', status: 'sent', timestamp: 1 }]),
      pad: 'x'.repeat(3_000_000),
    });
    expect((await post(server.url, padded)).status).toBe(200);
  });

  it('404 on another path, 405 on another method, 200 for a signed body with no events, 400 for signed non-JSON', async () => {
    await start();
    expect((await post(`${server.url}/other`, '{}')).status).toBe(404);
    expect((await fetch(server.url, { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await post(server.url, JSON.stringify({ object: 'whatsapp_business_account', entry: [] }))).status).toBe(200);
    expect((await post(server.url, 'not json')).status).toBe(400);
    expect(eventCount(j.db)).toBe(0);
  });
});

describe('persist, answer, apply', () => {
  it('stores each event once, answers 200, then applies it to its recipient', async () => {
    await seeded(j.journal, [{ state: 'sent', wamid: 'wamid.A' }]);
    const id = '+14152010000';
    await start();
    const body = JSON.stringify(statusBody([{ id: 'wamid.A', status: 'delivered', timestamp: 1760000003 }]));
    expect((await post(server.url, body)).status).toBe(200);
    expect((await post(server.url, body)).status).toBe(200); // Meta's retry: a duplicate
    await eventually(() => rowOf(j.db, id).state === 'delivered');
    expect(eventCount(j.db)).toBe(1);
    expect(rowOf(j.db, id).delivered_at).toBe(1760000003000);
    const batches = logs.filter((l) => l.event === 'batch');
    expect(batches.map((l) => [l.new, l.duplicates])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it('applies events that were persisted but not applied before a crash, at startup', async () => {
    await seeded(j.journal, [{ state: 'sent', wamid: 'wamid.B' }]);
    const id = '+14152010000';
    await j.journal.events.insert(
      extractEvents(statusBody([{ id: 'wamid.B', status: 'read', timestamp: 1760000060 }]), () => false).events,
      Date.now(),
    );
    expect(rowOf(j.db, id).state).toBe('sent');
    await start();
    expect(rowOf(j.db, id).state).toBe('read');
    expect(eventCount(j.db, 'applied_at IS NULL')).toBe(0);
  });

  it('uses the configured opt-out keywords', async () => {
    await start({ optoutKeywords: ['ARRET'] });
    const inbound = (id: string, from: string, body: string) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  messages: [{ from, id, timestamp: '1760000100', type: 'text', text: { body } }],
                },
              },
            ],
          },
        ],
      });
    expect((await post(server.url, inbound('wamid.in1', '15551230001', ' arrêt '))).status).toBe(200);
    expect((await post(server.url, inbound('wamid.in2', '15551230002', 'Arret'))).status).toBe(200);
    expect((await post(server.url, inbound('wamid.in3', '15551230003', 'STOP'))).status).toBe(200);
    await eventually(() => optedOut(j.db, '+15551230002'));
    expect(optedOut(j.db, '+15551230001')).toBe(false); // "arrêt" ≠ "arret": folding is case, not accents
    expect(optedOut(j.db, '+15551230003')).toBe(false);
    expect(logs.some((l) => l.event === 'optout' && l.phone === '+15551230002')).toBe(true);
  });
});

describe('generated load', () => {
  it('1,000 shuffled status events with duplicates for 250 messages, posted concurrently in batches, end in each newest state', async () => {
    const finals = ['sent', 'delivered', 'read', 'failed'];
    const ids: string[] = [];
    const events: Parameters<typeof statusBody>[0] = [];
    await seeded(
      j.journal,
      Array.from({ length: 250 }, (_, i) => ({ state: 'sent' as const, wamid: `w.${i}` })),
    );
    for (let i = 0; i < 250; i++) {
      ids.push(`+1415201${String(i).padStart(4, '0')}`);
      const chain = finals[i % 4] === 'failed' ? ['sent', 'failed'] : finals.slice(0, (i % 4) + 1);
      chain.forEach((status, k) =>
        events.push({
          id: `w.${i}`,
          status,
          timestamp: 1760000000 + k,
          ...(status === 'failed' ? { errors: [{ code: 131026 }] } : {}),
        }),
      );
    }
    let n = 0;
    while (events.length < 1000) events.push({ ...events[(n++ * 7919) % events.length]! });
    events.sort((x, y) => hash(`${x.id}${x.status}`) - hash(`${y.id}${y.status}`));
    await start();
    const posts = [];
    for (let i = 0; i < 1000; i += 50) posts.push(post(server.url, JSON.stringify(statusBody(events.slice(i, i + 50)))));
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(Array(20).fill(200));
    await eventually(() => eventCount(j.db, 'applied_at IS NULL') === 0);
    ids.forEach((id, i) => expect(rowOf(j.db, id).state, `row ${i}`).toBe(finals[i % 4]));
  });
});

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
