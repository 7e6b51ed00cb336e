import { describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/core/engine.js';
import type { SendOutcome, Sender } from '../../src/core/sender.js';
import type { RecipientToSend } from '../../src/core/types.js';
import { acquireLease } from '../../src/journal/broadcasts.js';
import type { Db } from '../../src/journal/db.js';
import { addOptouts } from '../../src/journal/optouts.js';
import { SqliteSendStore } from '../../src/journal/send-store.js';
import { csvOf, phones, plan, tempJournal, writeCsv } from '../helpers/journal.js';

type Script = (body: Record<string, unknown>, call: number) => SendOutcome | Promise<SendOutcome>;

/** A scripted Sender that also checks, at every send, that the row is durably `sending` first. */
function fakeSender(db: Db, script: Script) {
  const calls: string[] = [];
  let maxSending = 0;
  const sender: Sender = {
    async send(body) {
      const call = calls.push(body.to as string);
      const state = db.prepare('SELECT state FROM recipients WHERE phone = ?').pluck().get(body.to) as string;
      if (state !== 'sending') throw new Error(`sent a row in state ${state}`);
      maxSending = Math.max(maxSending, db.prepare("SELECT count(*) FROM recipients WHERE state = 'sending'").pluck().get() as number);
      await new Promise((r) => setTimeout(r, 1));
      return script(body, call);
    },
    async close() {},
  };
  return { sender, calls, maxSending: () => maxSending };
}

const accepted = (to: unknown): SendOutcome => ({ kind: 'accepted', httpStatus: 200, wamid: `wamid.${String(to)}`, messageStatus: 'accepted' });
const apiError = (code: number, errorClass: Extract<SendOutcome, { kind: 'error' }>['errorClass']): SendOutcome =>
  ({ kind: 'error', httpStatus: 400, errorClass, code, title: `t${code}`, detail: 'd', retryAfterMs: null, fbtraceId: null });

async function setup(n: number) {
  const { db, dir } = tempJournal();
  const result = await plan(db, writeCsv(dir, csvOf(phones(n))));
  const id = result.broadcastId!;
  acquireLease(db, id, 'test', 30_000, Date.now(), () => true);
  return { db, id };
}

function engine(db: Db, id: string, sender: Sender, opts: Partial<EngineOptions> = {}) {
  return new Engine(id, { rate: 1000, concurrency: 4, maxAttempts: 3, maxWaitMs: 5000, leaseOwner: 'test', retryBaseMs: 5, retryCapMs: 20, ...opts }, {
    store: new SqliteSendStore(db), sender, now: Date.now, random: Math.random,
    buildBody: (r: RecipientToSend) => ({ to: r.phone, biz_opaque_callback_data: r.recipientKey }),
  });
}

const states = (db: Db) => Object.fromEntries((db.prepare('SELECT state, count(*) AS n FROM recipients GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));

describe('Engine', () => {
  it('sends every recipient once, claims before sending, never more than `concurrency` rows in sending', async () => {
    const { db, id } = await setup(40);
    const fake = fakeSender(db, (b) => accepted(b.to));
    const result = await engine(db, id, fake.sender).run();
    expect(result.stop).toBe('done');
    expect(states(db)).toEqual({ sent: 40 });
    expect(new Set(fake.calls).size).toBe(40);
    expect(fake.calls.length).toBe(40);
    expect(fake.maxSending()).toBeLessThanOrEqual(4);
    expect(db.prepare("SELECT count(*) FROM attempts WHERE outcome = 'accepted'").pluck().get()).toBe(40);
    expect(db.prepare('SELECT count(*) FROM recipients WHERE wamid IS NULL').pluck().get()).toBe(0);
  });

  it('retries transient errors and throttling, and records every attempt', async () => {
    const { db, id } = await setup(10);
    const seen = new Set<unknown>();
    const fake = fakeSender(db, (b) => {
      if (seen.has(b.to)) return accepted(b.to);
      seen.add(b.to);
      return String(b.to).endsWith('1') ? apiError(130429, 'throttle') : apiError(131000, 'retryable');
    });
    const result = await engine(db, id, fake.sender).run();
    expect(result.stop).toBe('done');
    expect(states(db)).toEqual({ sent: 10 });
    expect(db.prepare('SELECT count(*) FROM attempts').pluck().get()).toBe(20);
    // throttling did not spend an attempt, the transient error did
    expect(db.prepare("SELECT attempts FROM recipients WHERE phone LIKE '%1'").pluck().all()).toEqual([1]);
    expect(new Set(db.prepare("SELECT attempts FROM recipients WHERE phone NOT LIKE '%1'").pluck().all())).toEqual(new Set([2]));
  });

  it('stops (pending) once the API has answered nothing but throttling for --max-wait, and slows down meanwhile', async () => {
    const { db, id } = await setup(30);
    const fake = fakeSender(db, () => apiError(130429, 'throttle'));
    const started = Date.now();
    const result = await engine(db, id, fake.sender, { rate: 200, maxWaitMs: 2500 }).run();
    const took = Date.now() - started;
    expect(result.stop).toBe('pending');
    expect(result.reason).toMatch(/only throttling errors \(130429 t130429\).*--max-wait/);
    expect(took).toBeGreaterThanOrEqual(2400);
    expect(took).toBeLessThan(15_000);
    // ×0.7 per second from 200/s, never recovering while throttled: far fewer than 200/s × 2.5 s.
    expect(fake.calls.length).toBeLessThan(400);
    expect(states(db).sending ?? 0).toBe(0);
    expect(db.prepare('SELECT max(attempts) FROM recipients').pluck().get()).toBe(0); // throttling spends no attempt
  });

  it('stops claiming when requests keep going unanswered, instead of turning the whole list unknown', async () => {
    const { db, id } = await setup(200);
    const fake = fakeSender(db, () => ({ kind: 'unknown', detail: 'headers timeout after the request was written' }));
    const result = await engine(db, id, fake.sender, { concurrency: 4 }).run();
    expect(result.stop).toBe('pending');
    expect(result.reason).toMatch(/the API stopped answering: \d+ requests in a row got no answer \(headers timeout/);
    const s = states(db);
    expect(s.unknown).toBeLessThanOrEqual(3 + 4); // the streak, plus what was in flight when it was reached
    expect(s.pending).toBe(200 - s.unknown!);
  });

  it('halts on a run-wide error: no claims after it, the rest stays pending with the reason stored', async () => {
    const { db, id } = await setup(50);
    const fake = fakeSender(db, (b, call) => (call >= 10 ? apiError(190, 'halt') : accepted(b.to)));
    const result = await engine(db, id, fake.sender).run();
    expect(result.stop).toBe('halted');
    expect(fake.calls.length).toBeLessThanOrEqual(10 + 4);
    const s = states(db);
    expect(s.sent).toBe(9);
    expect(s.pending).toBe(41);
    expect(db.prepare('SELECT status, reason FROM broadcasts').get()).toMatchObject({ status: 'halted', reason: expect.stringContaining('190') });
  });

  it('halts when the first attempts all fail with the same payload error, leaving the rows pending', async () => {
    const { db, id } = await setup(30);
    const fake = fakeSender(db, () => apiError(132000, 'payload'));
    const result = await engine(db, id, fake.sender, { concurrency: 1 }).run();
    expect(result.stop).toBe('halted');
    expect(result.reason).toMatch(/132000/);
    expect(states(db)).toEqual({ pending: 30 });
  });

  it('fails permanently failing recipients and keeps going', async () => {
    const { db, id } = await setup(10);
    const fake = fakeSender(db, (b) => (String(b.to).endsWith('3') ? apiError(131026, 'permanent') : accepted(b.to)));
    await engine(db, id, fake.sender).run();
    expect(states(db)).toEqual({ sent: 9, failed: 1 });
    expect(db.prepare("SELECT error_code, error_title FROM recipients WHERE state = 'failed'").get()).toEqual({ error_code: 131026, error_title: 't131026' });
  });

  it('skips a recipient who opted out while the broadcast was running', async () => {
    const { db, id } = await setup(20);
    const late = phones(20)[19]!;
    const fake = fakeSender(db, (b, call) => {
      if (call === 1) addOptouts(db, [late], 'manual');
      return accepted(b.to);
    });
    await engine(db, id, fake.sender, { concurrency: 1 }).run();
    expect(fake.calls).not.toContain(late);
    expect(db.prepare('SELECT state FROM recipients WHERE phone = ?').pluck().get(late)).toBe('skipped');
  });

  it('records 131050 as an opt-out and skips the row', async () => {
    const { db, id } = await setup(3);
    const fake = fakeSender(db, (b) => (b.to === phones(3)[1] ? apiError(131050, 'opted_out') : accepted(b.to)));
    await engine(db, id, fake.sender).run();
    expect(db.prepare('SELECT state FROM recipients WHERE phone = ?').pluck().get(phones(3)[1])).toBe('skipped');
    expect(db.prepare('SELECT source FROM optouts WHERE phone = ?').pluck().get(phones(3)[1])).toBe('error_131050');
  });

  it('stops with work left (pending) when retries are due after --max-wait', async () => {
    const { db, id } = await setup(3);
    const fake = fakeSender(db, () => apiError(131000, 'retryable'));
    const result = await engine(db, id, fake.sender, { maxWaitMs: 0, retryBaseMs: 60_000, retryCapMs: 60_000 }).run();
    expect(result.stop).toBe('pending');
    expect(states(db)).toEqual({ retry: 3 });
  });

  it('stops after --limit requests', async () => {
    const { db, id } = await setup(10);
    const fake = fakeSender(db, (b) => accepted(b.to));
    const result = await engine(db, id, fake.sender, { limit: 4 }).run();
    expect(result.stop).toBe('limit');
    expect(states(db)).toEqual({ sent: 4, pending: 6 });
  });

  it('marks unknown outcomes unknown and never re-sends them', async () => {
    const { db, id } = await setup(5);
    const fake = fakeSender(db, (b) => (b.to === phones(5)[0] ? { kind: 'unknown', detail: 'timeout' } : accepted(b.to)));
    await engine(db, id, fake.sender).run();
    expect(states(db)).toEqual({ sent: 4, unknown: 1 });
    expect(fake.calls.length).toBe(5);
  });

  it('drains in-flight requests on stop and records them', async () => {
    const { db, id } = await setup(100);
    let e: Engine | undefined;
    const fake = fakeSender(db, (b, call) => { if (call === 20) e!.stop(); return accepted(b.to); });
    e = engine(db, id, fake.sender);
    const result = await e.run();
    expect(result.stop).toBe('interrupted');
    const s = states(db);
    expect(s.sending).toBeUndefined();
    expect(s.sent).toBe(fake.calls.length);
  });
});
