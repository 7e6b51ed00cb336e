// Meta's own inbound webhook examples (facebook/openapi, MIT) and our synthetic status fixtures,
// posted byte for byte with a valid signature.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookServer, type WebhookServer } from '../../src/webhook/server.js';
import { seeded } from '../journal/conformance/harness.js';
import { eventCount, eventually, optedOut, optouts, post, rowOf, SAMPLES, SECRET, sample, tempJournal } from './helpers.js';

let j: ReturnType<typeof tempJournal>;
let server: WebhookServer;

beforeEach(async () => {
  j = tempJournal();
  server = await startWebhookServer({ journal: j.journal, appSecret: SECRET, verifyToken: 't', port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  await server.close();
  await j.cleanup();
});

const pending = () => eventCount(j.db, 'applied_at IS NULL');

describe("Meta's inbound examples", () => {
  const files = readdirSync(join(SAMPLES, 'facebook-openapi-webhooks')).filter((f) => f.endsWith('.json'));

  it('accepts all 16, stores each inbound message once, and opts out only the "Unsubscribe" button tap', async () => {
    expect(files).toHaveLength(16);
    const ids = new Set<string>();
    for (const f of files) {
      const text = sample(`facebook-openapi-webhooks/${f}`);
      for (const m of JSON.parse(text).entry[0].changes[0].value.messages ?? []) ids.add(m.id);
      expect((await post(server.url, text)).status, f).toBe(200);
    }
    await eventually(() => pending() === 0);
    // Meta's examples reuse message ids across files: those are duplicates and are stored once.
    expect(ids.size).toBe(10);
    expect(eventCount(j.db, "kind IN ('inbound_optout', 'other') AND dedup_key LIKE 'msg:%'")).toBe(ids.size);
    // button-message.json is a template quick-reply tap labelled "Unsubscribe"; the plain text
    // example ("Does it come in another color?") and every other message leave the list alone.
    expect(optouts(j.db).map((o) => [o.phone, o.source, o.detail])).toEqual([['+16505551234', 'inbound_keyword', 'Unsubscribe']]);
  });
});

describe('synthetic fixtures', () => {
  it('an inbound "Stop" (any case, padded) opts the sender out; the STOP fixture too', async () => {
    const stop = sample('synthetic/inbound-text-stop.json');
    expect((await post(server.url, stop)).status).toBe(200);
    const padded = stop
      .replace('"STOP"', '"  Stop\\n"')
      .replace('SYNTHETIC_INBOUND_0001', 'SYNTHETIC_INBOUND_0002')
      .replace(/15551230000/g, '15551230009');
    expect((await post(server.url, padded)).status).toBe(200);
    await eventually(() => optedOut(j.db, '+15551230009'));
    expect(optedOut(j.db, '+15551230000')).toBe(true);
    expect(optouts(j.db).every((o) => o.source === 'inbound_keyword')).toBe(true);
  });

  it('sent, out-of-order read/delivered and failed fixtures move their rows forward only', async () => {
    await seeded(j.journal, [
      { state: 'sent', wamid: 'wamid.SYNTHETIC0000000000000000001', at: 1759999999000 },
      { state: 'sent', wamid: 'wamid.SYNTHETIC0000000000000000002', at: 1759999999000 },
    ]);
    const one = '+14152010000';
    const two = '+14152010001';
    for (const f of [
      'status-batch-out-of-order',
      'status-sent-v23',
      'status-delivered-v24',
      'status-sent-v24',
      'status-failed-131049',
    ]) {
      expect((await post(server.url, sample(`synthetic/${f}.json`))).status).toBe(200);
    }
    await eventually(() => pending() === 0);
    expect(rowOf(j.db, one)).toMatchObject({
      state: 'read',
      delivered_at: 1760000003000,
      read_at: 1760000060000,
      sent_at: 1759999999000,
    });
    expect(rowOf(j.db, two)).toMatchObject({
      state: 'failed',
      error_code: 131049,
      error_class: 'defer_24h',
      failed_at: 1760000005000,
      error_detail: 'synthetic details string',
    });
  });

  it('a user_preferences stop opts the user out', async () => {
    expect((await post(server.url, sample('synthetic/user-preferences-stop.json'))).status).toBe(200);
    await eventually(() => optedOut(j.db, '+15551230000'));
    expect(optouts(j.db)[0]).toMatchObject({ source: 'user_preferences', detail: 'synthetic description' });
  });
});
