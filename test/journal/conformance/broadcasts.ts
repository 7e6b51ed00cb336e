// Reading broadcasts and the operator's commands through the port: facts, exports, retry-failed,
// cancel, the suppression list.
import { describe, expect, it } from 'vitest';
import { buildStatus } from '../../../src/core/rules/status.js';
import { csvOf, plan, tempDir, writeCsv } from '../../helpers/journal.js';
import { exchangeOf, type OpenJournal, OWNER, phoneOf, planned, rowsOf, seeded, T } from './harness.js';

export function broadcastsConformance(open: OpenJournal): void {
  describe('broadcasts', () => {
    it('facts: counts of every state, rejections, errors of failed rows only, attempted, next retry', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'sent', wamid: 'w.1' },
        { state: 'failed', code: 131026 },
        { state: 'failed', code: 131026 },
        { state: 'retry', at: T + 9000 },
        { state: 'unknown' },
        { state: 'pending' },
      ]);
      const f = (await journal.broadcasts.facts(id))!;
      expect(f.counts).toEqual({
        pending: 1,
        sending: 0,
        retry: 1,
        sent: 1,
        delivered: 0,
        read: 0,
        failed: 2,
        unknown: 1,
        skipped: 0,
      });
      expect(f.errors).toEqual([{ code: 131026, title: 'Error 131026', count: 2 }]); // the retry row's 131000 is not an error yet
      expect(f).toMatchObject({ attempted: true, failedUnaccepted: 2, nextRetryAt: T + 9000 });
      const status = buildStatus(f, T, () => false); // the seeding run is over
      expect(status).toMatchObject({
        state: 'paused',
        recipients: 6,
        accepted: 1,
        send_failed: 2,
        next_retry_at: new Date(T + 9000).toISOString(),
      });
      expect(await journal.broadcasts.facts('nope')).toBeNull();
      await cleanup();
    });

    it('lists newest first and finds by key', async () => {
      const { journal, cleanup } = await open();
      const a = await planned(journal, 1, { key: 'k-a' });
      await new Promise((r) => setTimeout(r, 5));
      const b = await planned(journal, 1, { key: 'k-b', start: 10 });
      expect((await journal.broadcasts.list()).map((x) => x.id)).toEqual([b, a]);
      expect((await journal.broadcasts.findByKey('k-a'))!.id).toBe(a);
      expect(await journal.broadcasts.findByKey('k-none')).toBeNull();
      await cleanup();
    });

    it('exports recipients and rejected rows together in file order, and filtered by state', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [{ state: 'sent', wamid: 'w.1' }, { state: 'failed' }, { state: 'pending' }]);
      const rows = await rowsOf(journal, id);
      expect(rows.map((r) => [r.line, r.state])).toEqual([
        [2, 'sent'],
        [3, 'failed'],
        [4, 'pending'],
      ]);
      expect((await rowsOf(journal, id, 'failed')).map((r) => r.phone)).toEqual([phoneOf(1)]);
      expect(await rowsOf(journal, id, 'rejected')).toEqual([]);
      await cleanup();
    });

    it('retry-failed: eligible rows by rule, queued again only under the lease, counted per round', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [
        { state: 'failed', code: 131026 },
        { state: 'unknown' },
        { state: 'sent', wamid: 'w' },
      ]);
      // A retryable error that ran out of attempts.
      const { claimed } = await exchangeOf(journal, id, { claim: 0 });
      expect(claimed).toEqual([]);
      expect(await journal.broadcasts.countEligible(id, {}, T)).toBe(0);
      expect(await journal.broadcasts.countEligible(id, { allErrors: true }, T)).toBe(1);
      expect(await journal.broadcasts.countEligible(id, { allErrors: true, includeUnknown: true }, T)).toBe(2);
      expect(await journal.broadcasts.requeueEligible(id, { allErrors: true }, 'not-the-owner', T)).toBe(0);
      expect(await journal.broadcasts.requeueEligible(id, { allErrors: true }, OWNER, T)).toBe(1);
      expect((await rowsOf(journal, id)).map((r) => [r.state, r.attempts])).toEqual([
        ['pending', 0],
        ['unknown', 1],
        ['sent', 1],
      ]);
      expect(await journal.broadcasts.withRetriesDue({ allErrors: true, includeUnknown: true }, T)).toEqual([id]);
      expect(await journal.broadcasts.withRetriesDue({ includeUnknown: true, maxRounds: 0 }, T)).toEqual([]);
      await cleanup();
    });

    it('the sweep continues pending rows a run left for itself or died with, never those a person stopped', async () => {
      const { journal, cleanup } = await open();
      const ids: Record<string, string> = {};
      for (const [name, outcome] of [
        ['never-run', undefined],
        ['died', null],
        ['api-gone', 'pending'],
        ['daily', 'daily_limit'],
        ['journal', 'journal'],
        ['ctrl-c', 'interrupted'],
        ['limit', 'limit'],
        ['halted', 'halted'],
      ] as const) {
        const id = await planned(journal, 2, { key: name });
        ids[name] = id;
        if (outcome === undefined) continue;
        const run = await journal.runs.logRunStart({
          broadcastId: id,
          mode: 'broadcast',
          owner: OWNER,
          rate: 1,
          concurrency: 1,
          startedAt: T,
        });
        if (outcome !== null) await journal.runs.logRunEnd(run, outcome, null, T + 1);
      }
      const due = await journal.broadcasts.withRetriesDue({}, T + 60_000);
      expect(due.sort()).toEqual([ids.died, ids['api-gone'], ids.daily, ids.journal].sort());
      // A run still holding its lease is not dead yet.
      await journal.runs.acquireLease(ids.died!, OWNER, 120_000, T + 60_000, () => true);
      expect(await journal.broadcasts.withRetriesDue({}, T + 61_000)).not.toContain(ids.died);
      await cleanup();
    });

    it('cancel skips the open rows and stores the broadcast cancelled', async () => {
      const { journal, cleanup } = await open();
      const { id } = await seeded(journal, [{ state: 'sent', wamid: 'w' }, { state: 'pending' }, { state: 'retry', at: T + 1 }]);
      expect(await journal.broadcasts.cancel(id, T)).toBe(2);
      expect((await journal.broadcasts.get(id))!).toMatchObject({ status: 'cancelled', reason: 'cancelled by the operator' });
      expect((await journal.broadcasts.facts(id))!.counts).toMatchObject({ sent: 1, skipped: 2 });
      await cleanup();
    });
    it('metrics: per sending number, the profile of its latest broadcast (null: planned without one)', async () => {
      const { journal, cleanup } = await open();
      const dir = tempDir('wa-send-conf-');
      const target = { api_url: 'http://127.0.0.1:9', phone_number_id: '111' };
      await plan(journal, writeCsv(dir, csvOf([phoneOf(0)]), 'a.csv'), undefined, { target, profile: 'a', now: T });
      await plan(journal, writeCsv(dir, csvOf([phoneOf(1)]), 'b.csv'), undefined, { target, profile: 'b', now: T + 1 });
      await plan(journal, writeCsv(dir, csvOf([phoneOf(2)]), 'c.csv'), undefined, { now: T + 2 });
      const { numbers } = await journal.broadcasts.metrics(T + 3);
      expect(numbers.map((n) => [n.sender, n.profile, n.sent5m, n.reached24h])).toEqual([
        ['111', 'b', 0, 0],
        ['sandbox', null, 0, 0],
      ]);
      await cleanup();
    });
  });

  describe('the suppression list', () => {
    it('adds, lists and removes; an existing entry keeps its first source; a non-E.164 batch adds nothing', async () => {
      const { journal, cleanup } = await open();
      expect(await journal.optouts.add(['+15551230000', '+447700900123'], 'manual', null, 1000)).toBe(2);
      expect(await journal.optouts.add(['+15551230000'], 'import', 'list.csv', 2000)).toBe(0);
      expect(await journal.optouts.list()).toEqual([
        { phone: '+15551230000', source: 'manual', detail: null, created_at: 1000 },
        { phone: '+447700900123', source: 'manual', detail: null, created_at: 1000 },
      ]);
      expect(await journal.optouts.remove(['+15551230000'], { source: 'user_preferences' })).toBe(0);
      expect(await journal.optouts.remove(['+15551230000', '+15550000000'])).toBe(1);
      await expect(journal.optouts.add(['+15551230009', '15551230001'], 'manual', null, 1)).rejects.toThrow(/E\.164/);
      expect((await journal.optouts.list()).map((o) => o.phone)).toEqual(['+447700900123']);
      await cleanup();
    });
  });
}
