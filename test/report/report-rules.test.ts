// The report's pure rules as tables: run ends and bucket widths, latency read off SQL histograms,
// errors merged by code, countries from prefixes, and masking of CSV values and free text.

import { describe, expect, it } from 'vitest';
import type { ErrorFact, RunFact } from '../../src/core/report-facts.js';
import { mergeErrors } from '../../src/core/rules/report-errors.js';
import { activeMs, runEnd, runOutcome, timelineBucketMs } from '../../src/core/rules/report-runs.js';
import {
  countriesOf,
  latencyOf,
  maskInput,
  maskNumbersIn,
  messageOf,
  sendingNumberOf,
} from '../../src/core/rules/report-shape.js';
import { META_API_URL } from '../../src/core/types.js';

const T = 1_760_000_000_000;
const run = (startedAt: number, endedAt: number | null, owner = 'a@h#1', outcome: string | null = 'done'): RunFact => ({
  startedAt,
  endedAt,
  mode: 'broadcast',
  owner,
  rate: 80,
  concurrency: 32,
  outcome,
  reason: null,
});
const noLease = { leaseOwner: null, leaseExpiresAt: null };

describe('runs', () => {
  it('a run ends when logged; a dead one at its lease expiry, or when the next run started; a live one now', () => {
    const runs = [run(T, T + 100_000), run(T + 200_000, null, 'dead@h#2'), run(T + 900_000, null, 'live@h#3')];
    const lease = { leaseOwner: 'live@h#3', leaseExpiresAt: T + 990_000 };
    expect(runEnd(runs, 0, lease, T + 950_000)).toBe(T + 100_000);
    expect(runEnd(runs, 1, lease, T + 950_000)).toBe(T + 900_000); // taken over by the next run
    expect(runEnd(runs, 2, lease, T + 950_000)).toBe(T + 950_000); // still going: now, not the expiry ahead
    expect(runEnd([run(T, null, 'dead@h#2')], 0, { leaseOwner: 'dead@h#2', leaseExpiresAt: T + 40_000 }, T + 9e9)).toBe(
      T + 40_000,
    );
    expect(activeMs(runs, lease, T + 950_000)).toBe(100_000 + 700_000 + 50_000);
  });

  it('buckets: the shortest nice width for about `target` buckets of sending time, pauses left out', () => {
    expect(timelineBucketMs([], noLease, T, 900)).toBe(1000);
    expect(timelineBucketMs([run(T, T + 600_000)], noLease, T, 900)).toBe(1000);
    expect(timelineBucketMs([run(T, T + 12_500_000)], noLease, T, 900)).toBe(15_000);
    // A week's pause between two one-hour runs: still 5-second bars.
    expect(
      timelineBucketMs([run(T, T + 3_600_000), run(T + 7 * 86_400_000, T + 7 * 86_400_000 + 3_600_000)], noLease, T, 900),
    ).toBe(10_000);
    expect(timelineBucketMs([run(T, T + 2000 * 86_400_000)], noLease, T, 900)).toBe(3 * 86_400_000);
  });

  it('outcomes in words', () => {
    expect(runOutcome(run(T, T, 'a', 'pending'), false)).toBe('stopped: retries later');
    expect(runOutcome(run(T, null, 'a', null), true)).toBe('running');
    expect(runOutcome(run(T, null, 'a', null), false)).toMatch(/without a record/);
  });
});

describe('latency from a histogram', () => {
  const bounds = [1000, 5000, 10_000];
  it('bars per bound, the rest as one bar labelled with the maximum, trailing empties dropped', () => {
    expect(latencyOf({ counts: [0, 0, 0, 0], total: 0, maxMs: 0 }, bounds)).toBeNull();
    const s = latencyOf({ counts: [0, 8, 0, 2], total: 10, maxMs: 42_000 }, bounds)!;
    expect(s.histogram).toEqual([
      { upToMs: 1000, count: 0 },
      { upToMs: 5000, count: 8 },
      { upToMs: 10_000, count: 0 },
      { upToMs: 42_000, count: 2 },
    ]);
    expect(s).toMatchObject({ count: 10, p50Ms: 3500, maxMs: 42_000 });
    expect(s.p99Ms).toBeLessThanOrEqual(42_000);
    expect(latencyOf({ counts: [4, 0, 0, 0], total: 4, maxMs: 0 }, bounds)).toMatchObject({
      histogram: [{ upToMs: 1000, count: 4 }],
      p50Ms: 0,
      p99Ms: 0,
    });
  });
});

