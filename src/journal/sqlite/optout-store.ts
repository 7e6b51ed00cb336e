// The suppression list. Phones are E.164 with '+'; a phone is listed once, with the source that
// first put it there (manual, import, inbound_keyword, user_preferences, error_131050).
import type { OptoutChange } from '../../core/delivery-events.js';
import type { OptoutRow, OptoutStore } from '../../core/journal.js';
import { type Db, perConnection, writeTx } from './db.js';
import type { JournalFile } from './journal-file.js';

const E164 = /^\+[1-9]\d{5,14}$/;

const stmts = perConnection((db) => ({
  add: db.prepare('INSERT OR IGNORE INTO optouts (phone, source, detail, created_at) VALUES (?, ?, ?, ?)'),
  remove: db.prepare('DELETE FROM optouts WHERE phone = ?'),
  removeFrom: db.prepare('DELETE FROM optouts WHERE phone = ? AND source = ?'),
  list: db.prepare('SELECT phone, source, detail, created_at FROM optouts ORDER BY created_at, phone'),
  has: db.prepare('SELECT 1 FROM optouts WHERE phone = ?').pluck(),
}));

function checkE164(phones: readonly string[]): void {
  const bad = phones.find((p) => !E164.test(p));
  if (bad !== undefined) throw new Error(`not an E.164 phone number: "${bad}" (normalize it first)`);
}

/** Adds phones (all or none); returns how many were new. An existing entry keeps its source. */
export function addOptouts(db: Db, phones: readonly string[], source: string, detail: string | null, now: number): number {
  checkE164(phones);
  const s = stmts(db);
  return writeTx(db, () => phones.reduce((n, phone) => n + s.add.run(phone, source, detail, now).changes, 0));
}

export function removeOptouts(db: Db, phones: readonly string[], source?: string): number {
  const s = stmts(db);
  return writeTx(db, () =>
    phones.reduce((n, phone) => n + (source === undefined ? s.remove.run(phone) : s.removeFrom.run(phone, source)).changes, 0),
  );
}

export function isOptedOut(db: Db, phone: string): boolean {
  return stmts(db).has.get(phone) !== undefined;
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

export class SqliteOptoutStore implements OptoutStore {
  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
  ) {}

  async add(phones: readonly string[], source: string, detail: string | null, now: number): Promise<number> {
    return this.file.run(() => addOptouts(this.db, phones, source, detail, now));
  }

  async remove(phones: readonly string[], opts: { source?: string } = {}): Promise<number> {
    return this.file.run(() => removeOptouts(this.db, phones, opts.source));
  }

  async list(): Promise<OptoutRow[]> {
    return this.file.run(() => stmts(this.db).list.all() as OptoutRow[]);
  }
}
