// A large journal for the report benchmark, written through the journal port (the same calls a run
// and the webhook receiver make), in virtual time so that a broadcast sent at 80 msg/s over hours
// takes a minute to produce: planned by the real planner from a CSV of seven countries; sent in two
// runs (the first interrupted, resumed two hours later) with seconds of 130429 throttling and 2 %
// 131026; then receipts: delivered (97 %), read (60 % of those), a few failed, log-normal latencies.
import { createWriteStream } from 'node:fs';
import { decide, RETRY_DEFAULTS } from '../dist/core/engine/retry-policy.js';
import { messageFromFlags } from '../dist/core/message-spec.js';
import { inlineNormalizer } from '../dist/core/normalizer.js';
import { planBroadcast } from '../dist/core/plan.js';
import { META_API_URL } from '../dist/core/types.js';
import { openCsv } from '../dist/csv/csv.js';

const OWNER = 'bench@report-scale#1';
const RATE = 80;
const AREAS = ['212', '213', '305', '312', '415', '512', '617', '646', '702', '206'];
const pad = (x, w) => String(x).padStart(w, '0');

/** mulberry32: the same journal on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct numbers: 40 % US, 15 % MX, 15 % BR, 10 % IN, 10 % GB, 5 % DE, 5 % ES. */
function phoneOf(i) {
  const r = i % 20;
  const k = Math.floor(i / 20);
  if (r < 8) return `+1${AREAS[k % 10]}${200 + (Math.floor(k / 10) % 700)}${pad(Math.floor(k / 7000) + 1000 * r, 4)}`;
  if (r < 11) return `+5255${pad(10_000_000 + k * 3 + (r - 8), 8)}`;
  if (r < 14) return `+55119${pad(60_000_000 + k * 3 + (r - 11), 8)}`;
  if (r < 16) return `+9198${pad(10_000_000 + k * 2 + (r - 14), 8)}`;
  if (r < 18) return `+447400${pad(k * 2 + (r - 16), 6)}`;
  if (r < 19) return `+49151${pad(20_000_000 + k, 8)}`;
  return `+346${pad(10_000_000 + k, 8)}`;
}

/** n recipients, plus about 1 % rows that are not numbers and 0.5 % duplicates. */
export async function writeCsv(path, n) {
  const out = createWriteStream(path);
  const write = (s) => (out.write(s) ? null : new Promise((r) => out.once('drain', r)));
  await write('name,phone\n');
  for (let i = 0; i < n; i++) {
    if (i % 100 === 50) await write(`Bad ${i},n/a-${i % 7}\n`);
    if (i % 200 === 7 && i > 10) await write(`Dup ${i},${phoneOf(i - 5)}\n`);
    await write(`Person ${i},${phoneOf(i)}\n`);
  }
  await new Promise((r) => out.end(r));
}

export async function planLarge(journal, csv, createdAt) {
  const plan = await planBroadcast(
    {
      source: await openCsv(csv),
      message: messageFromFlags({ template: 'promo_nov', lang: 'en_US' }),
      maxInvalidPct: 20,
      target: { api_url: META_API_URL, phone_number_id: '106540352242922' },
      name: 'November promo (scale test)',
      now: createdAt,
      dedupWindowMs: 0,
    },
    journal,
    inlineNormalizer(),
  );
  return plan.broadcastId;
}

const throttle = {
  kind: 'error',
  httpStatus: 400,
  errorClass: 'throttle',
  code: 130429,
  title: 'Throughput limit reached',
  detail: 'Rate limit hit',
  retryAfterMs: null,
  fbtraceId: null,
};
const undeliverable = {
  ...throttle,
  errorClass: 'permanent',
  code: 131026,
  title: 'Message undeliverable',
  detail: 'Message Undeliverable.',
};

/**
 * One run at --rate 80 in virtual time from `now`: each second claims up to the gate's pace, a
 * second with throttling (3 %) answers 130429 to 30 % of its requests and slows the gate ×0.7, which
 * recovers by 10 % of the rate per second. Stops claiming after `stopAfter` claims (an interrupt).
 * Returns the virtual time it ended; fills `accepted` with [wamid, answered at].
 */