const fact = (o: Partial<ErrorFact>): ErrorFact => ({
  source: 'request',
  code: 131026,
  outcome: null,
  recipients: 1,
  requests: 1,
  title: null,
  examples: [],
  ...o,
});
const ex = (phone: string) => ({ phone, line: 2, detail: null });

describe('errors', () => {
  it('a code at send time and in receipts is one line; titles: a row, then the wire table, then the outcome', () => {
    const merged = mergeErrors(
      [
        fact({ code: 131026, recipients: 5, examples: [ex('+1'), ex('+2')] }),
        fact({ source: 'receipt', code: 131026, recipients: 2, title: 'Message undeliverable', examples: [ex('+2'), ex('+3')] }),
        fact({ code: 130429, recipients: 9, requests: 14 }),
        fact({ code: null, outcome: 'unknown', recipients: 1 }),
        fact({ code: 2500, recipients: 1, title: 'Error 2500 (unknown to wa-send): boom' }),
      ],
      (code) => (code === 130429 ? 'Throughput limit reached' : null),
      3,
    );
    expect(merged.map((e) => [e.code, e.count, e.title])).toEqual([
      [130429, 9, 'Throughput limit reached'],
      [131026, 7, 'Message undeliverable'],
      [2500, 1, 'Error 2500 (unknown to wa-send): boom'],
      [null, 1, 'No answer (may have been sent)'],
    ]);
    expect(merged[1]!.examples.map((x) => x.phone)).toEqual(['+1', '+2', '+3']);
    expect(merged[0]!.action).toMatch(/lower --rate/);
    expect(merged[3]!.action).toMatch(/--include-unknown/);
    expect(mergeErrors([fact({ code: 777 })], () => null, 0)[0]).toMatchObject({ title: 'Error 777', examples: [] });
  });
});

describe('shape', () => {
  it('countries: one sample per prefix group, merged per country', () => {
    const g = (prefix: string, sample: string, n: number) => ({
      prefix,
      sample,
      recipients: n,
      accepted: n,
      delivered: n,
      failed: 0,
    });
    expect(countriesOf([g('+1415', '+14152010001', 3), g('+1212', '+12122010001', 2), g('+1416', '+14162010002', 1)])).toEqual([
      { country: 'US', name: 'United States', recipients: 5, accepted: 5, delivered: 5, failed: 0 },
      { country: 'CA', name: 'Canada', recipients: 1, accepted: 1, delivered: 1, failed: 0 },
    ]);
    expect(countriesOf([g('+800123', '+80012345678', 1)])[0]).toMatchObject({ country: '??', name: 'Unknown country' });
  });

  it.each([
    ['+1 (415) 555-2671', '+1 415 ••• 2671'],
    ['0044 7400 123456', '+44 ••• 3456'],
    ['4152014567.0', '415•••7.0'], // the last 2 digits are 7 and 0,
    ['n/a', 'n/a'],
    ['12345', '12345'],
    ['', ''],
  ])('maskInput(%j) = %j', (input, masked) => {
    expect(maskInput(input)).toBe(masked);
  });

  it('masks numbers quoted in free text, and nothing else', () => {
    expect(maskNumbersIn('injected failure for recipient 14155552671 (seed "s")')).toBe(
      'injected failure for recipient +1 415 ••• 2671 (seed "s")',
    );
    expect(maskNumbersIn('Message Undeliverable. (#131026)')).toBe('Message Undeliverable. (#131026)');
  });

  it('the message and the sending number', () => {
    expect(
      messageOf({ message: { type: 'template', template: { name: 'promo', language: { code: 'es' } } }, columns: [] }),
    ).toEqual({
      kind: 'template',
      name: 'promo',
      language: 'es',
    });
    expect(messageOf({ message: { type: 'interactive' }, columns: [] })).toEqual({ kind: 'other', type: 'interactive' });
    expect(sendingNumberOf('sandbox')).toBe('sandbox');
    expect(sendingNumberOf({ api_url: META_API_URL, phone_number_id: '1065' })).toBe('phone number id 1065');
    expect(sendingNumberOf({ api_url: 'http://127.0.0.1:8089', phone_number_id: '1' })).toBe(
      'phone number id 1 (127.0.0.1:8089)',
    );
  });
});
