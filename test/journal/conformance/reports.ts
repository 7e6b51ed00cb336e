// The report store through the port (src/core/report-facts.ts): aggregates of attempts, rows,
// receipts and rejections, reached the way a run and the receiver reach them, never with SQL.
import { describe, expect, it } from 'vitest';
import type { AttemptRecord, Journal } from '../../../src/core/journal.js';
import type { SendOutcome } from '../../../src/core/sender.js';
import type { RecipientToSend } from '../../../src/core/types.js';
import { DEFAULT_OPTOUT_KEYWORDS, extractEvents, optoutMatcher } from '../../../src/webhook/events.js';
import { plan, tempDir, writeCsv } from '../../helpers/journal.js';
import { type StatusSpec, statusBody } from '../../webhook/helpers.js';
import { exchangeOf, type OpenJournal, OWNER, outcomes, phoneOf, planned, recordOf, T } from './harness.js';

const S = T / 1000 + 1; // unix seconds of T + 1 s, like Meta's timestamps
const DAY = 86_400_000;
const opts = (o: Partial<Parameters<Journal['reports']['broadcastFacts']>[1]> = {}) => ({
  bucketTarget: 10,
  examples: 3,
  latencyBoundsMs: [1000, 5000],
  now: T + 60_000,
  ...o,
});

/** A record started at `start` (ms) and answered 10 ms later, decided by the real retry policy. */
const sent = (r: RecipientToSend, o: SendOutcome, start: number): AttemptRecord => ({
  ...recordOf(r, o, start + 10),
  startedAt: start,
});

async function claimAll(journal: Journal, id: string, n: number, now = T): Promise<RecipientToSend[]> {
  await journal.runs.acquireLease(id, OWNER, 30_000, now, () => true);
  const { claimed } = await exchangeOf(journal, id, { claim: n, now });
  return claimed;
}

async function receipts(journal: Journal, list: StatusSpec[]): Promise<void> {
  await journal.events.insert(extractEvents(statusBody(list), optoutMatcher(DEFAULT_OPTOUT_KEYWORDS)).events, T + 60_000);
  await journal.events.applyPending(T + 60_000);
}

