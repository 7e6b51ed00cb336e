// The send engine against the in-memory journal port, on virtual time: every rule of DESIGN §3 and
// §5 (claim before send, group commit, halts, retries, drain, the one error path), deterministic
// and independent of the machine's speed.
import { describe, expect, it } from 'vitest';
import { limitBudget } from '../../src/core/engine/budget.js';
import { Engine, type EngineOptions, STORE_RETRY_MS } from '../../src/core/engine/engine.js';
import { JournalError } from '../../src/core/journal.js';
import type { Sender, SendOutcome } from '../../src/core/sender.js';
import { phones } from '../helpers/journal.js';
import { MemoryRunStore } from '../helpers/memory-run-store.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

type Script = (to: string, call: number) => SendOutcome | 'hang';

interface Fake {
  sender: Sender;
  calls: string[];
  /** Virtual times at which requests were written. */
  starts: number[];
  maxInFlight: () => number;
}

/** A scripted Sender that answers after `latency` virtual ms and checks each row is durably `sending` first. */
function fakeSender(store: MemoryRunStore, clock: VirtualClock, script: Script, latency = 10): Fake {
  const calls: string[] = [];
  const starts: number[] = [];
  let inFlight = 0;
  let max = 0;
  const sender: Sender = {
    async send(body, onWritten) {
      const to = body.to as string;
      const row = [...store.rows.values()].find((r) => r.phone === to)!;
      if (row.state !== 'sending') throw new Error(`sent a row in state ${row.state}`);
      onWritten?.();
      starts.push(clock.now());
      const answer = script(to, calls.push(to));
      inFlight++;
      max = Math.max(max, inFlight);
      if (answer === 'hang') {
        await clock.sleep(30_000); // the response timeout
        inFlight--;
        return { kind: 'unknown', detail: 'headers timeout after the request was written' };
      }
      await clock.sleep(latency);
      inFlight--;
      return answer;
    },
    async close() {},
  };
  return { sender, calls, starts, maxInFlight: () => max };
}

const accepted = (to: string): SendOutcome => ({
  kind: 'accepted',
  httpStatus: 200,
  wamid: `wamid.${to}`,
  messageStatus: 'accepted',
});
const apiError = (
  code: number | null,
  errorClass: Extract<SendOutcome, { kind: 'error' }>['errorClass'],
  httpStatus = 400,
): SendOutcome => ({
  kind: 'error',
  httpStatus,
  errorClass,
  code,
  title: `t${code}`,
  detail: 'd',
  retryAfterMs: null,
  fbtraceId: null,
});

function setup(n: number) {
  const clock = new VirtualClock();
  const store = new MemoryRunStore('b-test', phones(n));
  return { clock, store };
}

function engineFor(
  store: MemoryRunStore,
  clock: VirtualClock,
  sender: Sender,
  opts: Partial<EngineOptions> = {},
  extra: Partial<ConstructorParameters<typeof Engine>[1]> = {},
) {
  return new Engine(
    {
      broadcastId: 'b-test',
      sender: 'sandbox',
      owner: 'test-owner',
      leaseTtlMs: 30_000,
      rate: 1000,
      concurrency: 4,
      maxAttempts: 3,
      maxWaitMs: 5000,
      retryBaseMs: 5,
      retryCapMs: 20,
      ...opts,
    },
    { store, sender, clock, random: () => 0.5, buildBody: (r) => ({ to: r.phone }), ...extra },
  );
}

/** True the first time a recipient is seen. */
function firstTimeFails(seen: Set<string>, to: string): boolean {
  if (seen.has(to)) return false;
  seen.add(to);
  return true;
}

