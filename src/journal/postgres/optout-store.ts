// The suppression list (optouts) and the proof of opt-in (optins), shared by every sender and
// receiver on the journal. Phones are E.164 with '+'; a phone is listed once, with the source that
// first put it there.
import type { OptoutChange } from '../../core/delivery-events.js';
import type { OptoutRow, OptoutStore } from '../../core/journal.js';
import { checkE164 } from '../shared/e164.js';
import type { PgDb, Rows } from './pool.js';

export type PhoneList = 'optouts' | 'optins';

/** Adds phones (all or none: one statement); returns the ones that were not listed before. */
async function insertPhones(
  c: Rows,
  s: string,
  list: PhoneList,
  phones: readonly string[],
  source: string,
  detail: string | null,
  now: number,
): Promise<Set<string>> {
  checkE164(phones);
  const added = await c.rows<{ phone: string }>(
    `INSERT INTO ${s}.${list} (phone, source, detail, created_at) SELECT unnest($1::text[]), $2, $3, $4
     ON CONFLICT (phone) DO NOTHING RETURNING phone`,
    [phones, source, detail, now],
  );
  return new Set(added.map((r) => r.phone));
}

/** Adds opt-outs; returns the phones that were not listed before, as changes to report. */
export async function addOptoutsEach(
  c: Rows,
  s: string,
  phones: Iterable<string>,
  source: string,
  detail: string | null,
  now: number,
): Promise<OptoutChange[]> {
  const list = [...phones];
  const isNew = await insertPhones(c, s, 'optouts', list, source, detail, now);
  return list.filter((phone) => isNew.delete(phone)).map((phone) => ({ phone, source }));
}

/** Removes phones; with `source`, only entries from that source. Returns how many went. */
export async function removePhones(c: Rows, s: string, list: PhoneList, phones: readonly string[], source?: string) {
  if (source === undefined) return c.run(`DELETE FROM ${s}.${list} WHERE phone = ANY($1::text[])`, [phones]);
  return c.run(`DELETE FROM ${s}.${list} WHERE phone = ANY($1::text[]) AND source = $2`, [phones, source]);
}

export class PgPhoneListStore implements OptoutStore {
  constructor(
    private readonly db: PgDb,
    private readonly list_: PhoneList,
  ) {}

  async add(phones: readonly string[], source: string, detail: string | null, now: number): Promise<number> {
    return (await insertPhones(this.db, this.db.loc.schema, this.list_, phones, source, detail, now)).size;
  }

  async remove(phones: readonly string[], opts: { source?: string } = {}): Promise<number> {
    return removePhones(this.db, this.db.loc.schema, this.list_, phones, opts.source);
  }

  async list(): Promise<OptoutRow[]> {
    return this.db.query<OptoutRow>(
      `SELECT phone, source, detail, created_at FROM ${this.db.loc.schema}.${this.list_} ORDER BY created_at, phone`,
    );
  }
}
