import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { toCountryCode } from '../../src/core/phone.js';
import { WaSendError } from '../../src/core/errors.js';
import { addOptouts } from '../../src/journal/optouts.js';
import { csvOf, phones, plan, tempJournal, writeCsv } from '../helpers/journal.js';

const count = (db: Database.Database, sql: string, ...params: unknown[]) => db.prepare(sql).pluck().get(...params) as number;

describe('planBroadcast', () => {
  it('dedups one US number written four ways, first row wins, with the duplicate line', async () => {
    const { db, dir } = tempJournal();
    const csv = writeCsv(dir, 'name,phone\nA,+1 (415) 201-4567\nB,011 1 415 201 4567\nC,1-415-201-4567\nD,415-201-4567\n');
    const r = await plan(db, csv, undefined, { defaultCountry: toCountryCode('US')! });
    expect(r.recipients).toBe(1);
    expect(r.rejections.duplicate).toBe(3);
    expect(db.prepare('SELECT line, phone FROM recipients').all()).toEqual([{ line: 2, phone: '+14152014567' }]);
    expect(db.prepare('SELECT line, duplicate_of FROM rejections ORDER BY line').all()).toEqual([
      { line: 3, duplicate_of: 2 }, { line: 4, duplicate_of: 2 }, { line: 5, duplicate_of: 2 }]);
  });

  it('dedups an Israeli number written with 00 and nationally', async () => {
    const { db, dir } = tempJournal();
    const r = await plan(db, writeCsv(dir, 'name,phone\nA,00972 50-234-5678\nB,050-234-5678\n'), undefined, { defaultCountry: toCountryCode('IL')! });
    expect(r.recipients).toBe(1);
    expect(r.rejections.duplicate).toBe(1);
  });

  it('records every rejection reason with its line', async () => {
    const { db, dir } = tempJournal();
    addOptouts(db, ['+14152010009'], 'manual');
    const csv = writeCsv(dir, [
      'name,phone,code',
      'ok,+14152010001,X1', // 2
      'nophone,,X2', // 3
      'bad,12,X3', // 4
      'noval,+14152010004,', // 5
      'dup,+14152010001,X5', // 6
      'ragged,+14152010006', // 7
      'long,+14152010007,' + 'y'.repeat(61), // 8
      'optout,+14152010009,X9', // 9
      ...phones(12, 100).map((p, i) => `fill${i},${p},F`),
    ].join('\n'));
    const r = await plan(db, csv, { template: 't', headerText: '{{code}}' }, { maxInvalidPct: 50 });
    const reasons = Object.fromEntries((db.prepare('SELECT reason, group_concat(line) AS lines FROM rejections GROUP BY reason').all() as { reason: string; lines: string }[]).map((x) => [x.reason, x.lines]));
    expect(reasons).toEqual({ missing_phone: '3', invalid_number: '4', missing_value: '5', duplicate: '6', malformed_row: '7', value_too_long: '8', opted_out: '9' });
    expect(r.recipients).toBe(13);
    expect(count(db, 'SELECT count(*) FROM recipients')).toBe(13);
  });

  it('refuses to plan above --max-invalid and writes nothing', async () => {
    const { db, dir } = tempJournal();
    const csv = writeCsv(dir, 'name,phone\nA,415-201-0001\nB,415-201-0002\nC,+14152010003\n');
    const err = await plan(db, csv, undefined, { maxInvalidPct: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toMatch(/2 of 3 rows.*66\.7%.*line 2 "415-201-0001"/);
    expect(count(db, 'SELECT count(*) FROM broadcasts')).toBe(0);
    expect(count(db, 'SELECT count(*) FROM rejections')).toBe(0);
  });

  it('the same plan twice gives the same broadcast and no new rows (content key)', async () => {
    const { db, dir } = tempJournal();
    const csv = writeCsv(dir, csvOf(phones(5)));
    const a = await plan(db, csv);
    const b = await plan(db, csv);
    expect(b.broadcastId).toBe(a.broadcastId);
    expect(b.existing).toBe(true);
    expect(count(db, 'SELECT count(*) FROM recipients')).toBe(5);
    const other = await plan(db, csv, { template: 'other' });
    expect(other.broadcastId).not.toBe(a.broadcastId);
  });

  it('an explicit --key returns the existing broadcast without reading the file again', async () => {
    const { db, dir } = tempJournal();
    const a = await plan(db, writeCsv(dir, csvOf(phones(3))), undefined, { key: 'promo-2026-11-23' });
    const b = await plan(db, writeCsv(dir, csvOf(phones(7)), 'other.csv'), undefined, { key: 'promo-2026-11-23' });
    expect(b).toMatchObject({ broadcastId: a.broadcastId, existing: true });
    expect(count(db, 'SELECT count(*) FROM recipients')).toBe(3);
  });

  it('a dry run writes nothing', async () => {
    const { db, dir } = tempJournal();
    const r = await plan(db, writeCsv(dir, csvOf(phones(4))), undefined, { dryRun: true });
    expect(r).toMatchObject({ broadcastId: null, recipients: 4 });
    expect(r.firstRecipient?.phone).toBe(phones(1)[0]);
    expect(count(db, 'SELECT count(*) FROM broadcasts')).toBe(0);
  });

  it('staging does not lock the journal: another connection can write while rows are staged', async () => {
    const { db, dir, path } = tempJournal();
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    const csv = writeCsv(dir, csvOf(phones(5000)));
    const planning = plan(db, csv);
    await new Promise((r) => setTimeout(r, 5));
    other.prepare("INSERT INTO optouts (phone, source, created_at) VALUES ('+14150000000', 'manual', 0)").run();
    await planning;
    expect(count(db, 'SELECT count(*) FROM recipients')).toBe(5000);
    other.close();
  });

  it('freezes placeholder values into the journal', async () => {
    const { db, dir } = tempJournal();
    await plan(db, writeCsv(dir, 'Name,Phone\nChloé,+33612345678\n'), { text: 'Bonjour {{name}}' });
    expect(JSON.parse(db.prepare('SELECT vars FROM recipients').pluck().get() as string)).toEqual({ name: 'Chloé' });
  });
});