/** Most starts in any window of `ms` (inclusive of both ends). */
function maxInWindow(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('Engine', () => {
  it('sends every recipient once, each durably claimed first, never more than --concurrency in flight', async () => {
    const { clock, store } = setup(40);
    const fake = fakeSender(store, clock, (to) => accepted(to));
    const result = await clock.run(engineFor(store, clock, fake.sender).run());
    expect(result).toMatchObject({ stop: 'done', accepted: 40, started: 40, unrecorded: 0 });
    expect(store.states()).toEqual({ sent: 40 });
    expect(new Set(fake.calls).size).toBe(40);
    expect(fake.calls).toHaveLength(40);
    expect(fake.maxInFlight()).toBeLessThanOrEqual(4);
  });

  it('starts with a few requests and opens up as answers come back (slow start)', async () => {
    const { clock, store } = setup(200);
    const fake = fakeSender(store, clock, (to) => accepted(to), 100);
    await clock.run(engineFor(store, clock, fake.sender, { concurrency: 50 }).run());
    const firstRoundTrip = fake.starts.filter((t) => t < fake.starts[0]! + 100).length;
    expect(firstRoundTrip).toBeLessThanOrEqual(4);
    expect(fake.maxInFlight()).toBeGreaterThan(20); // it did reach a wide window later
    expect(store.states()).toEqual({ sent: 200 });
  });

  it('a hung API leaves only the first few requests unknown, and the run stops with the rest pending', async () => {
    const { clock, store } = setup(300);
    const fake = fakeSender(store, clock, () => 'hang');
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 200 }).run());
    expect(result.stop).toBe('pending');
    expect(result.reason).toMatch(/stopped answering/);
    expect(store.count('unknown')).toBeLessThanOrEqual(4);
    expect(store.count('pending')).toBe(300 - store.count('unknown'));
  });

  it('retries transient errors and throttling; throttling spends no attempt', async () => {
    const { clock, store } = setup(10);
    const seen = new Set<string>();
    const fake = fakeSender(store, clock, (to) => {
      if (seen.has(to)) return accepted(to);
      seen.add(to);
      return to.endsWith('1') ? apiError(130429, 'throttle', 429) : apiError(131000, 'retryable', 500);
    });
    const result = await clock.run(engineFor(store, clock, fake.sender).run());
    expect(result.stop).toBe('done');
    expect(store.states()).toEqual({ sent: 10 });
    expect(store.attempts).toHaveLength(20);
    expect([...store.rows.values()].find((r) => r.phone.endsWith('1'))!.attempts).toBe(1);
    expect(new Set([...store.rows.values()].filter((r) => !r.phone.endsWith('1')).map((r) => r.attempts))).toEqual(new Set([2]));
  });

  it('gives up (pending) once the API has answered only throttling for --max-wait, slowing down meanwhile', async () => {
    const { clock, store } = setup(30);
    const fake = fakeSender(store, clock, () => apiError(130429, 'throttle', 429));
    const t0 = clock.now();
    const result = await clock.run(engineFor(store, clock, fake.sender, { rate: 200, maxWaitMs: 2500 }).run());
    expect(result.stop).toBe('pending');
    expect(result.reason).toMatch(/only throttling errors \(error 130429 t130429\).*--max-wait/);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(2500);
    expect(fake.calls.length).toBeLessThan(400); // ×0.7 a second from 200/s: far below 200/s × 2.5 s
    expect(store.count('sending')).toBe(0);
    expect(Math.max(...[...store.rows.values()].map((r) => r.attempts))).toBe(0);
  });

  it('halts on a run-wide error: no claims after it, the rest stays pending with the reason stored', async () => {
    const { clock, store } = setup(50);
    const fake = fakeSender(store, clock, (to, call) => (call >= 10 ? apiError(190, 'halt', 401) : accepted(to)));
    const result = await clock.run(engineFor(store, clock, fake.sender).run());
    expect(result.stop).toBe('halted');
    expect(fake.calls.length).toBeLessThanOrEqual(10 + 4);
    expect(store.count('sent')).toBe(9);
    expect(store.count('pending')).toBe(41);
    expect(store.status).toBe('halted');
    expect(store.haltReason).toMatch(/190/);
  });

  it('a payload halt sends back every row of the run that got that error, including answers still in flight', async () => {
    const { clock, store } = setup(40);
    const fake = fakeSender(store, clock, () => apiError(132000, 'payload'));
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 8 }).run());
    expect(result.stop).toBe('halted');
    expect(result.reason).toMatch(/first 5 requests all failed with error 132000/);
    expect(store.states()).toEqual({ pending: 40 });
    expect(fake.calls.length).toBeGreaterThan(5); // answers in flight at the halt came back too
  });

  it('answers that are not Cloud API errors (a proxy) halt after a few, with every such row back to pending', async () => {
    const { clock, store } = setup(200);
    const fake = fakeSender(store, clock, () => apiError(null, 'unexpected', 407));
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 32 }).run());
    expect(result.stop).toBe('halted');
    expect(result.reason).toMatch(/3 requests got the same answer that is not a Cloud API error/);
    expect(fake.calls.length).toBeLessThanOrEqual(8);
    expect(store.states()).toEqual({ pending: 200 });
  });

  it('fails permanently failing recipients and keeps going', async () => {
    const { clock, store } = setup(10);
    const fake = fakeSender(store, clock, (to) => (to.endsWith('3') ? apiError(131026, 'permanent') : accepted(to)));
    await clock.run(engineFor(store, clock, fake.sender).run());
    expect(store.states()).toEqual({ sent: 9, failed: 1 });
  });

  it('skips a recipient who opted out while the broadcast was running; 131050 records an opt-out', async () => {
    const { clock, store } = setup(20);
    const all = phones(20);
    const fake = fakeSender(store, clock, (to, call) => {
      if (call === 1) store.optouts.add(all[19]!);
      return to === all[3] ? apiError(131050, 'opted_out') : accepted(to);
    });
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 1 }).run());
    expect(fake.calls).not.toContain(all[19]);
    expect(store.rows.get(20)!.state).toBe('skipped');
    expect(store.rows.get(4)!.state).toBe('skipped');
    expect(store.optouts.has(all[3]!)).toBe(true);
    expect(result.skipped).toBe(1);
  });

  it('stops with work left (pending) when the next retry is due after --max-wait', async () => {
    const { clock, store } = setup(3);
    const fake = fakeSender(store, clock, () => apiError(131000, 'retryable', 500));
    const result = await clock.run(
      engineFor(store, clock, fake.sender, { maxWaitMs: 0, retryBaseMs: 60_000, retryCapMs: 60_000 }).run(),
    );
    expect(result.stop).toBe('pending');
    expect(result.reason).toMatch(/next retry due/);
    expect(store.states()).toEqual({ retry: 3 });
  });

  it('waits for retries within --max-wait and finishes', async () => {
    const { clock, store } = setup(3);
    const seen = new Set<string>();
    const fake = fakeSender(store, clock, (to) => (firstTimeFails(seen, to) ? apiError(131000, 'retryable', 500) : accepted(to)));
    const result = await clock.run(
      engineFor(store, clock, fake.sender, { maxWaitMs: 120_000, retryBaseMs: 30_000, retryCapMs: 30_000 }).run(),
    );
    expect(result.stop).toBe('done');
    expect(store.states()).toEqual({ sent: 3 });
  });

  it('--limit counts messages written to the API, over every run that shares the budget', async () => {
    const { clock, store } = setup(10);
    const budget = limitBudget(4);
    let refused = 2;
    const fake = fakeSender(store, clock, (to) => accepted(to));
    const sender: Sender = {
      // the first two requests never leave: they must not count
      send: (body, onWritten) =>
        refused-- > 0 ? Promise.resolve({ kind: 'unreachable', detail: 'ECONNREFUSED' }) : fake.sender.send(body, onWritten),
      close: async () => {},
    };
    const result = await clock.run(engineFor(store, clock, sender, {}, { budget }).run());
    expect(result.stop).toBe('limit');
    expect(store.count('sent')).toBe(4);
    expect(budget.remaining()).toBe(0);
  });

  it('marks unknown outcomes unknown and never re-sends them', async () => {
    const { clock, store } = setup(5);
    const all = phones(5);
    const fake = fakeSender(store, clock, (to) => (to === all[0] ? { kind: 'unknown', detail: 'timeout' } : accepted(to)));
    await clock.run(engineFor(store, clock, fake.sender).run());
    expect(store.states()).toEqual({ sent: 4, unknown: 1 });
    expect(fake.calls).toHaveLength(5);
  });

  it('an abort (first Ctrl-C) stops claiming, drains, and records every answer', async () => {
    const { clock, store } = setup(100);
    const controller = new AbortController();
    const fake = fakeSender(store, clock, (to, call) => {
      if (call === 20) controller.abort();
      return accepted(to);
    });
    const result = await clock.run(engineFor(store, clock, fake.sender, {}, { signal: controller.signal }).run());
    expect(result.stop).toBe('interrupted');
    expect(store.count('sending')).toBe(0);
    expect(store.count('sent')).toBe(fake.calls.length);
    expect(store.count('pending')).toBe(100 - fake.calls.length);
  });

  it('a journal locked for 10 s mid-run: answers kept in memory, nothing lost, every recipient sent once', async () => {
    const { clock, store } = setup(300);
    let lockedFrom = 0;
    store.failWith = (x) => {
      if (lockedFrom === 0 && x.records.length > 0 && store.count('sent') > 100) lockedFrom = x.now;
      return lockedFrom > 0 && x.now - lockedFrom < 10_000
        ? new JournalError('busy', 'the journal is locked by another process')
        : null;
    };
    const fake = fakeSender(store, clock, (to) => accepted(to));
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 16 }).run());
    expect(lockedFrom).toBeGreaterThan(0);
    expect(result).toMatchObject({ stop: 'done', unrecorded: 0, journalError: expect.any(JournalError) });
    expect(store.states()).toEqual({ sent: 300 });
    expect(fake.calls).toHaveLength(300);
  });

  it(`a journal locked longer than STORE_RETRY_MS (${STORE_RETRY_MS / 1000} s): the run stops, drains, and at most --concurrency answers are lost`, async () => {
    const { clock, store } = setup(300);
    let locked = false;
    store.failWith = (x) => {
      if (!locked && store.count('sent') > 50 && x.records.length > 0) locked = true;
      return locked ? new JournalError('busy', 'the journal is locked by another process') : null;
    };
    const fake = fakeSender(store, clock, (to) => accepted(to));
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 8 }).run());
    expect(result.stop).toBe('journal');
    expect(result.journalError?.fault).toBe('busy');
    expect(result.journalTroubleMs).toBeGreaterThanOrEqual(STORE_RETRY_MS);
    expect(result.unrecorded).toBeGreaterThan(0);
    expect(result.unrecorded).toBeLessThanOrEqual(8);
    expect(store.count('sending')).toBe(result.unrecorded); // what a resume will mark unknown
    expect(fake.calls.length).toBe(store.count('sent') + result.unrecorded);
  });

  it('a full disk stops the run at once (no more claims), and the answers in flight are written when the disk takes them', async () => {
    const { clock, store } = setup(100);
    let full = 0;
    store.failWith = (x) => {
      if (full === 0 && store.count('sent') >= 20 && x.records.length > 0) full = 1;
      return full > 0 && full++ <= 1 ? new JournalError('full', 'the disk holding the journal is full') : null;
    };
    const fake = fakeSender(store, clock, (to) => accepted(to));
    const result = await clock.run(engineFor(store, clock, fake.sender).run());
    expect(result.stop).toBe('journal');
    expect(result.journalError?.fault).toBe('full');
    expect(result.unrecorded).toBe(0);
    expect(store.count('sending')).toBe(0);
    expect(store.count('sent')).toBe(fake.calls.length);
    expect(store.count('pending')).toBe(100 - fake.calls.length);
  });

  it('stops at once when the lease was taken over, gives back the rows it claimed but never sent', async () => {
    const { clock, store } = setup(200);
    const fake = fakeSender(store, clock, (to, call) => {
      if (call === 30) store.lease = { owner: 'someone-else', expiresAt: Infinity };
      return accepted(to);
    });
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 8 }).run());
    expect(result.stop).toBe('lease_lost');
    expect(fake.calls.length).toBeLessThanOrEqual(30 + 8);
    expect(store.count('sending')).toBe(0);
    expect(store.count('sent')).toBe(fake.calls.length); // late answers are still recorded
  });

  it('after a stall longer than the lease, sends none of the rows it had claimed: another box may have taken them over', async () => {
    const { clock, store } = setup(100);
    const fake = fakeSender(store, clock, (to) => accepted(to));
    const exchange = store.exchange.bind(store);
    let stalled: number[] = [];
    store.exchange = async (x) => {
      const res = await exchange(x);
      if (stalled.length === 0 && res.claimed.length > 0 && store.exchanges > 2) {
        // Stopped right after the claim for longer than the TTL; box B took the lease (its prepareRun
        // makes these rows unknown, and `retry-failed --include-unknown` there could send them).
        stalled = res.claimed.map((r) => r.id);
        clock.jump(31_000);
        store.lease = { owner: 'box-b', expiresAt: Infinity };
      }
      return res;
    };
    const result = await clock.run(engineFor(store, clock, fake.sender, { concurrency: 8 }).run());
    expect(result.stop).toBe('lease_lost');
    expect(stalled.length).toBeGreaterThan(0);
    const sentTo = new Set(fake.calls);
    const stalledPhones = stalled.map((id) => store.rows.get(id)!.phone);
    expect(stalledPhones.filter((p) => sentTo.has(p))).toEqual([]);
  });

  it('stops when the broadcast is cancelled by another process', async () => {
    const { clock, store } = setup(100);
    const fake = fakeSender(store, clock, (to, call) => {
      if (call === 10) store.status = 'cancelled';
      return accepted(to);
    });
    const result = await clock.run(engineFor(store, clock, fake.sender).run());
    expect(result.stop).toBe('cancelled');
    expect(fake.calls.length).toBeLessThan(20);
  });

  it('keeps to --rate in every 1-second window, at full pace, and never catches up after a stall', async () => {
    const { clock, store } = setup(3000);
    let stalled = false;
    const exchange = store.exchange.bind(store);
    store.exchange = async (x) => {
      if (!stalled && store.count('sent') > 1000) {
        stalled = true;
        await clock.sleep(700); // a checkpoint, a GC: the loop could not start anything for 0.7 s
      }
      return exchange(x);
    };
    const fake = fakeSender(store, clock, (to) => accepted(to), 50);
    await clock.run(engineFor(store, clock, fake.sender, { rate: 500, concurrency: 100 }).run());
    expect(stalled).toBe(true);
    expect(maxInWindow(fake.starts, 1000)).toBeLessThanOrEqual(500);
    const span = (fake.starts.at(-1)! - fake.starts[0]!) / 1000;
    expect(3000 / span).toBeGreaterThan(0.9 * (3000 / (6 + 0.7))); // ~500/s apart from the stall
  });

  it('at a high rate, answers and claims share commits: far fewer exchanges than messages, every answer recorded', async () => {
    const { clock, store } = setup(2000);
    const fake = fakeSender(store, clock, (to) => accepted(to), 100);
    const result = await clock.run(engineFor(store, clock, fake.sender, { rate: 1000, concurrency: 256 }).run());
    expect(result.accepted).toBe(2000);
    expect(store.count('sent')).toBe(2000);
    // One exchange per claim and one per answer would be ~4,000; batched, about one every 10 ms.
    expect(store.exchanges).toBeLessThan(2000 / 4);
    expect(maxInWindow(fake.starts, 1000)).toBeLessThanOrEqual(1000);
  });

  it('reports progress from its own counters; "retrying" never goes negative when a run starts with due retries', async () => {
    const { clock, store } = setup(6);
    for (const row of [...store.rows.values()].slice(0, 3))
      Object.assign(row, { state: 'retry', nextAttemptAt: clock.now() - 1, attempts: 1 });
    const seen: number[] = [];
    const fake = fakeSender(store, clock, (to) => accepted(to), 400);
    await clock.run(engineFor(store, clock, fake.sender, {}, { onProgress: (p) => seen.push(p.retrying) }).run());
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.min(...seen)).toBe(0);
    expect(store.states()).toEqual({ sent: 6 });
  });
});