export function reportsConformance(open: OpenJournal): void {
  describe('reports', () => {
    it('timeline: attempts by bucket (width from the runs), accepted and throttled, first and last send; the runs', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 6);
      const c = await claimAll(journal, id, 6);
      const runId = await journal.runs.logRunStart({
        broadcastId: id,
        mode: 'broadcast',
        owner: OWNER,
        rate: 80,
        concurrency: 4,
        startedAt: T,
      });
      await exchangeOf(journal, id, {
        records: [
          sent(c[0]!, outcomes.accepted('w.0'), T + 100),
          sent(c[1]!, outcomes.accepted('w.1'), T + 1500),
          sent(c[2]!, outcomes.accepted('w.2'), T + 2500),
          sent(c[3]!, outcomes.error(130429, 'throttle', 429), T + 2600),
          sent(c[4]!, outcomes.error(131026, 'permanent'), T + 12_000),
          sent(c[5]!, outcomes.unknown(), T + 12_500),
        ],
      });
      await journal.runs.logRunEnd(runId, 'done', null, T + 20_000);
      const f = (await journal.reports.broadcastFacts(id, opts()))!;
      // 20 s of sending in about 10 buckets: 2 s each, aligned to the clock.
      expect(f.timeline.bucketMs).toBe(2000);
      expect(f.timeline.buckets).toEqual([
        { t: T, started: 2, accepted: 2, throttled: 0, first: T + 100, last: T + 1500 },
        { t: T + 2000, started: 2, accepted: 1, throttled: 1, first: T + 2500, last: T + 2600 },
        { t: T + 12_000, started: 2, accepted: 0, throttled: 0, first: T + 12_000, last: T + 12_500 },
      ]);
      expect(f.runs).toEqual([
        {
          startedAt: T,
          endedAt: T + 20_000,
          mode: 'broadcast',
          owner: OWNER,
          rate: 80,
          concurrency: 4,
          outcome: 'done',
          reason: null,
        },
      ]);
      expect(f.status.counts).toMatchObject({ sent: 3, retry: 1, failed: 1, unknown: 1 });
      // Mostly sent, no receipts: the sent rows are counted as the prefix's rest.
      expect(f.prefixes).toEqual([{ prefix: '+1415', sample: phoneOf(0), recipients: 6, accepted: 3, delivered: 0, failed: 1 }]);
      expect(await journal.reports.broadcastFacts('nope', opts())).toBeNull();
      await cleanup();
    });

    it('a broadcast never sent: no buckets, 1-second width, empty histograms, every recipient in its prefix', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 3);
      const f = (await journal.reports.broadcastFacts(id, opts()))!;
      expect(f.timeline).toEqual({ bucketMs: 1000, buckets: [] });
      expect(f.runs).toEqual([]);
      expect(f.latency.acceptedToDelivered).toEqual({ counts: [0, 0, 0], total: 0, maxMs: 0 });
      expect(f.errors).toEqual([]);
      expect(f.prefixes).toEqual([{ prefix: '+1415', sample: phoneOf(0), recipients: 3, accepted: 0, delivered: 0, failed: 0 }]);
      await cleanup();
    });

    it('errors: request errors by code (by outcome without one) in recipients and requests, receipts apart, titles, examples', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 5);
      const c = await claimAll(journal, id, 5);
      await exchangeOf(journal, id, {
        records: [
          sent(c[0]!, outcomes.error(130429, 'throttle', 429), T + 1),
          sent(c[1]!, outcomes.error(130429, 'throttle', 429), T + 2),
          sent(c[2]!, outcomes.error(131026, 'permanent'), T + 3),
          sent(c[3]!, outcomes.unknown(), T + 4),
          sent(c[4]!, outcomes.accepted('w.4'), T + 5),
        ],
      });
      // The throttled rows again, later: one throttled a second time, one accepted.
      const later = T + 3_600_000;
      const again = (await exchangeOf(journal, id, { claim: 2, now: later })).claimed;
      const [first, second] = again[0]!.phone === phoneOf(0) ? [again[0]!, again[1]!] : [again[1]!, again[0]!];
      await exchangeOf(journal, id, {
        now: later,
        records: [sent(first, outcomes.error(130429, 'throttle', 429), later), sent(second, outcomes.accepted('w.1'), later)],
      });
      const errors = [{ code: 131026, title: 'x', message: 'x', error_data: { details: 'not on WhatsApp' } }];
      await receipts(journal, [{ id: 'w.4', status: 'failed', timestamp: S + 9, errors }]);

      const f = (await journal.reports.broadcastFacts(id, opts()))!;
      const byKey = Object.fromEntries(f.errors.map((e) => [`${e.source} ${e.code ?? e.outcome}`, e]));
      expect(Object.keys(byKey).sort()).toEqual(['receipt 131026', 'request 130429', 'request 131026', 'request unknown']);
      expect(byKey['request 130429']).toMatchObject({
        code: 130429,
        outcome: null,
        recipients: 2,
        requests: 3,
        title: 'Error 130429',
      });
      expect(byKey['request 130429']!.examples.map((x) => x.phone)).toEqual([phoneOf(0), phoneOf(1)]);
      expect(byKey['request 131026']).toMatchObject({
        recipients: 1,
        requests: 1,
        title: 'Error 131026',
        examples: [{ phone: phoneOf(2), line: 4, detail: 'detail 131026' }],
      });
      expect(byKey['request unknown']).toMatchObject({ code: null, outcome: 'unknown', recipients: 1, requests: 1 });
      expect(byKey['request unknown']!.title).toMatch(/may have been sent/);
      expect(byKey['receipt 131026']).toMatchObject({
        recipients: 1,
        title: 'Message undeliverable',
        examples: [{ phone: phoneOf(4), line: 6, detail: 'not on WhatsApp' }],
      });
      // Fewer examples when asked: still the totals.
      const one = (await journal.reports.broadcastFacts(id, opts({ examples: 1 })))!;
      expect(one.errors.find((e) => e.code === 130429)).toMatchObject({
        recipients: 2,
        requests: 3,
        examples: [{ phone: phoneOf(0) }],
      });
      await cleanup();
    });

    it('latency histograms from receipt times (negatives as 0), and recipients by country prefix', async () => {
      const { journal, cleanup } = await open();
      const dir = tempDir('wa-send-conf-');
      const numbers = ['+14152010001', '+14162010002', '+447400123456', '+447400123457', '+525512345678', '+919876543210'];
      const csv = writeCsv(dir, `name,phone\n${numbers.map((p, i) => `P${i},${p}`).join('\n')}\n`);
      const id = (await plan(journal, csv)).broadcastId!;
      const c = await claimAll(journal, id, 6);
      const by = new Map(c.map((r) => [r.phone, r]));
      await exchangeOf(journal, id, {
        records: numbers.map((p, i) =>
          // Answered at S (whole seconds): sent_at = S * 1000.
          ({ ...sent(by.get(p)!, i === 4 ? outcomes.error(131026, 'permanent') : outcomes.accepted(`w.${i}`), S * 1000 - 10) }),
        ),
      });
      await receipts(journal, [
        { id: 'w.0', status: 'delivered', timestamp: S + 3 },
        { id: 'w.1', status: 'delivered', timestamp: S },
        { id: 'w.2', status: 'delivered', timestamp: S - 1 }, // Meta's clock is not ours
        { id: 'w.3', status: 'read', timestamp: S + 10 }, // read without delivered: both at once
      ]);
      const f = (await journal.reports.broadcastFacts(id, opts()))!;
      expect(f.latency.acceptedToDelivered).toEqual({ counts: [2, 1, 1], total: 4, maxMs: 10_000 });
      expect(f.latency.deliveredToRead).toEqual({ counts: [1, 0, 0], total: 1, maxMs: 0 });
      const prefixes = [...f.prefixes].sort((a, b) => a.prefix.localeCompare(b.prefix));
      expect(prefixes).toEqual([
        { prefix: '+1415', sample: '+14152010001', recipients: 1, accepted: 1, delivered: 1, failed: 0 },
        { prefix: '+1416', sample: '+14162010002', recipients: 1, accepted: 1, delivered: 1, failed: 0 },
        { prefix: '+447400', sample: '+447400123456', recipients: 2, accepted: 2, delivered: 2, failed: 0 },
        { prefix: '+525512', sample: '+525512345678', recipients: 1, accepted: 0, delivered: 0, failed: 1 },
        { prefix: '+919876', sample: '+919876543210', recipients: 1, accepted: 1, delivered: 0, failed: 0 },
      ]);
      await cleanup();
    });

    it('rejections: counts by reason with the first rows of each in file order', async () => {
      const { journal, cleanup } = await open();
      const dir = tempDir('wa-send-conf-');
      const csv = writeCsv(dir, 'name,phone\nA,+14152010001\nB,n/a\nC,+1 415 201 0001\nD,12\nE,+14152010002\nF,1\n');
      const id = (await plan(journal, csv, undefined, { maxInvalidPct: 100 })).broadcastId!;
      const f = (await journal.reports.broadcastFacts(id, opts({ examples: 2 })))!;
      const byReason = Object.fromEntries(f.rejections.map((r) => [r.reason, r]));
      expect(byReason.invalid_number).toMatchObject({ count: 3 });
      expect(byReason.invalid_number!.examples.map((x) => [x.line, x.input])).toEqual([
        [3, 'n/a'],
        [5, '12'],
      ]);
      expect(byReason.duplicate).toMatchObject({ count: 1, examples: [{ line: 4, input: '+1 415 201 0001' }] });
      expect(byReason.duplicate!.examples[0]!.detail).toMatch(/line 2/);
      await cleanup();
    });

    it('journal facts: broadcasts created since, newest first; per-day outcomes; errors per broadcast', async () => {
      const { journal, cleanup } = await open();
      const a = await planned(journal, 3, { key: 'k-a' });
      await new Promise((r) => setTimeout(r, 5));
      const between = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      const b = await planned(journal, 2, { key: 'k-b', start: 10 });
      const c = await claimAll(journal, a, 3);
      await exchangeOf(journal, a, {
        records: [
          sent(c[0]!, outcomes.accepted('w.a0'), T),
          sent(c[1]!, outcomes.accepted('w.a1'), T + DAY),
          sent(c[2]!, outcomes.error(131026, 'permanent'), T + DAY),
        ],
      });
      await receipts(journal, [{ id: 'w.a1', status: 'read', timestamp: S + 86_400 }]);

      const all = await journal.reports.journalFacts({ since: 0 });
      expect(all.broadcasts.map((f) => f.broadcast.id)).toEqual([b, a]);
      const day = Math.floor(T / DAY) * DAY;
      const days = all.days.filter((d) => d.broadcastId === a).sort((x, y) => x.day - y.day);
      expect(days).toEqual([
        { broadcastId: a, day, accepted: 1, delivered: 0, read: 0, failed: 0 },
        { broadcastId: a, day: day + DAY, accepted: 1, delivered: 1, read: 1, failed: 1 },
      ]);
      expect(all.days.filter((d) => d.broadcastId === b)).toEqual([]);
      expect(all.errors).toEqual([expect.objectContaining({ source: 'request', code: 131026, recipients: 1, examples: [] })]);
      const recent = await journal.reports.journalFacts({ since: between });
      expect(recent.broadcasts.map((f) => f.broadcast.id)).toEqual([b]);
      await cleanup();
    });
  });
}
