// Status webhooks: Meta's envelope, signed over the exact bytes, sent→delivered→read (or failed)
// per the deterministic plan, non-ASCII escaped like Meta, duplicates and disorder when asked for,
// retries on failure, and a close() that never hangs on a stuck receiver.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { plannedStatuses, type RunningSandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { applyPatch, DEFAULTS } from '../../src/sandbox/options.js';
import { post, textMessage, waitFor } from './helpers.js';
import { type Receiver, startReceiver } from './receiver.js';

const SECRET = 'test-app-secret';
const PNID = '555000111';
const RANK: Record<string, number> = { sent: 0, delivered: 1, read: 2, failed: 1 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(opts: SandboxOptions, answer?: (n: number) => number | null): Promise<{ s: RunningSandbox; r: Receiver }> {
  const r = await startReceiver(SECRET, answer);
  cleanup.push(() => r.close());
  const s = await startSandbox({ webhookUrl: r.url, appSecret: SECRET, webhookFlushMs: 5, ...opts });
  cleanup.push(() => s.close());
  return { s, r };
}

interface Sent {
  wamid: string;
  digits: string;
  key: string;
  type: string;
}
async function sendMany(s: RunningSandbox, n: number, base = 15557000000): Promise<Sent[]> {
  const out: Sent[] = [];
  for (let i = 0; i < n; i++) {
    const to = `+${base + i}`;
    const { json } = await post(s.url, textMessage(to, { biz_opaque_callback_data: `b1:${i}` }), {
      path: `/v23.0/${PNID}/messages`,
    });
    out.push({ wamid: json.messages[0].id, digits: String(base + i), key: `b1:${i}`, type: 'text' });
  }
  return out;
}

/** Waits until everything emitted reached the receiver. */
async function settled(s: RunningSandbox, r: Receiver): Promise<void> {
  await waitFor(() => s.stats().webhooks.pending === 0 && r.statuses().length === s.stats().webhooks.events_posted);
}

function byWamid(statuses: any[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const st of statuses) m.set(st.id, [...(m.get(st.id) ?? []), st.status]);
  return m;
}

describe('status webhooks', () => {
  it('posts signed, Meta-shaped batches following the planned sent→delivered→read/failed path', async () => {
    const opts = {
      seed: 'wh',
      readFraction: 0.5,
      asyncFailFraction: 0.2,
      webhookDisorder: 0,
      webhookDuplicates: 0,
      webhookBatchSize: 10,
    };
    const { s, r } = await setup(opts);
    const sent = await sendMany(s, 40);
    const reaction = await post(
      s.url,
      {
        messaging_product: 'whatsapp',
        to: '+15558880000',
        type: 'reaction',
        reaction: { message_id: sent[0]!.wamid, emoji: '👍' },
      },
      { path: `/v23.0/${PNID}/messages` },
    );
    await settled(s, r);

    expect(r.posts.length).toBeGreaterThan(1);
    for (const p of r.posts) {
      expect(p.signatureOk).toBe(true);
      expect(p.json).toMatchObject({
        object: 'whatsapp_business_account',
        entry: [{ id: expect.any(String), changes: [{ field: 'messages' }] }],
      });
      const value = p.json.entry[0].changes[0].value;
      expect(value.messaging_product).toBe('whatsapp');
      expect(value.metadata).toEqual({ display_phone_number: expect.any(String), phone_number_id: PNID });
      expect(value.statuses.length).toBeLessThanOrEqual(10);
    }

    const resolved = applyPatch(DEFAULTS, opts);
    const got = byWamid(r.statuses());
    for (const m of sent) expect([m.wamid, got.get(m.wamid)]).toEqual([m.wamid, plannedStatuses(resolved, m.digits)]);
    expect(got.get(reaction.json.messages[0].id)).toEqual(['sent']); // reactions only ever get `sent`
    const paths = sent.map((m) => got.get(m.wamid)!.join('>'));
    expect(paths).toContain('sent>delivered>read');
    expect(paths).toContain('sent>delivered');
    expect(paths).toContain('sent>failed');

    const info = new Map(sent.map((m) => [m.wamid, m]));
    for (const st of r.statuses()) {
      const m = info.get(st.id);
      if (!m) continue;
      expect(st.recipient_id).toBe(m.digits);
      expect(st.biz_opaque_callback_data).toBe(m.key);
      expect(st.timestamp).toMatch(/^\d{10}$/);
      if (st.status === 'sent') expect(st.pricing).toMatchObject({ pricing_model: 'PMP', category: 'service' });
      if (st.status === 'sent') expect(st.conversation.id).toMatch(/^[0-9a-f]{16}$/);
      if (st.status === 'failed') {
        expect(st.pricing).toBeUndefined();
        expect(st.errors).toEqual([
          {
            code: 131026,
            title: expect.any(String),
            message: expect.any(String),
            error_data: { details: expect.any(String) },
            href: expect.stringMatching(/^https:/),
          },
        ]);
      }
    }

    const w = s.stats().webhooks;
    const count = (status: string) => r.statuses().filter((st) => st.status === status).length;
    expect(w.events).toEqual({
      sent: count('sent'),
      delivered: count('delivered'),
      read: count('read'),
      failed: count('failed'),
    });
    expect(w).toMatchObject({
      enabled: true,
      posts: r.posts.length,
      post_failures: 0,
      duplicates: 0,
      events_dropped: 0,
      events_posted: r.statuses().length,
    });
  });

  // Disorder and duplicates are checked apart: a duplicate can overtake its original in a backlog,
  // which would look like disorder and hide a broken disorder feature.
  it('sends a share of events out of order, yet each message gets its planned statuses once', async () => {
    const opts = { seed: 'messy', readFraction: 1, webhookDisorder: 0.3, webhookDuplicates: 0, webhookBatchSize: 8 };
    const { s, r } = await setup(opts);
    const sent = await sendMany(s, 60);
    await settled(s, r);
    const got = byWamid(r.statuses());
    const disordered = sent.filter((m) => {
      const seq = got.get(m.wamid)!.map((st) => RANK[st]!);
      return seq.some((rank, i) => i > 0 && rank < seq[i - 1]!);
    });
    expect(disordered.length).toBeGreaterThan(0);
    const resolved = applyPatch(DEFAULTS, opts);
    for (const m of sent) expect(got.get(m.wamid)!.slice().sort()).toEqual(plannedStatuses(resolved, m.digits).slice().sort());
    expect(s.stats().webhooks.duplicates).toBe(0);
  });

  it('sends a share of events twice and counts what it sent', async () => {
    const opts = { seed: 'twice', readFraction: 1, webhookDisorder: 0, webhookDuplicates: 0.2, webhookBatchSize: 8 };
    const { s, r } = await setup(opts);
    const sent = await sendMany(s, 60);
    await settled(s, r);
    const all = r.statuses();
    const unique = new Set(all.map((st) => `${st.id}/${st.status}`));
    const w = s.stats().webhooks;
    expect(all.length).toBe(w.events_posted);
    expect(unique.size).toBe(w.events.sent + w.events.delivered + w.events.read + w.events.failed);
    expect(w.duplicates).toBeGreaterThan(0);
    expect(all.length - unique.size).toBe(w.duplicates);
    const resolved = applyPatch(DEFAULTS, opts);
    const got = byWamid(all);
    for (const m of sent) expect(new Set(got.get(m.wamid))).toEqual(new Set(plannedStatuses(resolved, m.digits)));
  });

  it('escapes non-ASCII as lowercase \\uXXXX and signs those exact bytes', async () => {
    const { s, r } = await setup({ webhookDisorder: 0, webhookDuplicates: 0 });
    const key = 'café Ünï 😀 中文';
    await post(s.url, textMessage('+15551230000', { biz_opaque_callback_data: key }));
    await settled(s, r);
    const p = r.posts[0]!;
    expect(p.signatureOk).toBe(true);
    expect([...p.raw].every((byte) => byte < 0x80)).toBe(true);
    const text = p.raw.toString('utf8');
    expect(text).toContain('caf\\u00e9 \\u00dcn\\u00ef \\ud83d\\ude00 \\u4e2d\\u6587');
    expect(p.json.entry[0].changes[0].value.statuses[0].biz_opaque_callback_data).toBe(key);
    // Re-serializing the parsed JSON gives other bytes, so its HMAC would not verify.
    const reserialized = JSON.stringify(p.json);
    expect(createHmac('sha256', SECRET).update(reserialized).digest('hex')).not.toBe(
      String(p.headers['x-hub-signature-256']).slice(7),
    );
  });

  it('retries failed POSTs with the same body', async () => {
    const { s, r } = await setup({ webhookDisorder: 0, webhookDuplicates: 0 }, (n) => (n < 2 ? 500 : 200));
    await sendMany(s, 5);
    await settled(s, r);
    const w = s.stats().webhooks;
    expect(w.post_failures).toBe(2);
    expect(w.events_dropped).toBe(0);
    expect(r.statuses().length).toBe(w.events.sent + w.events.delivered + w.events.read);
  });

  it('emits nothing without an app secret', async () => {
    const r = await startReceiver(SECRET);
    cleanup.push(() => r.close());
    const s = await startSandbox({ webhookUrl: r.url });
    cleanup.push(() => s.close());
    await post(s.url, textMessage('+15551230000'));
    await new Promise((res) => setTimeout(res, 100));
    expect(r.posts).toHaveLength(0);
    expect(s.stats().webhooks).toMatchObject({ enabled: false, posts: 0, events: { sent: 0 } });
  });

  it('close() gives up on a stuck receiver within webhookCloseMs and counts the drop', async () => {
    const { s } = await setup({ webhookCloseMs: 300 }, () => null);
    await sendMany(s, 5);
    await new Promise((res) => setTimeout(res, 50));
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(2000);
    const w = s.stats().webhooks;
    const emitted = w.events.sent + w.events.delivered + w.events.read + w.events.failed + w.duplicates;
    expect(w.posts).toBe(0);
    expect(w.events_dropped).toBe(emitted);
    expect(w.pending).toBe(0);
  });
});
