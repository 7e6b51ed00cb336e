// Report data as the data layer would compute it for four realistic broadcasts (finished, partial,
// halted, empty), a month of journal, and a synthetic 1,000,000-recipient broadcast. Generated
// from a seeded PRNG so every run renders the same figures the tests look for.
import {
  type BroadcastReportData,
  countryName,
  errorAction,
  type JournalReportData,
  latencyStats,
  maskPhone,
} from '../../src/core/report-data.js';

type Timeline = BroadcastReportData['timeline'];
type Point = Timeline['points'][number];

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal durations around a median (ms): receipts are mostly quick with a long tail. */
function durations(n: number, medianMs: number, spread: number, rand: () => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    out.push(Math.round(medianMs * Math.exp(spread * z)));
  }
  return out;
}

export interface Simulated {
  points: Point[];
  accepted: number;
  failed: number;
  throttled: number;
  endT: number;
}

/**
 * One run of the engine at --rate: each second starts up to `rate` requests; a second with
 * throttling (share `throttle` of the requests overall) makes the gate slow down ×0.7, then it
 * recovers by 10 % of the rate per second, as the README describes. `fail` of the requests that
 * are not throttled fail permanently (131026).
 */
export function simulateRun(o: {
  start: number;
  recipients: number;
  rate: number;
  throttle: number;
  fail: number;
  seed: number;
}): Simulated {
  const rand = rng(o.seed);
  const points: Point[] = [];
  let left = o.recipients;
  let pace = o.rate;
  let accepted = 0;
  let failed = 0;
  let throttled = 0;
  let t = o.start;
  while (left > 0) {
    const started = Math.min(left, Math.round(pace));
    const burst = rand() < o.throttle * 4 ? Math.round(started * (0.15 + rand() * 0.2)) : 0;
    const errors = Math.round((started - burst) * o.fail * (0.5 + rand()));
    const ok = Math.max(0, started - burst - errors);
    points.push({ t, started, accepted: ok, throttled: burst, errors });
    accepted += ok;
    failed += errors;
    throttled += burst;
    left -= ok + errors;
    pace = burst > 0 ? Math.max(1, pace * 0.7) : Math.min(o.rate, pace + o.rate * 0.1);
    t += 1;
  }
  return { points, accepted, failed, throttled, endT: t };
}

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0) / 1000;
const iso = (t: number) => new Date(t * 1000).toISOString();
const PHONES = ['+14155552671', '+525512345678', '+5511987654321', '+447400123456', '+919876543210', '+4915123456789'];

function countries(recipients: number, accepted: number, delivered: number, failed: number): BroadcastReportData['countries'] {
  const shares: [string, number][] = [
    ['US', 0.46],
    ['MX', 0.22],
    ['BR', 0.17],
    ['GB', 0.08],
    ['IN', 0.05],
    ['??', 0.02],
  ];
  return shares.map(([country, s]) => ({
    country,
    name: countryName(country),
    recipients: Math.round(recipients * s),
    accepted: Math.round(accepted * s),
    delivered: Math.round(delivered * s),
    failed: Math.round(failed * s),
  }));
}

function base(id: string, over: Partial<BroadcastReportData['broadcast']>): BroadcastReportData['broadcast'] {
  return {
    id,
    name: null,
    state: 'completed',
    reason: null,
    message: { kind: 'template', name: 'promo_nov', language: 'en_US' },
    sendingNumber: 'phone number id 106540352242922',
    createdAt: iso(T0 - 60),
    firstSendAt: null,
    lastSendAt: null,
    durationS: null,
    continueCommand: null,
    sourceFile: 'customers.csv',
    ...over,
  };
}

function examples(code: number, n: number): { phone: string; line: number; detail: string | null }[] {
  return PHONES.slice(0, n).map((p, i) => ({
    phone: maskPhone(p),
    line: 17 + i * 211,
    detail: code === 131026 ? 'Message Undeliverable.' : null,
  }));
}