export async function sendRun(journal, id, { mode, now, stopAfter, rand, accepted }) {
  await journal.runs.acquireLease(id, OWNER, 30_000, now, () => true);
  await journal.runs.prepareRun(id, OWNER, now);
  const runId = await journal.runs.logRunStart({
    broadcastId: id,
    mode,
    owner: OWNER,
    rate: RATE,
    concurrency: 32,
    startedAt: now,
  });
  let pace = RATE;
  let records = [];
  let claimedSoFar = 0;
  for (;;) {
    const stop = stopAfter !== undefined && claimedSoFar >= stopAfter;
    const x = await journal.runs.exchange({
      ...{
        broadcastId: id,
        sender: '106540352242922',
        owner: OWNER,
        leaseTtlMs: 30_000,
        now,
        records,
        release: [],
        requeue: [],
        halt: null,
      },
      claim: stop ? 0 : Math.max(1, Math.round(pace)),
      dedupSince: null,
    });
    records = [];
    if (x.claimed.length === 0) {
      if (stop || x.nextRetryAt === null) break;
      now = Math.max(now + 1000, x.nextRetryAt);
      continue;
    }
    claimedSoFar += x.claimed.length;
    const burst = rand() < 0.03;
    x.claimed.forEach((r, i) => {
      const start = now + Math.floor((i / x.claimed.length) * 1000);
      const done = start + 80 + Math.floor(rand() * 120);
      const digits = r.id;
      const outcome =
        burst && rand() < 0.3
          ? throttle
          : digits % 50 === 7
            ? undeliverable
            : { kind: 'accepted', httpStatus: 200, wamid: `wamid.${r.id}`, messageStatus: 'accepted' };
      if (outcome.kind === 'accepted') accepted.push([outcome.wamid, done]);
      const decision = decide(outcome, r.attempts, r.pairRateHits, { maxAttempts: 3, ...RETRY_DEFAULTS }, done, rand);
      records.push({ recipient: r, startedAt: start, finishedAt: done, outcome, decision });
    });
    pace = burst ? Math.max(1, pace * 0.7) : Math.min(RATE, pace + RATE * 0.1);
    now += 1000;
  }
  await journal.runs.logRunEnd(
    runId,
    stopAfter === undefined ? 'done' : 'interrupted',
    stopAfter === undefined ? null : 'SIGINT',
    now,
  );
  await journal.runs.releaseLease(id, OWNER);
  return now;
}

/** Meta's receipts for the accepted messages, stored and applied by the journal's own event code. */
export async function deliverReceipts(journal, accepted, rand, receivedAt) {
  const lognormal = (median, spread) =>
    median * Math.exp(spread * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
  const status = (wamid, s, t, error = null) => ({
    dedupKey: `${wamid}:${s}`,
    event: {
      kind: 'status',
      wamid,
      status: s,
      timestampMs: Math.floor(t / 1000) * 1000,
      recipientPhones: [],
      callbackData: null,
      error,
    },
    raw: JSON.stringify({ id: wamid, status: s }),
  });
  const failed = { code: 131026, title: 'Message undeliverable', detail: 'Message Undeliverable.', errorClass: 'permanent' };
  let batch = [];
  const flush = async () => {
    await journal.events.insert(batch, receivedAt);
    batch = [];
  };
  for (const [i, [wamid, at]] of accepted.entries()) {
    const p = rand();
    if (p < 0.003) batch.push(status(wamid, 'failed', at + lognormal(5000, 0.5), failed));
    else if (p < 0.973) {
      const delivered = at + lognormal(2500, 1.0);
      batch.push(status(wamid, 'delivered', delivered));
      if (rand() < 0.6) batch.push(status(wamid, 'read', delivered + lognormal(600_000, 1.6)));
    }
    if (batch.length >= 1000) await flush();
    if (i % 100_000 === 99_999) await journal.events.applyPending(receivedAt);
  }
  await flush();
  await journal.events.applyPending(receivedAt);
}

export { rng };
