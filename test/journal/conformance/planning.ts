// Planning through the port (DESIGN §3 rule 1, §4): dedup, rejections, --max-invalid, keys.
import { describe, expect, it } from 'vitest';
import { WaSendError } from '../../../src/core/errors.js';
import { toCountryCode } from '../../../src/core/phone.js';
import { csvOf, phones, plan, tempDir, writeCsv } from '../../helpers/journal.js';
import { exchangeOf, type OpenJournal, OWNER, phoneOf, rowsOf, seeded, T } from './harness.js';

export function planningConformance(open: OpenJournal): void {
  describe('planning', () => {
    it('dedups one US number written four ways, first row wins, with the duplicate line', async () => {
      const { journal, cleanup } = await open();
      const dir = tempDir();
      const csv = writeCsv(dir, 'name,phone\nA,+1 (415) 201-4567\nB,011 1 415 201 4567\nC,1-415-201-4567\nD,415-201-4567\n');
      const r = await plan(journal, csv, undefined, { defaultCountry: toCountryCode('US')! });
      expect(r.recipients).toBe(1);
      expect(r.rejections.duplicate).toBe(3);
      const rows = await rowsOf(journal, r.broadcastId!);
      expect(rows.map((x) => [x.line, x.phone ?? x.reason])).toEqual([
        [2, '+14152014567'],
        [3, 'duplicate'],
        [4, 'duplicate'],
        [5, 'duplicate'],
      ]);
      expect(rows[1]!.error_detail).toBe('same number as line 2');
      await cleanup();
    });

    it('records every rejection reason with its line, opted-out numbers included', async () => {
      const { journal, cleanup } = await open();
      await journal.optouts.add(['+14152010009'], 'manual', null, 1);
      const dir = tempDir();
      const csv = writeCsv(
        dir,
        [
          'name,phone,code',
          'ok,+14152010001,X1', // 2
          'nophone,,X2', // 3
          'bad,12,X3', // 4
          'noval,+14152010004,', // 5
          'dup,+14152010001,X5', // 6
          'ragged,+14152010006', // 7
          `long,+14152010007,${'y'.repeat(61)}`, // 8
          'optout,+14152010009,X9', // 9
          ...phones(12, 100).map((p, i) => `fill${i},${p},F`),
        ].join('\n'),
      );
      const r = await plan(journal, csv, { template: 't', headerText: '{{code}}' }, { maxInvalidPct: 50 });
      const rejected = (await rowsOf(journal, r.broadcastId!, 'rejected')).map((x) => [x.line, x.reason]);
      expect(rejected).toEqual([
        [3, 'missing_phone'],
        [4, 'invalid_number'],
        [5, 'missing_value'],
        [6, 'duplicate'],
        [7, 'malformed_row'],
        [8, 'value_too_long'],
        [9, 'opted_out'],
      ]);
      expect(r.recipients).toBe(13);
      expect((await journal.broadcasts.facts(r.broadcastId!))!.counts.pending).toBe(13);
      await cleanup();
    });

    it('refuses to plan above --max-invalid and writes nothing', async () => {
      const { journal, cleanup } = await open();
      const csv = writeCsv(tempDir(), 'name,phone\nA,415-201-0001\nB,415-201-0002\nC,+14152010003\n');
      const err = await plan(journal, csv, undefined, { maxInvalidPct: 20 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WaSendError);
      expect((err as Error).message).toMatch(/2 of 3 rows.*66\.7%.*line 2 "415-201-0001"/);
      expect(await journal.broadcasts.list()).toEqual([]);
      await cleanup();
    });

    it('the same plan twice gives the same broadcast and no new rows (content key); another message another one', async () => {
      const { journal, cleanup } = await open();
      const csv = writeCsv(tempDir(), csvOf(phones(5)));
      const a = await plan(journal, csv);
      const b = await plan(journal, csv);
      expect(b.broadcastId).toBe(a.broadcastId);
      expect(b.existing?.id).toBe(a.broadcastId);
      const other = await plan(journal, csv, { template: 'other' });
      expect(other.broadcastId).not.toBe(a.broadcastId);
      expect(await journal.broadcasts.list()).toHaveLength(2);
      await cleanup();
    });

    it('an explicit key continues the same request, and refuses another CSV or another message naming the broadcast', async () => {
      const { journal, cleanup } = await open();
      const dir = tempDir();
      const csv = writeCsv(dir, csvOf(phones(3)));
      const a = await plan(journal, csv, undefined, { key: 'promo-2026-11-23' });
      const again = await plan(journal, writeCsv(dir, csvOf(phones(3)), 'copy.csv'), undefined, { key: 'promo-2026-11-23' });
      expect(again).toMatchObject({ broadcastId: a.broadcastId, existing: { id: a.broadcastId } });
      const otherCsv = await plan(journal, writeCsv(dir, csvOf(phones(7)), 'other.csv'), undefined, {
        key: 'promo-2026-11-23',
      }).catch((e: unknown) => e);
      expect((otherCsv as WaSendError).kind).toBe('usage');
      expect((otherCsv as Error).message).toMatch(
        new RegExp(
          `--key promo-2026-11-23 is broadcast ${a.broadcastId}, planned .* from recipients\\.csv with template hello_world \\(en_US\\); this command has another CSV`,
        ),
      );
      expect((otherCsv as WaSendError).hint).toMatch(`wa-send resume ${a.broadcastId}`);
      const otherMessage = await plan(journal, csv, { template: 'promo_b' }, { key: 'promo-2026-11-23' }).catch(
        (e: unknown) => e,
      );
      expect((otherMessage as Error).message).toMatch(/another message \(template promo_b/);
      expect((await journal.broadcasts.facts(a.broadcastId!))!.counts.pending).toBe(3);
      await cleanup();
    });

    it('a dry run writes nothing and shows the first recipient', async () => {
      const { journal, cleanup } = await open();
      const r = await plan(journal, writeCsv(tempDir(), csvOf(phones(4))), undefined, { dryRun: true });
      expect(r).toMatchObject({ broadcastId: null, recipients: 4 });
      expect(r.firstRecipient?.phone).toBe(phones(1)[0]);
      expect(await journal.broadcasts.list()).toEqual([]);
      await cleanup();
    });

    it('freezes placeholder values, the source file and its hash', async () => {
      const { journal, cleanup } = await open();
      const r = await plan(journal, writeCsv(tempDir(), 'Name,Phone\nChloé,+33612345678\n'), { text: 'Bonjour {{name}}' });
      const b = (await journal.broadcasts.get(r.broadcastId!))!;
      expect(b).toMatchObject({ sourceFile: 'recipients.csv', rowsRead: 1, spec: { columns: ['name'] } });
      expect(b.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
      const x = await journal.runs.acquireLease(b.id, 'o', 1000, 1, () => true);
      expect(x.ok).toBe(true);
      const { claimed } = await journal.runs.exchange({
        dedupSince: null,
        sender: 'sandbox',
        broadcastId: b.id,
        owner: 'o',
        leaseTtlMs: 1000,
        now: 2,
        records: [],
        release: [],
        requeue: [],
        halt: null,
        claim: 5,
      });
      expect(claimed.map((c) => c.vars)).toEqual([{ name: 'Chloé' }]);
      await cleanup();
    });

    it('a plan that fails half-way (a bad quote at the end) leaves nothing behind', async () => {
      const { journal, cleanup } = await open();
      const csv = writeCsv(tempDir(), `${csvOf(phones(3000))}X,"+1415201999\n`);
      await expect(plan(journal, csv)).rejects.toBeInstanceOf(WaSendError);
      expect(await journal.broadcasts.list()).toEqual([]);
      await cleanup();
    });

    it('the already-sent guard: identical messages accepted within the window become already_sent, naming the broadcast', async () => {
      const { journal, cleanup } = await open();
      const { id: first } = await seeded(journal, [
        { state: 'sent', wamid: 'w.0', at: T },
        { state: 'unknown' },
        { state: 'failed' },
      ]);
      const csv = writeCsv(tempDir(), csvOf([phoneOf(0), phoneOf(1), phoneOf(2), phoneOf(3)]));
      const r = await plan(journal, csv, undefined, { key: 'second', now: T + 1000 });
      expect(r).toMatchObject({ recipients: 2, rejections: { already_sent: 2 } }); // sent, and unknown (may have been)
      const rejected = await rowsOf(journal, r.broadcastId!, 'rejected');
      expect(rejected.map((x) => [x.line, x.reason])).toEqual([
        [2, 'already_sent'],
        [3, 'already_sent'],
      ]);
      expect(rejected[0]!.error_detail).toMatch(
        new RegExp(`^already sent in broadcast ${first} on \\d{4}-\\d\\d-\\d\\d \\(sent\\)$`),
      );
      const another = await plan(journal, csv, { template: 'another' }, { key: 'third', now: T + 1000 });
      expect(another.rejections.already_sent).toBe(0); // another message is another message
      const off = await plan(journal, csv, undefined, { key: 'fourth', now: T + 1000, dedupWindowMs: 0 });
      expect(off.recipients).toBe(4);
      await cleanup();
    });

    it('the already-sent guard again at claim time: of two broadcasts planned together, only the first claim sends', async () => {
      const { journal, cleanup } = await open();
      const csv = writeCsv(tempDir(), csvOf([phoneOf(0), phoneOf(1)]));
      const a = (await plan(journal, csv, undefined, { key: 'a' })).broadcastId!;
      const b = (await plan(journal, csv, undefined, { key: 'b' })).broadcastId!;
      for (const id of [a, b]) await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true);
      const since = T - 60_000;
      const claimedA = await exchangeOf(journal, a, { claim: 2, dedupSince: since });
      expect(claimedA.claimed).toHaveLength(2); // in flight: the guard now holds for b
      const claimedB = await exchangeOf(journal, b, { claim: 2, dedupSince: since });
      expect(claimedB).toMatchObject({ claimed: [], skipped: 2 });
      expect((await rowsOf(journal, b)).map((r) => [r.state, r.error_class])).toEqual([
        ['skipped', 'already_sent'],
        ['skipped', 'already_sent'],
      ]);
      await cleanup();
    });
  });
}