/** A clean run: 8,000 recipients at 80/s, all accepted, receipts in. */
export function finishedReport(): BroadcastReportData {
  const rand = rng(1);
  const run = simulateRun({ start: T0, recipients: 8000, rate: 80, throttle: 0, fail: 0, seed: 11 });
  const delivered = 7852;
  const read = 5403;
  return {
    generatedAt: iso(T0 + 86_400),
    broadcast: base('bf1n15hd', {
      name: 'November promo',
      firstSendAt: iso(T0),
      lastSendAt: iso(run.endT),
      durationS: run.endT - T0,
    }),
    funnel: {
      rowsRead: 8214,
      recipients: 8000,
      accepted: run.accepted,
      delivered,
      read,
      failed: 0,
      skipped: 0,
      unknown: 0,
      open: 0,
      rejections: { invalid_number: 150, duplicate: 60, missing_phone: 0, opted_out: 4 },
    },
    timeline: {
      bucketS: 1,
      points: run.points,
      rate: 80,
      runs: [{ startedAt: T0, endedAt: run.endT, mode: 'broadcast', rate: 80, outcome: 'completed', reason: null }],
      halts: [],
    },
    latency: {
      acceptedToDelivered: latencyStats(durations(delivered, 2500, 0.9, rand)),
      deliveredToRead: latencyStats(durations(read, 600_000, 1.6, rand)),
    },
    errors: [],
    rejections: [
      {
        reason: 'invalid_number',
        count: 150,
        examples: [
          {
            line: 12,
            input: '555-0100',
            detail: 'no valid country code (add + and the country code, or pass --default-country)',
          },
          { line: 98, input: '+44 20', detail: 'too short' },
        ],
      },
      { reason: 'duplicate', count: 60, examples: [{ line: 431, input: '+1 (415) 555-2671', detail: 'duplicate of line 2' }] },
      { reason: 'opted_out', count: 4, examples: [{ line: 77, input: '+52 55 1234 5678', detail: null }] },
    ],
    countries: countries(8000, run.accepted, delivered, 0),
  };
}

/** The brief's example: 20,000 recipients, 2 % 131026, 5 % throttled, interrupted and resumed 2 h later. */
export function partialReport(): BroadcastReportData {
  const rand = rng(2);
  const run1 = simulateRun({ start: T0, recipients: 9000, rate: 80, throttle: 0.05, fail: 0.02, seed: 21 });
  const resumeAt = run1.endT + 2 * 3600 + 600;
  const run2 = simulateRun({ start: resumeAt, recipients: 11_000, rate: 80, throttle: 0.05, fail: 0.02, seed: 22 });
  const accepted = run1.accepted + run2.accepted;
  const failed = run1.failed + run2.failed;
  const delivered = Math.round(accepted * 0.97);
  const read = Math.round(accepted * 0.61);
  return {
    generatedAt: iso(run2.endT + 3600),
    broadcast: base('bp4rt1a1', {
      name: 'Order updates',
      state: 'partial',
      firstSendAt: iso(T0),
      lastSendAt: iso(run2.endT),
      durationS: run1.endT - T0 + run2.endT - resumeAt,
    }),
    funnel: {
      rowsRead: 20_412,
      recipients: 20_000,
      accepted,
      delivered,
      read,
      failed,
      skipped: 0,
      unknown: 0,
      open: 0,
      rejections: { invalid_number: 281, duplicate: 120, missing_value: 11 },
    },
    timeline: {
      bucketS: 1,
      points: [...run1.points, ...run2.points],
      rate: 80,
      halts: [],
      runs: [
        { startedAt: T0, endedAt: run1.endT, mode: 'broadcast', rate: 80, outcome: 'interrupted', reason: 'SIGINT' },
        { startedAt: resumeAt, endedAt: run2.endT, mode: 'resume', rate: 80, outcome: 'partial', reason: null },
      ],
    },
    latency: {
      acceptedToDelivered: latencyStats(durations(delivered, 3000, 1.1, rand)),
      deliveredToRead: latencyStats(durations(read, 900_000, 1.5, rand)),
    },
    errors: [
      { code: 131026, title: 'Message undeliverable', action: errorAction(131026), count: failed, examples: examples(131026, 3) },
    ],
    rejections: [
      {
        reason: 'invalid_number',
        count: 281,
        examples: [
          { line: 40, input: '4152014567.0', detail: 'written as a decimal number by a spreadsheet (export the column as text)' },
        ],
      },
      { reason: 'duplicate', count: 120, examples: [{ line: 1204, input: '+1 415 555 2671', detail: 'duplicate of line 3' }] },
      {
        reason: 'missing_value',
        count: 11,
        examples: [{ line: 88, input: '+525512345678', detail: 'column order_id is empty' }],
      },
    ],
    countries: countries(20_000, accepted, delivered, failed),
  };
}

