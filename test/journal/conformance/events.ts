// Webhook events through the port (DESIGN §3 rule 5): stored once, applied monotonically,
// waiting for rows in flight, resolving unknown rows, opt-outs from replies and preferences.
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/core/journal.js';
import { recipientKey } from '../../../src/core/types.js';
import { DEFAULT_OPTOUT_KEYWORDS, extractEvents, optoutMatcher } from '../../../src/webhook/events.js';
import { envelope, type StatusSpec, statusBody } from '../../webhook/helpers.js';
import { exchangeOf, iso, type OpenJournal, outcomes, phoneOf, recordOf, rowByPhone, rowsOf, seeded } from './harness.js';

const S = 1_760_000_000; // unix seconds, like Meta's timestamps
const NOW = S * 1000 + 60_000;
const matcher = optoutMatcher(DEFAULT_OPTOUT_KEYWORDS);

async function receive(journal: Journal, body: Record<string, unknown>, now = NOW) {
  const stored = await journal.events.insert(extractEvents(body, matcher).events, now);
  return { stored, applied: await journal.events.applyPending(now) };
}
const statuses = (journal: Journal, list: StatusSpec[], now = NOW) => receive(journal, statusBody(list), now);
const pref = (value: string, timestamp: number, waId = '15551230000') =>
  envelope('user_preferences', {
    user_preferences: [{ wa_id: waId, detail: `${value} at ${timestamp}`, category: 'marketing_messages', value, timestamp }],
  });
const text = (id: string, from: string, body: string) =>
  envelope('messages', { messages: [{ from, id, timestamp: '1760000100', type: 'text', text: { body } }] });

