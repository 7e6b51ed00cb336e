// `wa-send journal copy` in SQLite: a dump reads every table in one read transaction (a snapshot:
// a run writing meanwhile is not half-copied), a page at a time; a load writes the chunks in one
// IMMEDIATE transaction into a journal it checks is empty, keeping every id.
//
// Unlike every other transaction here, these two stay open across awaits (the other journal's
// side of the copy is asynchronous). That is safe only because the copy owns this connection for
// its whole duration: nothing else in the process uses the journal meanwhile.
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
import type { Db } from './db.js';
import type { JournalFile } from './journal-file.js';

/** Rowid order is creation order. */
const ORDER = copyOrder('rowid');

export class SqliteCopyStore implements CopyStore {
  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
  ) {}

  async *dump(): AsyncGenerator<CopyChunk> {
    const { db, file } = this;
    file.run(() => db.exec('BEGIN'));
    try {
      for (const table of COPY_TABLES) {
        const key = ORDER[table];
        const columns = COPY_COLUMNS[table].join(', ');
        const first = db.prepare(`SELECT ${key} AS _key, ${columns} FROM ${table} ORDER BY ${key} LIMIT ?`);
        const next = db.prepare(`SELECT ${key} AS _key, ${columns} FROM ${table} WHERE ${key} > ? ORDER BY ${key} LIMIT ?`);
        let after: unknown = null;
        for (;;) {
          const rows = file.run(
            () => (after === null ? first.all(COPY_CHUNK_ROWS) : next.all(after, COPY_CHUNK_ROWS)) as Record<string, unknown>[],
          );
          if (rows.length === 0) break;
          after = rows[rows.length - 1]!._key;
          for (const r of rows) delete r._key;
          yield { table, rows } as unknown as CopyChunk; // the columns of COPY_COLUMNS[table]
          if (rows.length < COPY_CHUNK_ROWS) break;
        }
      }
    } finally {
      if (db.inTransaction) db.exec('COMMIT');
    }
  }

  async isEmpty(): Promise<boolean> {
    return this.file.run(() => isEmpty(this.db));
  }

  async load(chunks: AsyncIterable<CopyChunk>): Promise<CopyCounts> {
    const { db, file } = this;
    const counts = Object.fromEntries(COPY_TABLES.map((t) => [t, 0])) as CopyCounts;
    const inserts = Object.fromEntries(
      COPY_TABLES.map((t) => {
        const columns = COPY_COLUMNS[t];
        return [t, db.prepare(`INSERT INTO ${t} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)];
      }),
    ) as Record<CopyTable, ReturnType<Db['prepare']>>;
    file.run(() => db.exec('BEGIN IMMEDIATE'));
    try {
      if (!isEmpty(db)) throw usageError(`the journal ${file.path} is not empty: journal copy writes only into an empty journal`);
      for await (const chunk of chunks) {
        const columns = COPY_COLUMNS[chunk.table];
        const insert = inserts[chunk.table];
        file.run(() => {
          for (const row of chunk.rows as object[]) insert.run(columns.map((c) => (row as Record<string, unknown>)[c]));
        });
        counts[chunk.table] += chunk.rows.length;
      }
      file.run(() => db.exec('COMMIT'));
      return counts;
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }
}

function isEmpty(db: Db): boolean {
  return (
    db
      .prepare(`SELECT ${isEmptySql('')}`)
      .pluck()
      .get() === 1
  );
}