export const HALT_REASON =
  'error 190 Access token expired: Error validating access token: Session has expired on Monday, 23-Nov-26 01:04:40 PST.';

/** A run stopped by an expired token after 3,200 of 12,000 were accepted; no read receipts yet. */
export function haltedReport(): BroadcastReportData {
  const rand = rng(3);
  const run = simulateRun({ start: T0, recipients: 3200, rate: 80, throttle: 0, fail: 0, seed: 31 });
  const delivered = 3010;
  return {
    generatedAt: iso(run.endT + 600),
    broadcast: base('bh4lt3dx', {
      name: 'Renewal reminder',
      state: 'halted',
      reason: HALT_REASON,
      firstSendAt: iso(T0),
      lastSendAt: iso(run.endT),
      durationS: run.endT - T0,
      continueCommand: 'wa-send resume bh4lt3dx',
    }),
    funnel: {
      rowsRead: 12_030,
      recipients: 12_000,
      accepted: run.accepted,
      delivered,
      read: 0,
      failed: 0,
      skipped: 0,
      unknown: 0,
      open: 12_000 - run.accepted,
      rejections: { invalid_number: 30 },
    },
    timeline: {
      bucketS: 1,
      points: run.points,
      rate: 80,
      halts: [{ at: run.endT, reason: HALT_REASON }],
      runs: [{ startedAt: T0, endedAt: run.endT, mode: 'broadcast', rate: 80, outcome: 'halted', reason: HALT_REASON }],
    },
    latency: { acceptedToDelivered: latencyStats(durations(delivered, 2000, 0.8, rand)), deliveredToRead: null },
    errors: [{ code: 190, title: 'Access token expired', action: errorAction(190), count: 24, examples: examples(190, 2) }],
    rejections: [{ reason: 'invalid_number', count: 30, examples: [{ line: 5, input: 'n/a', detail: 'not a phone number' }] }],
    countries: countries(12_000, run.accepted, delivered, 0),
  };
}

export const HOSTILE_NAME = `<script>alert(1)</script> "Q4" & 'promo' \u202Eevil`;

/** Nothing to send: no rows, no runs, no receipts; the name tries to be markup. */
export function emptyReport(): BroadcastReportData {
  return {
    generatedAt: iso(T0),
    broadcast: base('be0mp7yy', {
      name: HOSTILE_NAME,
      state: 'completed',
      message: { kind: 'other', type: 'interactive' },
      sendingNumber: 'sandbox',
      sourceFile: null,
    }),
    funnel: {
      rowsRead: 0,
      recipients: 0,
      accepted: 0,
      delivered: 0,
      read: 0,
      failed: 0,
      skipped: 0,
      unknown: 0,
      open: 0,
      rejections: {},
    },
    timeline: { bucketS: 1, points: [], rate: null, runs: [], halts: [] },
    latency: { acceptedToDelivered: null, deliveredToRead: null },
    errors: [],
    rejections: [],
    countries: [],
  };
}

const NUMBERS = ['phone number id 106540352242922', 'phone number id 204881736650117', 'sandbox'];
const STATES = [
  'completed',
  'completed',
  'partial',
  'completed',
  'halted',
  'completed',
  'paused',
  'failed',
  'cancelled',
] as const;