export function eventsConformance(open: OpenJournal): void {
  describe('status events', () => {
    it('move sent → delivered → read; read without delivered sets both; never backwards; duplicates stored once', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'sent', wamid: 'w.a', at: S * 1000 - 500 },
        { state: 'sent', wamid: 'w.c' },
      ]);
      const first = await statuses(journal, [
        { id: 'w.a', status: 'delivered', timestamp: S + 3 },
        { id: 'w.c', status: 'read', timestamp: S + 9 },
      ]);
      expect(first.applied).toMatchObject({ applied: 2, waiting: 0 });
      expect(await rowByPhone(journal, id, phoneOf(0))).toMatchObject({
        state: 'delivered',
        delivered_at: iso((S + 3) * 1000),
        read_at: null,
      });
      expect(await rowByPhone(journal, id, phoneOf(1))).toMatchObject({
        state: 'read',
        delivered_at: iso((S + 9) * 1000),
        read_at: iso((S + 9) * 1000),
      });
      const late = await statuses(journal, [
        { id: 'w.c', status: 'delivered', timestamp: S + 4 },
        { id: 'w.c', status: 'sent', timestamp: S + 1 },
        { id: 'w.a', status: 'delivered', timestamp: S + 3 }, // a duplicate
      ]);
      expect(late.stored).toEqual({ inserted: 2, duplicates: 1 });
      expect(await rowByPhone(journal, id, phoneOf(1))).toMatchObject({ state: 'read', delivered_at: iso((S + 4) * 1000) });
      expect((await rowByPhone(journal, id, phoneOf(0))).state).toBe('delivered');
      await cleanup();
    });

    it('applies failed to a sent row with its error, never over delivered or read; a late sent does not undo it', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'sent', wamid: 'w.s' },
        { state: 'sent', wamid: 'w.r' },
      ]);
      await statuses(journal, [{ id: 'w.r', status: 'read', timestamp: S }]);
      const errors = [{ code: 131026, title: 'Meta words', message: 'x', error_data: { details: 'not on WhatsApp' } }];
      await statuses(journal, [
        { id: 'w.s', status: 'failed', timestamp: S, errors },
        { id: 'w.r', status: 'failed', timestamp: S, errors },
      ]);
      expect(await rowByPhone(journal, id, phoneOf(0))).toMatchObject({
        state: 'failed',
        failed_at: iso(S * 1000),
        error_code: 131026,
        error_title: 'Message undeliverable',
        error_detail: 'not on WhatsApp',
      });
      expect(await rowByPhone(journal, id, phoneOf(1))).toMatchObject({ state: 'read', error_code: null });
      await statuses(journal, [{ id: 'w.s', status: 'sent', timestamp: S - 1 }]);
      expect((await rowByPhone(journal, id, phoneOf(0))).state).toBe('failed');
      const facts = (await journal.broadcasts.facts(id))!;
      expect(facts.failedUnaccepted).toBe(0); // accepted, then failed: a delivery failure
      await cleanup();
    });

    it('400 shuffled events with duplicates for 100 messages leave each row in the state of its newest status', async () => {
      const { journal, cleanup } = await open();
      const chains = [['sent'], ['sent', 'delivered'], ['sent', 'delivered', 'read'], ['sent', 'failed']];
      const n = 100;
      // Every fifth row is `unknown` (no wamid recorded): its events find it by the recipient key alone.
      const { id } = await seeded(
        journal,
        Array.from({ length: n }, (_, i) =>
          i % 5 === 4 ? { state: 'unknown' as const } : { state: 'sent' as const, wamid: `w.${i}` },
        ),
      );
      const events: StatusSpec[] = [];
      for (let i = 0; i < n; i++) {
        chains[i % chains.length]!.forEach((status, k) =>
          events.push({
            id: `w.${i}`,
            status,
            timestamp: S + 10 * k,
            biz_opaque_callback_data: recipientKey(id, phoneOf(i)),
            ...(status === 'failed' ? { errors: [{ code: 131049, title: 't' }] } : {}),
          }),
        );
      }
      let seed = 42;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      while (events.length < 400) events.push({ ...events[Math.floor(rand() * events.length)]! });
      for (let i = events.length - 1; i > 0; i--) {
        const k = Math.floor(rand() * (i + 1));
        [events[i], events[k]] = [events[k]!, events[i]!];
      }
      for (let i = 0; i < events.length; i += 50) await statuses(journal, events.slice(i, i + 50));
      expect(await journal.events.countPending()).toBe(0);
      const rows = await rowsOf(journal, id);
      rows.forEach((r, i) => {
        const chain = chains[i % chains.length]!;
        expect(r.state, `row ${i}`).toBe(chain.at(-1));
        expect(r.wamid).toBe(`w.${i}`);
        if (chain.includes('delivered')) expect(r.delivered_at).toBe(iso((S + 10) * 1000));
      });
      await cleanup();
    });

    it('waits for a row still sending (by key) or a wamid not yet recorded, and applies once the answer is written', async () => {
      const { journal, cleanup } = await open();
      const { id, rows } = await seeded(journal, [{ state: 'sending' }, { state: 'sending' }]);
      const first = await statuses(journal, [
        { id: 'w.1', status: 'delivered', timestamp: S + 2, biz_opaque_callback_data: recipientKey(id, phoneOf(0)) },
        { id: 'w.2', status: 'read', timestamp: S + 5 },
      ]);
      expect(first.applied).toMatchObject({ applied: 0, waiting: 2 });
      expect((await rowByPhone(journal, id, phoneOf(0))).state).toBe('sending');
      // The run records the API's answers; what waited is applied with them.
      await exchangeOf(journal, id, {
        records: [recordOf(rows[0]!, outcomes.accepted('w.1'), S * 1000), recordOf(rows[1]!, outcomes.accepted('w.2'), S * 1000)],
      });
      await journal.events.applyPending(NOW + 1000);
      expect(await rowByPhone(journal, id, phoneOf(0))).toMatchObject({ state: 'delivered', delivered_at: iso((S + 2) * 1000) });
      expect(await rowByPhone(journal, id, phoneOf(1))).toMatchObject({ state: 'read', read_at: iso((S + 5) * 1000) });
      expect(await journal.events.countPending()).toBe(0);
      await cleanup();
    });

    it('resolves an unknown row from biz_opaque_callback_data; a status for a retry row proves it got through', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [{ state: 'unknown' }, { state: 'retry', at: NOW + 5000 }, { state: 'skipped' }]);
      await statuses(journal, [
        { id: 'w.9', status: 'delivered', timestamp: S, biz_opaque_callback_data: recipientKey(id, phoneOf(0)) },
        { id: 'w.5', status: 'sent', timestamp: S, biz_opaque_callback_data: recipientKey(id, phoneOf(1)) },
        { id: 'w.7', status: 'read', timestamp: S, biz_opaque_callback_data: recipientKey(id, phoneOf(2)) },
      ]);
      expect(await rowByPhone(journal, id, phoneOf(0))).toMatchObject({
        state: 'delivered',
        wamid: 'w.9',
        error_title: null,
        error_class: null,
      });
      expect(await rowByPhone(journal, id, phoneOf(1))).toMatchObject({ state: 'sent', wamid: 'w.5', error_code: null });
      expect((await rowByPhone(journal, id, phoneOf(2))).state).toBe('skipped'); // the operator's decision stands
      await cleanup();
    });

    it("stops rescanning a status that matches nothing of ours after the grace period (another tool's message)", async () => {
      const { journal, cleanup } = await open();
      const r = await statuses(journal, [{ id: 'w.other-tool', status: 'delivered', timestamp: S }]);
      expect(r.applied).toMatchObject({ waiting: 1 });
      expect(await journal.events.applyPending(NOW + 5 * 60_000 + 1)).toMatchObject({ waiting: 0, ignored: 1 });
      expect((await journal.broadcasts.metrics(NOW)).webhookEvents).toBe(1); // kept for the record
      await cleanup();
    });

    it('records an opt-out for an asynchronous 131050', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [{ state: 'sent', wamid: 'w.m' }]);
      const r = await statuses(journal, [
        { id: 'w.m', status: 'failed', timestamp: S, recipient_id: '14152010000', errors: [{ code: 131050, title: 'stopped' }] },
      ]);
      expect(r.applied.optouts).toEqual([{ phone: phoneOf(0), source: 'error_131050' }]);
      expect(await rowByPhone(journal, id, phoneOf(0))).toMatchObject({ state: 'failed', error_code: 131050 });
      await cleanup();
    });
  });

  describe('opt-outs from webhooks', () => {
    it('an inbound keyword opts out; other text does not', async () => {
      const { journal, cleanup } = await open();
      await receive(journal, text('m1', '15551230001', '  Stop '));
      await receive(journal, text('m2', '15551230002', 'please stop sending'));
      await receive(journal, text('m3', '15551230003', 'optout'));
      expect((await journal.optouts.list()).map((o) => [o.phone, o.source, o.detail])).toEqual([
        ['+15551230001', 'inbound_keyword', '  Stop '],
        ['+15551230003', 'inbound_keyword', 'optout'],
      ]);
      await cleanup();
    });

    it('user_preferences: the newest decides, out-of-order events are harmless, a resume lifts only its own stop', async () => {
      const { journal, cleanup } = await open();
      const listed = async () => (await journal.optouts.list()).map((o) => [o.phone, o.source]);
      await receive(journal, pref('stop', 1760000200));
      expect(await listed()).toEqual([['+15551230000', 'user_preferences']]);
      await receive(journal, pref('resume', 1760000100)); // older than the stop, arriving late
      expect(await listed()).toHaveLength(1);
      expect((await receive(journal, pref('resume', 1760000300))).applied.optouts).toEqual([
        { phone: '+15551230000', source: 'user_preferences', lifted: true },
      ]);
      await receive(journal, pref('stop', 1760000250)); // older than the resume: stays lifted
      expect(await listed()).toEqual([]);
      await receive(journal, text('m1', '15551230001', 'STOP'));
      await journal.optouts.add(['+15551230002'], 'manual', null, 1);
      await receive(journal, pref('stop', 1760000200, '15551230001'));
      await receive(journal, pref('resume', 1760000300, '15551230001'));
      await receive(journal, pref('resume', 1760000300, '15551230002'));
      expect((await listed()).map(([, s]) => s).sort()).toEqual(['inbound_keyword', 'manual']);
      await cleanup();
    });

    it('records the legacy E.164 forms of a Mexican wa_id too', async () => {
      const { journal, cleanup } = await open();
      await receive(journal, text('m10', '5215512345678', 'Unsubscribe'));
      expect((await journal.optouts.list()).map((o) => o.phone).sort()).toEqual(['+525512345678', '+5215512345678'].sort());
      await cleanup();
    });
  });
}
