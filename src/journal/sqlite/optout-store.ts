// The suppression list (optouts) and the proof of opt-in (optins): phones in E.164 with '+', each
// listed once, with the source that first put it there (manual, import, inbound_keyword,
// user_preferences, error_131050 for opt-outs).
import type { OptoutChange } from '../../core/delivery-events.js';
import type { OptoutRow, OptoutStore } from '../../core/journal.js';
import { checkE164 } from '../shared/e164.js';
import { type Db, perConnection, writeTx } from './db.js';
import type { JournalFile } from './journal-file.js';

export type PhoneList = 'optouts' | 'optins';

const prepare = (db: Db, table: PhoneList) => ({
  add: db.prepare(`INSERT OR IGNORE INTO ${table} (phone, source, detail, created_at) VALUES (?, ?, ?, ?)`),
  remove: db.prepare(`DELETE FROM ${table} WHERE phone = ?`),
  removeFrom: db.prepare(`DELETE FROM ${table} WHERE phone = ? AND source = ?`),
  list: db.prepare(`SELECT phone, source, detail, created_at FROM ${table} ORDER BY created_at, phone`),
  has: db.prepare(`SELECT 1 FROM ${table} WHERE phone = ?`).pluck(),
});
const stmts = perConnection((db) => ({ optouts: prepare(db, 'optouts'), optins: prepare(db, 'optins') }));

/** Adds phones (all or none); returns how many were new. An existing entry keeps its source. */
export function addPhones(
  db: Db,
  list: PhoneList,
  phones: readonly string[],
  source: string,
  detail: string | null,
  now: number,
): number {
  checkE164(phones);
  const s = stmts(db)[list];
  return writeTx(db, () => phones.reduce((n, phone) => n + s.add.run(phone, source, detail, now).changes, 0));
}

/** Removes phones; with `source`, only entries that came from that source. Returns how many went. */
export function removePhones(db: Db, list: PhoneList, phones: readonly string[], source?: string): number {
  const s = stmts(db)[list];
  return writeTx(db, () =>
    phones.reduce((n, phone) => n + (source === undefined ? s.remove.run(phone) : s.removeFrom.run(phone, source)).changes, 0),
  );
}

export const addOptouts = (db: Db, phones: readonly string[], source: string, detail: string | null, now: number) =>
  addPhones(db, 'optouts', phones, source, detail, now);

export const removeOptouts = (db: Db, phones: readonly string[], source?: string) => removePhones(db, 'optouts', phones, source);

export function isOptedOut(db: Db, phone: string): boolean {
  return stmts(db).optouts.has.get(phone) !== undefined;
}

export function isOptedIn(db: Db, phone: string): boolean {
  return stmts(db).optins.has.get(phone) !== undefined;
}

/** Adds each phone on its own; returns the ones that were not listed before, as changes to report. */
export function addOptoutsEach(
  db: Db,
  phones: Iterable<string>,
  source: string,
  detail: string | null,
  now: number,
): OptoutChange[] {
  return [...phones].filter((phone) => addOptouts(db, [phone], source, detail, now) > 0).map((phone) => ({ phone, source }));
}

export class SqlitePhoneListStore implements OptoutStore {
  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
    private readonly list_: PhoneList,
  ) {}

  async add(phones: readonly string[], source: string, detail: string | null, now: number): Promise<number> {
    return this.file.run(() => addPhones(this.db, this.list_, phones, source, detail, now));
  }

  async remove(phones: readonly string[], opts: { source?: string } = {}): Promise<number> {
    return this.file.run(() => removePhones(this.db, this.list_, phones, opts.source));
  }

  async list(): Promise<OptoutRow[]> {
    return this.file.run(() => stmts(this.db)[this.list_].list.all() as OptoutRow[]);
  }
}