/** A month of broadcasts from three sending numbers. */
export function journalReport(): JournalReportData {
  const rand = rng(4);
  const start = T0 - 29 * 86_400;
  const broadcasts: JournalReportData['broadcasts'] = [];
  const perDay: JournalReportData['perDay'] = [];
  const rates: JournalReportData['ratesOverTime'] = [];
  for (let d = 0; d < 30; d++) {
    const day = iso(start + d * 86_400).slice(0, 10);
    let dayAccepted = 0;
    let dayDelivered = 0;
    let dayRead = 0;
    for (const [n, number] of NUMBERS.entries()) {
      if (d % (n + 2) !== 0) continue;
      const recipients = Math.round(2000 + rand() * 18_000);
      const state = STATES[(d + n) % STATES.length]!;
      const accepted = state === 'failed' ? 0 : Math.round(recipients * (state === 'completed' ? 1 : 0.6 + rand() * 0.3));
      const failed = state === 'completed' ? 0 : Math.round((recipients - accepted) * 0.4);
      const delivered = Math.round(accepted * (0.93 + rand() * 0.05));
      const read = Math.round(delivered * (0.55 + rand() * 0.2));
      broadcasts.push({
        id: `b${d.toString(36)}${n}j0rn`,
        name: d % 5 === 0 ? null : `Campaign ${day} #${n + 1}`,
        state,
        createdAt: iso(start + d * 86_400 + 9 * 3600 + n * 60),
        sendingNumber: number,
        recipients,
        accepted,
        delivered,
        read,
        failed,
      });
      perDay.push({ day, sendingNumber: number, accepted, failed });
      dayAccepted += accepted;
      dayDelivered += delivered;
      dayRead += read;
    }
    rates.push({ day, accepted: dayAccepted, delivered: dayDelivered, read: dayRead });
  }
  return {
    generatedAt: iso(T0 + 3600),
    since: iso(start),
    broadcasts,
    perDay,
    ratesOverTime: rates,
    topErrors: [131026, 130429, 131049, 190, 131050].map((code, i) => ({
      code,
      title: `Error ${code}`,
      action: errorAction(code),
      count: 4200 >> i,
    })),
  };
}

/**
 * The largest report the tool should ever produce: 1,000,000 recipients, 12,500 one-second
 * buckets over four runs, 60 error codes, every rejection reason, 200 countries, and long text
 * everywhere it can be long.
 */
export function millionReport(): BroadcastReportData {
  const rand = rng(5);
  const points: Point[] = [];
  const runs: Timeline['runs'] = [];
  let t = T0;
  let accepted = 0;
  let failed = 0;
  for (let r = 0; r < 4; r++) {
    const run = simulateRun({ start: t, recipients: 250_000, rate: 80, throttle: 0.05, fail: 0.02, seed: 50 + r });
    points.push(...run.points);
    runs.push({
      startedAt: t,
      endedAt: run.endT,
      mode: r === 0 ? 'broadcast' : 'resume',
      rate: 80,
      outcome: r === 3 ? 'partial' : 'interrupted',
      reason: 'x'.repeat(5000),
    });
    accepted += run.accepted;
    failed += run.failed;
    t = run.endT + 3600 * (r + 1);
  }
  const long = 'é<"&>'.repeat(2000);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return {
    generatedAt: iso(t),
    broadcast: base('b1m1ll10', {
      name: long,
      state: 'partial',
      reason: long,
      firstSendAt: iso(T0),
      lastSendAt: iso(t),
      durationS: t - T0,
      sourceFile: long,
    }),
    funnel: {
      rowsRead: 1_040_000,
      recipients: 1_000_000,
      accepted,
      delivered: Math.round(accepted * 0.97),
      read: Math.round(accepted * 0.6),
      failed,
      skipped: 0,
      unknown: 0,
      open: 0,
      rejections: {
        invalid_number: 30_000,
        duplicate: 9000,
        missing_phone: 500,
        missing_value: 300,
        value_too_long: 100,
        malformed_row: 50,
        opted_out: 50,
      },
    },
    timeline: { bucketS: 1, points, rate: 80, runs, halts: [] },
    latency: {
      acceptedToDelivered: latencyStats(durations(200_000, 3000, 1.2, rand)),
      deliveredToRead: latencyStats(durations(200_000, 900_000, 1.6, rand)),
    },
    errors: Array.from({ length: 60 }, (_, i) => ({
      code: 131000 + i,
      title: long,
      action: long,
      count: 1000 - i,
      examples: Array.from({ length: 5 }, (_, k) => ({ phone: long, line: 1_000_000 - k, detail: long })),
    })),
    rejections: [
      'invalid_number',
      'duplicate',
      'missing_phone',
      'missing_value',
      'value_too_long',
      'malformed_row',
      'opted_out',
      'already_sent',
      'no_optin',
    ].map((reason, i) => ({
      reason,
      count: 1000 * (i + 1),
      examples: Array.from({ length: 5 }, (_, k) => ({ line: k + 2, input: long, detail: long })),
    })),
    countries: Array.from({ length: 200 }, (_, i) => ({
      country: `${letters[i % 26]}${letters[Math.floor(i / 26)]}`,
      name: long,
      recipients: 5000,
      accepted: 4900,
      delivered: 4700,
      failed: 100,
    })),
  };
}
