// The suppression list, shared by every sender and receiver on the journal. Phones are E.164 with
// '+'; a phone is listed once, with the source that first put it there.
import type { OptoutChange } from '../../core/delivery-events.js';
import type { OptoutRow, OptoutStore } from '../../core/journal.js';
import { checkE164 } from '../shared/e164.js';
import type { Conn, PgDb } from './pool.js';

type Rows = Pick<Conn, 'rows' | 'run'>;

/** Adds phones (all or none: one statement); returns how many were new. */
export async function addOptouts(
  c: Rows,
  s: string,
  phones: readonly string[],
  source: string,
  detail: string | null,
  now: number,
): Promise<number> {
  checkE164(phones);
  return c.run(
    `INSERT INTO ${s}.optouts (phone, source, detail, created_at) SELECT unnest($1::text[]), $2, $3, $4 ON CONFLICT (phone) DO NOTHING`,
    [phones, source, detail, now],
  );
}

/** Adds phones; returns the ones that were not listed before, as changes to report. */
export async function addOptoutsEach(
  c: Rows,
  s: string,
  phones: Iterable<string>,
  source: string,
  detail: string | null,
  now: number,
): Promise<OptoutChange[]> {
  const list = [...phones];
  checkE164(list);
  const added = await c.rows<{ phone: string }>(
    `INSERT INTO ${s}.optouts (phone, source, detail, created_at) SELECT unnest($1::text[]), $2, $3, $4
     ON CONFLICT (phone) DO NOTHING RETURNING phone`,
    [list, source, detail, now],
  );
  const isNew = new Set(added.map((r) => r.phone));
  return list.filter((phone) => isNew.delete(phone)).map((phone) => ({ phone, source }));
}

export async function removeOptouts(c: Rows, s: string, phones: readonly string[], source?: string): Promise<number> {
  if (source === undefined) return c.run(`DELETE FROM ${s}.optouts WHERE phone = ANY($1::text[])`, [phones]);
  return c.run(`DELETE FROM ${s}.optouts WHERE phone = ANY($1::text[]) AND source = $2`, [phones, source]);
}

export class PgOptoutStore implements OptoutStore {
  private readonly rows: Rows;

  constructor(private readonly db: PgDb) {
    this.rows = { rows: (text, values) => db.query(text, values), run: (text, values) => db.run(text, values) };
  }

  async add(phones: readonly string[], source: string, detail: string | null, now: number): Promise<number> {
    return addOptouts(this.rows, this.db.loc.schema, phones, source, detail, now);
  }

  async remove(phones: readonly string[], opts: { source?: string } = {}): Promise<number> {
    return removeOptouts(this.rows, this.db.loc.schema, phones, opts.source);
  }

  async list(): Promise<OptoutRow[]> {
    return this.db.query<OptoutRow>(
      `SELECT phone, source, detail, created_at FROM ${this.db.loc.schema}.optouts ORDER BY created_at, phone`,
    );
  }
}
