// Several numbers on one journal through the port (issue 11): one sender per number (a lease taken
// and renewed with each exchange), the daily messaging limit's usage, opt-ins (--require-optin) at
// plan and claim time, and what `check`, the sweep and the preflight read.
import { describe, expect, it } from 'vitest';
import { csvOf, plan, tempDir, writeCsv } from '../../helpers/journal.js';
import {
  exchangeOf,
  loggedRun,
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

const alive = () => true;
const dead = () => false;
const OTHER = 'other@box-b#000002';
const DAY = 86_400_000;

export function numbersConformance(open: OpenJournal): void {
  describe('one sender per number', () => {
    it('the number lease: one holder; a dead or expired holder is taken over; only the holder releases', async () => {
      const { journal, cleanup } = await open();
      const runs = journal.runs;
      expect(await runs.acquireNumberLease('111', 'b-one', OWNER, 30_000, T, alive)).toEqual({ ok: true });
      expect(await runs.acquireNumberLease('111', 'b-two', OTHER, 30_000, T + 1, alive)).toEqual({
        ok: false,
        holder: OWNER,
        broadcastId: 'b-one',
      });
      expect(await runs.acquireNumberLease('222', 'b-two', OTHER, 30_000, T + 1, alive)).toEqual({ ok: true }); // another number
      expect(await runs.acquireNumberLease('111', 'b-one', OWNER, 30_000, T + 2, alive)).toEqual({ ok: true }); // ours again
      expect(await runs.acquireNumberLease('111', 'b-two', OTHER, 30_000, T + 3, dead)).toEqual({ ok: true }); // dead holder
      expect(await runs.acquireNumberLease('111', 'b-one', OWNER, 30_000, T + 30_003, alive)).toEqual({ ok: true }); // expired
      await runs.releaseNumberLease('111', OTHER); // not the holder: nothing happens
      expect((await runs.acquireNumberLease('111', 'b-two', OTHER, 30_000, T + 30_004, alive)).ok).toBe(false);
      await runs.releaseNumberLease('111', OWNER);
      expect(await runs.acquireNumberLease('111', 'b-two', OTHER, 30_000, T + 30_005, alive)).toEqual({ ok: true });
      await cleanup();
    });

    it('two processes racing for one number: exactly one wins', async () => {
      const { journal, reopen, cleanup } = await open();
      const other = await reopen();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? journal : other).runs.acquireNumberLease('111', `b-${i}`, `owner-${i}`, 30_000, T, alive),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      await other.close();
      await cleanup();
    });

    it('the exchange renews the number lease, takes it when free or expired, and claims nothing while another holds it', async () => {
      const { journal, cleanup } = await open();
      const id = await planned(journal, 4);
      await journal.runs.acquireLease(id, OWNER, 30_000, T, alive);
      await journal.runs.acquireNumberLease('sandbox', 'b-other', OTHER, 30_000, T, alive);
      // Our broadcast's lease, another runner's number: held by neither rule, nothing claimed.
      expect(await exchangeOf(journal, id, { claim: 2 })).toMatchObject({ leaseHeld: false, status: 'open', claimed: [] });
      const { claimed } = await exchangeOf(journal, id, { claim: 2, now: T + 30_000 }); // theirs expired: taken
      expect(claimed).toHaveLength(2);
      expect(await journal.runs.acquireNumberLease('sandbox', 'b-other', OTHER, 30_000, T + 30_001, alive)).toEqual({
        ok: false,
        holder: OWNER,
        broadcastId: id,
      });
      // The exchange that also gives rows back (a transaction of several statements) checks it too.
      await journal.runs.releaseNumberLease('sandbox', OWNER);
      await journal.runs.acquireNumberLease('sandbox', 'b-other', OTHER, 30_000, T + 30_002, alive);
      const back = await exchangeOf(journal, id, { now: T + 30_003, release: [claimed[0]!.id], claim: 1 });
      expect(back).toMatchObject({ leaseHeld: false, claimed: [] });
      expect((await rowByPhone(journal, id, claimed[0]!.phone)).state).toBe('pending'); // given back all the same
      await cleanup();
    });
  });

  describe('the daily messaging limit', () => {
    it('counts distinct phones accepted from the number since the window start, plus rows in flight', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'sent', wamid: 'w.0', at: T },
        { state: 'sent', wamid: 'w.1', at: T + 1000 },
        { state: 'failed' },
        { state: 'pending' },
        { state: 'pending' },
      ]);
      expect((await exchangeOf(journal, id, { claim: 1 })).claimed).toHaveLength(1); // in flight
      // The same person reached again from the number by another broadcast counts once.
      const dir = tempDir('wa-send-conf-');
      const again = (await plan(journal, writeCsv(dir, csvOf([phoneOf(0)])), { template: 'other' }, { key: 'again' }))
        .broadcastId!;
      await journal.runs.acquireLease(again, OWNER, 30_000, T, alive);
      const [r] = (await exchangeOf(journal, again, { claim: 1 })).claimed;
      await exchangeOf(journal, again, { records: [recordOf(r!, outcomes.accepted('w.again'), T + 2000)] });
      expect(await journal.runs.dailyUsage('sandbox', T - 1)).toEqual({ reached: 3, oldestAt: T });
      expect(await journal.runs.dailyUsage('sandbox', T + 500)).toEqual({ reached: 3, oldestAt: T + 1000 });
      expect(await journal.runs.dailyUsage('111', T - 1)).toEqual({ reached: 0, oldestAt: null });
      await cleanup();
    });

    it('the sweep continues an open broadcast whose last run stopped at the daily limit, while it has pending rows', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [{ state: 'sent', wamid: 'w.0' }, { state: 'pending' }]);
      expect(await journal.broadcasts.withRetriesDue({}, T)).toEqual([]);
      await loggedRun(journal, id, { outcome: 'daily_limit', reason: 'limit reached' });
      expect(await journal.broadcasts.withRetriesDue({}, T + 20)).toEqual([id]);
      expect((await journal.broadcasts.facts(id))!.lastRun).toEqual({
        mode: 'broadcast',
        outcome: 'daily_limit',
        reason: 'limit reached',
        endedAt: T + 10,
      });
      await loggedRun(journal, id, { outcome: 'done', mode: 'retry-failed', startedAt: T + 30 });
      expect(await journal.broadcasts.withRetriesDue({}, T + 50)).toEqual([]);
      await cleanup();
    });
  });

  describe('opt-ins', () => {
    it('--require-optin: rows without an opt-in become no_optin rejections; an opt-out still wins; the list is like the suppression list', async () => {
      const { journal, cleanup } = await open();
      await journal.optins.add([phoneOf(0), phoneOf(1)], 'import', 'signup form', T);
      expect(await journal.optins.add([phoneOf(0)], 'manual', null, T + 1)).toBe(0);
      expect((await journal.optins.list()).map((r) => [r.phone, r.source])).toEqual([
        [phoneOf(0), 'import'],
        [phoneOf(1), 'import'],
      ]);
      await journal.optouts.add([phoneOf(1), phoneOf(2)], 'manual', null, T);
      const csv = writeCsv(tempDir('wa-send-conf-'), csvOf([phoneOf(0), phoneOf(1), phoneOf(2), phoneOf(3)]));
      const r = await plan(journal, csv, undefined, { requireOptin: true, key: 'optin' });
      expect(r).toMatchObject({ recipients: 1, rejections: { opted_out: 2, no_optin: 1 } });
      const rejected = await rowsOf(journal, r.broadcastId!, 'rejected');
      expect(rejected.map((x) => [x.line, x.reason, x.error_detail])).toEqual([
        [3, 'opted_out', 'opted out (manual)'],
        [4, 'opted_out', 'opted out (manual)'],
        [5, 'no_optin', 'no opt-in recorded (--require-optin)'],
      ]);
      expect((await journal.broadcasts.get(r.broadcastId!))!.requireOptin).toBe(true);
      expect((await plan(journal, csv, undefined, { key: 'no-optin-needed' })).recipients).toBe(2);
      expect(await journal.optins.remove([phoneOf(0)], { source: 'manual' })).toBe(0);
      expect(await journal.optins.remove([phoneOf(0)])).toBe(1);
      await cleanup();
    });

    it('a row whose opt-in was removed after planning is skipped at the claim, when its broadcast requires one', async () => {
      const { journal, cleanup } = await open();
      await journal.optins.add([phoneOf(0), phoneOf(1)], 'import', null, T);
      const csv = writeCsv(tempDir('wa-send-conf-'), csvOf([phoneOf(0), phoneOf(1)]));
      const strict = (await plan(journal, csv, undefined, { requireOptin: true, key: 'strict' })).broadcastId!;
      const loose = (await plan(journal, csv, { template: 'other' }, { key: 'loose' })).broadcastId!;
      await journal.optins.remove([phoneOf(1)]);
      await journal.runs.acquireLease(strict, OWNER, 30_000, T, alive);
      expect(await exchangeOf(journal, strict, { claim: 2 })).toMatchObject({ skipped: 1, claimed: [{ phone: phoneOf(0) }] });
      expect(await rowByPhone(journal, strict, phoneOf(1))).toMatchObject({
        state: 'skipped',
        error_class: 'no_optin',
        error_detail: 'its opt-in was removed after planning',
      });
      await journal.runs.acquireLease(loose, OWNER, 30_000, T, alive);
      expect((await exchangeOf(journal, loose, { claim: 2 })).claimed).toHaveLength(2);
      await cleanup();
    });
  });

  describe('check and health', () => {
    it('a journal in good order has no problems', async () => {
      const { journal, cleanup } = await open();
      await planned(journal, 1);
      expect(await journal.check()).toEqual([]);
      await cleanup();
    });

    it('health: failed rows per broadcast with the top code, rows stuck unknown, broadcasts stopped with work left', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'failed', code: 131026 },
        { state: 'failed', code: 131026 },
        { state: 'failed', code: 131049 },
        { state: 'unknown' },
        { state: 'pending' },
      ]);
      const health = await journal.broadcasts.health(T + 10, { failedSince: T - 1, stuckBefore: T + 1 });
      expect(health).toEqual({
        failed: [{ broadcastId: id, sender: 'sandbox', count: 3, topCode: 131026 }],
        stuck: [{ broadcastId: id, sender: 'sandbox', state: 'unknown', count: 1, oldestAt: T }],
        stopped: [],
      });
      await loggedRun(journal, id, { outcome: 'halted', reason: 'error 190', endedAt: T + 5 });
      expect((await journal.broadcasts.health(T + 10, { failedSince: T + 1, stuckBefore: T })).stopped).toEqual([
        { broadcastId: id, sender: 'sandbox', outcome: 'halted', reason: 'error 190', endedAt: T + 5 },
      ]);
      const later = await journal.broadcasts.health(T + 10, { failedSince: T + 1, stuckBefore: T });
      expect([later.failed, later.stuck]).toEqual([[], []]);
      await cleanup();
    });

    it('metrics: answers of the last 5 minutes and recipients of the last 24 h per number; finished broadcasts of long ago are left out', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'sent', wamid: 'w.0', at: T },
        { state: 'sent', wamid: 'w.1', at: T },
        { state: 'failed', code: 131026 },
      ]);
      const m = await journal.broadcasts.metrics(T + 60_000);
      expect(m.numbers).toEqual([{ sender: 'sandbox', profile: null, sent5m: 2, failed5m: 1, reached24h: 2 }]);
      expect(m.attemptsByOutcome).toMatchObject({ accepted: 2, permanent: 1 });
      expect((await journal.broadcasts.metrics(T + 600_000)).numbers[0]).toMatchObject({ sent5m: 0, failed5m: 0, reached24h: 2 });
      // The plan was created now (real time), never ran, and has nothing left to send: labelled for a day.
      expect((await journal.broadcasts.metrics(Date.now())).broadcasts.map((f) => f.broadcast.id)).toEqual([id]);
      expect((await journal.broadcasts.metrics(Date.now() + 2 * DAY)).broadcasts).toEqual([]);
      await cleanup();
    });
  });
}
