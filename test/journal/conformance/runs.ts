// Running through the port (DESIGN §3 rules 2-4, 6): leases, claims, the guarded writes of exchange.
import { describe, expect, it } from 'vitest';
import {
  exchangeOf,
  type OpenJournal,
  OWNER,
  outcomes,
  phoneOf,
  planned,
  recordOf,
  rowByPhone,
  rowsOf,
  seeded,
  T,
} from './harness.js';

export function runsConformance(open: OpenJournal): void {
  describe('leases', () => {
    it('one runner at a time; a dead or expired owner is taken over; only the owner releases', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 1);
      const alive = () => true;
      expect(await journal.runs.acquireLease(id, 'a', 30_000, T, alive)).toEqual({ ok: true });
      expect(await journal.runs.acquireLease(id, 'b', 30_000, T + 1, alive)).toEqual({ ok: false, holder: 'a' });
      expect(await journal.runs.acquireLease(id, 'a', 30_000, T + 2, alive)).toEqual({ ok: true }); // re-entrant
      expect(await journal.runs.acquireLease(id, 'b', 30_000, T + 1, (owner) => owner !== 'a')).toEqual({ ok: true }); // a died
      expect(await journal.runs.acquireLease(id, 'c', 30_000, T + 40_000, alive)).toEqual({ ok: true }); // b expired
      await journal.runs.releaseLease(id, 'b'); // not b's any more: nothing happens
      expect((await journal.broadcasts.get(id))!.leaseOwner).toBe('c');
      await journal.runs.releaseLease(id, 'c');
      expect((await journal.broadcasts.get(id))!).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });
      await cleanup();
    });

    it('two processes racing for one lease: exactly one wins', async () => {
      const { journal, reopen, cleanup } = await open();
      const id = await planned(journal, 1);
      const other = await reopen();
      const results = await Promise.all([
        journal.runs.acquireLease(id, 'a', 30_000, T, () => true),
        other.runs.acquireLease(id, 'b', 30_000, T, () => true),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      await other.close();
      await cleanup();
    });
  });

  describe('exchange', () => {
    it('claims durably: sending, attempts + 1, due retries first, then plan order; opted-out rows become skipped', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'pending' },
        { state: 'retry', at: T + 60_000 },
        { state: 'retry', at: T - 1 },
        { state: 'pending' },
      ]);
      await journal.optouts.add([phoneOf(3)], 'manual', null, T);
      const first = await exchangeOf(journal, id, { claim: 2 });
      expect(first).toMatchObject({ leaseHeld: true, status: 'open', skipped: 0 });
      expect(first.claimed.map((r) => [r.phone, r.attempts])).toEqual([
        [phoneOf(2), 2],
        [phoneOf(0), 1],
      ]);
      expect((await rowByPhone(journal, id, phoneOf(2))).state).toBe('sending');
      const second = await exchangeOf(journal, id, { claim: 5 });
      expect(second.claimed).toEqual([]);
      expect(second.skipped).toBe(1);
      expect(second.nextRetryAt).toBe(T + 60_000);
      expect((await rowByPhone(journal, id, phoneOf(3))).state).toBe('skipped');
      await cleanup();
    });

    it('writes each answer with its decision, and every attempt to the audit trail', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 4);
      await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true);
      const { claimed } = await exchangeOf(journal, id, { claim: 4 });
      const [a, b, c, d] = claimed as [
        NonNullable<(typeof claimed)[0]>,
        (typeof claimed)[0],
        (typeof claimed)[0],
        (typeof claimed)[0],
      ];
      await exchangeOf(journal, id, {
        records: [
          recordOf(a, outcomes.accepted('wamid.A'), T + 5),
          recordOf(b!, outcomes.error(131026, 'permanent'), T + 5),
          recordOf(c!, outcomes.error(130429, 'throttle', 429), T + 5),
          recordOf(d!, outcomes.error(131050, 'opted_out'), T + 5),
        ],
      });
      const rows = await rowsOf(journal, id);
      expect(rows.map((r) => [r.state, r.attempts, r.error_code, r.wamid])).toEqual([
        ['sent', 1, null, 'wamid.A'],
        ['failed', 1, 131026, null],
        ['retry', 0, 130429, null], // throttling spends no attempt
        ['skipped', 1, 131050, null],
      ]);
      expect(rows[0]!.sent_at).toBe(new Date(T + 5).toISOString());
      expect((await journal.optouts.list()).map((o) => [o.phone, o.source])).toEqual([[phoneOf(3), 'error_131050']]);
      const metrics = await journal.broadcasts.metrics(T);
      expect(metrics.attemptsByOutcome).toMatchObject({ accepted: 1, permanent: 1, throttle: 1, opted_out: 1 });
      await cleanup();
    });

    it('a runner that lost its lease claims nothing, but its late answers still settle its rows', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 3);
      await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true);
      const { claimed } = await exchangeOf(journal, id, { claim: 2 });
      // Another box takes over after the TTL: the rows in flight become unknown (rule 4).
      expect(await journal.runs.acquireLease(id, 'box-b', 30_000, T + 31_000, () => true)).toEqual({ ok: true });
      expect(await journal.runs.prepareRun(id, 'box-b', T + 31_000)).toEqual({ orphans: 2, settled: 0 });
      const late = await exchangeOf(journal, id, {
        claim: 5,
        records: [recordOf(claimed[0]!, outcomes.accepted('wamid.late'), T + 32_000)],
      });
      expect(late).toMatchObject({ leaseHeld: false, claimed: [] });
      expect((await rowByPhone(journal, id, claimed[0]!.phone)).state).toBe('sent'); // settled, not re-sendable
      expect((await rowByPhone(journal, id, claimed[1]!.phone)).state).toBe('unknown');
      await cleanup();
    });

    it('never writes over a row another runner has claimed since', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 1);
      await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true);
      const { claimed } = await exchangeOf(journal, id, { claim: 1 });
      await journal.runs.acquireLease(id, 'box-b', 30_000, T + 40_000, () => true);
      await journal.runs.prepareRun(id, 'box-b', T + 40_000); // unknown now
      await journal.broadcasts.requeueEligible(id, { includeUnknown: true }, 'box-b', T + 40_000);
      const mine = await journal.runs.exchange({
        dedupSince: null,
        sender: 'sandbox',
        broadcastId: id,
        owner: 'box-b',
        leaseTtlMs: 30_000,
        now: T + 40_001,
        records: [],
        release: [],
        requeue: [],
        halt: null,
        claim: 1,
      });
      expect(mine.claimed).toHaveLength(1);
      await exchangeOf(journal, id, { records: [recordOf(claimed[0]!, outcomes.error(131026, 'permanent'), T + 41_000)] });
      expect((await rowsOf(journal, id))[0]).toMatchObject({ state: 'sending', error_code: null });
      await cleanup();
    });

    it('gives back claimed rows that were never sent; requeues; halts; sees a cancellation', async () => {
      const { journal, cleanup } = await open();
      const { id, rows } = await seeded(journal, [{ state: 'failed', code: 132000 }, { state: 'pending' }, { state: 'pending' }]);
      const { claimed } = await exchangeOf(journal, id, { claim: 1 });
      const x = await exchangeOf(journal, id, { release: [claimed[0]!.id], requeue: [rows[0]!.id], halt: 'error 132000' });
      expect(x.status).toBe('halted');
      expect(x.claimed).toEqual([]);
      expect((await rowsOf(journal, id)).map((r) => [r.state, r.attempts])).toEqual([
        ['pending', 1],
        ['pending', 0], // the claim's attempt is given back
        ['pending', 0],
      ]);
      expect((await journal.broadcasts.get(id))!).toMatchObject({ status: 'halted', reason: 'error 132000' });
      expect(await journal.runs.prepareRun(id, OWNER, T)).toEqual({ orphans: 0, settled: 0 });
      expect((await journal.broadcasts.get(id))!.status).toBe('open'); // a new run clears the halt
      expect(await journal.broadcasts.cancel(id, T)).toBe(3);
      expect(await exchangeOf(journal, id, { claim: 3 })).toMatchObject({ status: 'cancelled', claimed: [] });
      await cleanup();
    });

    it('prepareRun: orphans become unknown; a late answer settles its unknown row', async () => {
      const { journal, cleanup } = await open();
      const { id, rows } = await seeded(journal, [{ state: 'sending' }, { state: 'sending' }, { state: 'sent', wamid: 'w.x' }]);
      // An answer recorded while the row was already unknown (a takeover raced it) sits in attempts.
      await journal.runs.acquireLease(id, 'box-b', 30_000, T + 40_000, () => false);
      expect(await journal.runs.prepareRun(id, 'box-b', T + 40_000)).toEqual({ orphans: 2, settled: 0 });
      await exchangeOf(journal, id, { records: [recordOf(rows[0]!, outcomes.accepted('w.late'), T + 41_000)] });
      expect(await journal.runs.prepareRun(id, 'box-b', T + 42_000)).toEqual({ orphans: 0, settled: 0 });
      expect((await rowsOf(journal, id)).map((r) => [r.state, r.wamid])).toEqual([
        ['sent', 'w.late'],
        ['unknown', null],
        ['sent', 'w.x'],
      ]);
      await cleanup();
    });

    it('logs runs for reports and checks', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 1);
      const run = await journal.runs.logRunStart({
        broadcastId: id,
        mode: 'broadcast',
        owner: OWNER,
        rate: 80,
        concurrency: 32,
        startedAt: T,
      });
      await journal.runs.logRunEnd(run, 'done', null, T + 5000);
      expect((await journal.broadcasts.facts(id))!.lastRunEndedAt).toBe(T + 5000);
      await cleanup();
    });
  });
}
