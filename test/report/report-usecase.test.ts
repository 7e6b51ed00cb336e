// The report use case over a fake port: facts in, the renderer's data out. The funnel is the
// status object, phones are masked unless asked, the state says what continues it, runs and halts
// are placed on the timeline, latency and countries come out of the grouped facts.

import { describe, expect, it } from 'vitest';
import { WaSendError } from '../../src/core/errors.js';
import type { BroadcastFacts, Journal } from '../../src/core/journal.js';
import type { BroadcastReportFacts, JournalReportFacts } from '../../src/core/report-facts.js';
import { buildStatus } from '../../src/core/rules/status.js';
import { type BroadcastRecord, META_API_URL, zeroStateCounts } from '../../src/core/types.js';
import { broadcastReport, journalReport, type ReportOptions } from '../../src/core/usecases/report.js';

const T = 1_760_000_000_000;
const NOW = T + 86_400_000;
const alive = (owner: string) => owner === 'live@h#1';
const opts = (o: Partial<ReportOptions> = {}): ReportOptions => ({
  now: NOW,
  ownerAlive: alive,
  showNumbers: false,
  titleOf: (code) => (code === 131026 ? 'Message undeliverable' : null),
  ...o,
});

function record(o: Partial<BroadcastRecord> = {}): BroadcastRecord {
  return {
    ...{ id: 'bq7k3m9x', key: 'k', name: 'Promo', sourceFile: 'customers.csv', sourceSha256: 'x', rowsRead: 14, createdAt: T },
    ...{ target: { api_url: META_API_URL, phone_number_id: '1065' }, status: 'open', reason: null },
    ...{ spec: { message: { type: 'template', template: { name: 'promo', language: { code: 'en_US' } } }, columns: [] } },
    ...{ leaseOwner: null, leaseExpiresAt: null, sender: '1065', profile: null, requireOptin: false },
    ...o,
  } as BroadcastRecord;
}

function status(b: BroadcastRecord, counts: Partial<BroadcastFacts['counts']>, failedUnaccepted = 0): BroadcastFacts {
  return {
    broadcast: b,
    counts: { ...zeroStateCounts(), ...counts },
    rejections: { invalid_number: 2 },
    errors: [{ code: 131026, title: 'Message undeliverable', count: failedUnaccepted }],
    attempted: true,
    failedUnaccepted,
    nextRetryAt: null,
    deferredUntil: null,
    lastRunEndedAt: null,
    lastRun: null,
  };
}

const run = (
  startedAt: number,
  endedAt: number | null,
  outcome: string | null,
  owner = 'a@h#1',
  reason: string | null = null,
) => ({
  ...{ startedAt, endedAt, mode: 'broadcast', owner, rate: 80, concurrency: 32, outcome, reason },
});

function facts(b: BroadcastRecord, o: Partial<BroadcastReportFacts> = {}): BroadcastReportFacts {
  const empty = { counts: [0, 0, 0], total: 0, maxMs: 0 };
  return {
    status: status(b, { sent: 6, delivered: 2, read: 1, failed: 2, pending: 1 }, 1),
    runs: [run(T, T + 10_000, 'done')],
    timeline: { bucketMs: 2000, buckets: [{ t: T, started: 12, accepted: 9, throttled: 2, first: T + 5, last: T + 1900 }] },
    latency: { acceptedToDelivered: { counts: [2, 1, 0], total: 3, maxMs: 4000 }, deliveredToRead: empty },
    errors: [
      {
        ...{ source: 'request', code: 131026, outcome: null, recipients: 1, requests: 1, title: null },
        examples: [{ phone: '+14155552671', line: 7, detail: 'no WhatsApp for 14155552671' }],
      },
    ],
    rejections: [{ reason: 'invalid_number', count: 2, examples: [{ line: 3, input: '4155552671', detail: null }] }],
    prefixes: [{ prefix: '+1415', sample: '+14155552671', recipients: 12, accepted: 9, delivered: 3, failed: 1 }],
    ...o,
  };
}

