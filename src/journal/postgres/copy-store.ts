// `wa-send journal copy` in PostgreSQL: a dump reads every table in one REPEATABLE READ snapshot
// on a connection of its own, a page at a time; a load COPies the chunks in one transaction, with
// the tables locked against other writers, into a journal it checks is empty, then moves the id
// sequences past the copied ids.

import { usageError } from '../../core/errors.js';
import {
  COPY_CHUNK_ROWS,
  COPY_COLUMNS,
  COPY_TABLES,
  type CopyChunk,
  type CopyCounts,
  type CopyStore,
  type CopyTable,
} from '../../core/journal-copy.js';
import { copyOrder, isEmptySql } from '../shared/copy-sql.js';
import type { PgDb, Rows } from './pool.js';

/** seq is the broadcasts' creation order. */
const ORDER = copyOrder('seq');
/** What a dump selects for a column that is not read as is: require_optin as SQLite's 0/1. */
const SELECTED: Record<string, string> = { require_optin: 'require_optin::int AS require_optin' };
const WITH_IDS: readonly CopyTable[] = ['recipients', 'rejections', 'attempts', 'runs', 'webhook_events'];

export class PgCopyStore implements CopyStore {
  constructor(private readonly db: PgDb) {}

  async *dump(): AsyncGenerator<CopyChunk> {
    const s = this.db.loc.schema;
    const { conn, release } = await this.db.dedicated();
    try {
      // A snapshot held while the target writes each chunk (it locks nothing: no need to end it early).
      await conn.run('SET idle_in_transaction_session_timeout = 0');
      await conn.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for (const table of COPY_TABLES) {
        const key = ORDER[table];
        const columns = [...COPY_COLUMNS[table], ...(table === 'broadcasts' ? ['seq'] : [])].map((c) => SELECTED[c] ?? c);
        let after: unknown = null;
        for (;;) {
          const where = after === null ? '' : `WHERE ${key} > $2`;
          const rows = await conn.rows<Record<string, unknown>>(
            `SELECT ${columns.join(', ')} FROM ${s}.${table} ${where} ORDER BY ${key} LIMIT $1`,
            after === null ? [COPY_CHUNK_ROWS] : [COPY_CHUNK_ROWS, after],
          );
          if (rows.length === 0) break;
          after = rows[rows.length - 1]![key];
          if (table === 'broadcasts') for (const r of rows) delete r.seq;
          yield { table, rows } as unknown as CopyChunk; // the columns of COPY_COLUMNS[table]
          if (rows.length < COPY_CHUNK_ROWS) break;
        }
      }
      await conn.run('COMMIT');
    } finally {
      release(true);
    }
  }

  async isEmpty(): Promise<boolean> {
    return isEmpty(this.db, this.db.loc.schema);
  }

  async load(chunks: AsyncIterable<CopyChunk>): Promise<CopyCounts> {
    const s = this.db.loc.schema;
    const counts = Object.fromEntries(COPY_TABLES.map((t) => [t, 0])) as CopyCounts;
    const { conn, release } = await this.db.dedicated();
    let ok = false;
    try {
      await conn.run('BEGIN');
      // Nobody plans or records into the target while it is being filled.
      await conn.run(`LOCK TABLE ${COPY_TABLES.map((t) => `${s}.${t}`).join(', ')} IN EXCLUSIVE MODE`);
      if (!(await isEmpty(conn, s))) {
        throw usageError(`the journal ${this.db.loc.label} is not empty: journal copy writes only into an empty journal`);
      }
      for await (const chunk of chunks) {
        const columns = COPY_COLUMNS[chunk.table];
        const rows = (chunk.rows as object[]).map((r) => columns.map((c) => (r as Record<string, unknown>)[c]));
        await conn.copyIn(`${s}.${chunk.table}`, columns, rows);
        counts[chunk.table] += rows.length;
      }
      for (const table of WITH_IDS) {
        // The next id after the copied ones: rows planned later keep plan order after them.
        await conn.run(
          `SELECT setval(pg_get_serial_sequence('${s}.${table}', 'id'), greatest(max(id), 1), max(id) IS NOT NULL) FROM ${s}.${table}`,
        );
      }
      await conn.run('COMMIT');
      ok = true;
      return counts;
    } finally {
      if (!ok) await conn.run('ROLLBACK').catch(() => {});
      release(!ok);
    }
  }
}

async function isEmpty(c: Pick<Rows, 'rows'>, s: string): Promise<boolean> {
  const [row] = await c.rows<{ empty: boolean }>(`SELECT ${isEmptySql(`${s}.`)} AS empty`);
  return row!.empty;
}