function port(f: BroadcastReportFacts | null, eligible = 0, journal?: JournalReportFacts): Journal {
  const reports = { broadcastFacts: async () => f, journalFacts: async () => journal };
  return { location: '/tmp/j.db', reports, broadcasts: { countEligible: async () => eligible } } as unknown as Journal;
}

describe('broadcast report data', () => {
  it('funnel = the status object; header, timeline, latency, errors, rejections, countries', async () => {
    const b = record();
    const f = facts(b);
    const d = await broadcastReport(port(f), b.id, opts());
    const s = buildStatus(f.status, NOW, alive);
    expect(d.funnel).toEqual({
      ...{ rowsRead: 14, recipients: s.recipients, accepted: s.accepted, delivered: s.delivery.delivered, read: s.delivery.read },
      ...{ failed: s.send_failed, skipped: 0, unknown: 0, open: 1, rejections: s.rejections },
    });
    expect(d.funnel).toMatchObject({ recipients: 12, accepted: 10, delivered: 3, read: 1, failed: 1 });
    expect(d.broadcast).toMatchObject({
      state: 'paused',
      message: { kind: 'template', name: 'promo', language: 'en_US' },
      sendingNumber: 'phone number id 1065',
      firstSendAt: new Date(T + 5).toISOString(),
      lastSendAt: new Date(T + 1900).toISOString(),
      durationS: 10,
      continueCommand: 'wa-send resume bq7k3m9x',
    });
    expect(d.timeline).toMatchObject({ bucketS: 2, rate: 80, halts: [] });
    expect(d.timeline.points).toEqual([{ t: T / 1000, started: 12, accepted: 9, throttled: 2, errors: 1 }]);
    expect(d.latency.acceptedToDelivered).toMatchObject({ count: 3, maxMs: 4000 });
    expect(d.latency.deliveredToRead).toBeNull();
    expect(d.errors).toEqual([
      {
        ...{ code: 131026, title: 'Message undeliverable', count: 1 },
        action: expect.stringMatching(/do not resend/),
        examples: [{ phone: '+1 415 ••• 2671', line: 7, detail: 'no WhatsApp for +1 415 ••• 2671' }],
      },
    ]);
    expect(d.rejections[0]!.examples[0]!.input).toBe('415•••71');
    expect(d.countries).toEqual([{ country: 'US', name: 'United States', recipients: 12, accepted: 9, delivered: 3, failed: 1 }]);
  });

  it('--show-numbers: every number as it is', async () => {
    const b = record();
    const d = await broadcastReport(port(facts(b)), b.id, opts({ showNumbers: true }));
    expect(d.errors[0]!.examples[0]).toMatchObject({ phone: '+14155552671', detail: 'no WhatsApp for 14155552671' });
    expect(d.rejections[0]!.examples[0]!.input).toBe('4155552671');
  });

  it('halted: the halt on the timeline from the run that logged it, resume to continue', async () => {
    const b = record({ status: 'halted', reason: 'error 190 Access token expired' });
    const f = facts(b, { runs: [run(T, T + 10_000, 'halted', 'a@h#1', 'error 190 Access token expired')] });
    const d = await broadcastReport(port(f), b.id, opts());
    expect(d.broadcast).toMatchObject({ state: 'halted', continueCommand: 'wa-send resume bq7k3m9x' });
    expect(d.timeline.halts).toEqual([{ at: (T + 10_000) / 1000, reason: 'error 190 Access token expired' }]);
    expect(d.timeline.runs[0]).toMatchObject({ outcome: 'halted', endedAt: (T + 10_000) / 1000 });
    // A halt no run logged (a journal from before runs were logged) still shows, at the last send.
    const old = await broadcastReport(port(facts(b, { runs: [] })), b.id, opts());
    expect(old.timeline.halts).toEqual([{ at: (T + 1900) / 1000, reason: 'error 190 Access token expired' }]);
  });

  it('runs: one still going has no end; one whose process died ends where the next began', async () => {
    const b = record({ leaseOwner: 'live@h#1', leaseExpiresAt: NOW + 20_000 });
    const f = facts(b, { runs: [run(T, null, null, 'dead@h#2'), run(T + 60_000, null, null, 'live@h#1')] });
    const d = await broadcastReport(port(f), b.id, opts());
    expect(d.broadcast).toMatchObject({ state: 'running', continueCommand: null });
    expect(d.timeline.runs.map((r) => [r.endedAt, r.outcome])).toEqual([
      [(T + 60_000) / 1000, 'ended without a record (the process stopped)'],
      [null, 'running'],
    ]);
    expect(d.broadcast.durationS).toBe(60 + (NOW - T - 60_000) / 1000);
  });

  it('finished: retry-failed only when rows are retryable now; completed and never-sent need nothing', async () => {
    const b = record();
    const partial = facts(b, { status: status(b, { sent: 5, failed: 1 }, 1) });
    expect((await broadcastReport(port(partial, 1), b.id, opts())).broadcast.continueCommand).toBe(
      'wa-send retry-failed bq7k3m9x',
    );
    expect((await broadcastReport(port(partial, 0), b.id, opts())).broadcast.continueCommand).toBeNull();
    const done = facts(b, { status: status(b, { sent: 5 }) });
    expect((await broadcastReport(port(done), b.id, opts())).broadcast).toMatchObject({
      state: 'completed',
      continueCommand: null,
    });
    const fresh = facts(b, { runs: [], timeline: { bucketMs: 1000, buckets: [] } });
    expect((await broadcastReport(port(fresh), b.id, opts())).broadcast).toMatchObject({ firstSendAt: null, durationS: null });
  });

  it('an unknown id is a usage error naming the journal', async () => {
    const err = await broadcastReport(port(null), 'nope', opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toBe('no broadcast nope in the journal /tmp/j.db');
  });
});

describe('journal report data', () => {
  it('broadcasts with their status figures, per day per sending number, rates by day sent, top errors', async () => {
    const a = record({ id: 'ba', target: 'sandbox' });
    const b = record({ id: 'bb' });
    const day = Math.floor(T / 86_400_000) * 86_400_000;
    const jf: JournalReportFacts = {
      broadcasts: [status(b, { sent: 3 }), status(a, { delivered: 4, read: 2, failed: 1 }, 1)],
      days: [
        { broadcastId: 'ba', day, accepted: 6, delivered: 6, read: 2, failed: 1 },
        { broadcastId: 'bb', day, accepted: 3, delivered: 0, read: 0, failed: 0 },
        { broadcastId: 'bb', day: day + 86_400_000, accepted: 1, delivered: 1, read: 0, failed: 0 },
      ],
      errors: [
        { source: 'request', code: 131026, outcome: null, recipients: 1, requests: 1, title: null, examples: [] },
        { source: 'request', code: 130429, outcome: null, recipients: 4, requests: 6, title: null, examples: [] },
        {
          source: 'receipt',
          code: 131026,
          outcome: null,
          recipients: 5,
          requests: 5,
          title: 'Message undeliverable',
          examples: [],
        },
      ],
    };
    const d = await journalReport(port(null, 0, jf), T - 1000, opts());
    expect(d.since).toBe(new Date(T - 1000).toISOString());
    expect(d.broadcasts.map((x) => [x.id, x.state, x.sendingNumber, x.accepted, x.delivered, x.read, x.failed])).toEqual([
      ['bb', 'completed', 'phone number id 1065', 3, 0, 0, 0],
      ['ba', 'partial', 'sandbox', 6, 6, 2, 1],
    ]);
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(d.perDay).toEqual([
      { day: iso(day), sendingNumber: 'phone number id 1065', accepted: 3, failed: 0 },
      { day: iso(day), sendingNumber: 'sandbox', accepted: 6, failed: 1 },
      { day: iso(day + 86_400_000), sendingNumber: 'phone number id 1065', accepted: 1, failed: 0 },
    ]);
    expect(d.ratesOverTime).toEqual([
      { day: iso(day), accepted: 9, delivered: 6, read: 2 },
      { day: iso(day + 86_400_000), accepted: 1, delivered: 1, read: 0 },
    ]);
    expect(d.topErrors.map((e) => [e.code, e.count, e.title])).toEqual([
      [131026, 6, 'Message undeliverable'],
      [130429, 4, 'Error 130429'],
    ]);
  });
});
