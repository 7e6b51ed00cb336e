// Opening the SQLite journal: file mode 0600, WAL, busy timeout, foreign keys, migrations, and
// the refusals that keep wa-send from touching files that are not its journal.

import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { usageError } from '../../core/errors.js';
import { translateError } from './errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** How long a command waits for another process's write lock before reporting the journal busy. */
export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** Open an existing journal without writing anything (dry runs, status). Missing file: an in-memory empty journal. */
  readonly?: boolean;
  /** Every commit is synced to disk (the webhook receiver: Meta does not resend what got a 200). */
  durable?: boolean;
}

export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  refuseNonFiles(path);
  if (opts.readonly) {
    if (!existsSync(path)) return migrate(new Database(':memory:'));
    try {
      const db = configure(new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }), opts);
      // An empty file or a SQLite file nobody migrated yet reads as an empty journal.
      const version = checkSchema(path, db);
      if (version > 0 && version < MIGRATIONS.length) throw olderSchema(path, version);
      if (version > 0) return db;
      db.close();
      return migrate(new Database(':memory:'));
    } catch (err) {
      throw translateError(err, path);
    }
  }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600)); // create it private before SQLite does
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    checkSchema(path, db); // before WAL mode is set: that already writes to the file
    configure(db, opts);
    keepPrivate(path);
    return migrate(db);
  } catch (err) {
    throw translateError(err, path);
  }
}

/** /dev/null, a FIFO, a directory: SQLite would fail later with an I/O error that names nothing. */
function refuseNonFiles(path: string): void {
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) throw usageError(`the journal ${path} is a directory; give a file path`);
  if (!st.isFile()) throw usageError(`the journal ${path} is not a regular file (a device or a pipe); give a file path`);
}

/** Takes group and world permissions away; never adds any (a read-only journal stays read-only). */
function keepPrivate(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
}

/**
 * Reads the schema version (the first read: a file that is not SQLite fails here) and refuses a
 * journal from a newer wa-send, or another application's database: migrating it would add our
 * tables to someone else's data.
 */
function checkSchema(path: string, db: Db): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw usageError(
      `the journal ${path} was written by a newer wa-send (schema ${version}, this one knows ${MIGRATIONS.length})`,
    );
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
    if (tables > 0) {
      throw usageError(`${path} is a SQLite database of another application, not a wa-send journal; choose another --journal`);
    }
  }
  return version;
}

/** Reading never writes, so a journal an older wa-send wrote is not migrated: it lacks what this one reads. */
function olderSchema(path: string, version: number): Error {
  return usageError(
    `the journal ${path} was written by an older wa-send (schema ${version} of ${MIGRATIONS.length}) and this command only reads it`,
    `upgrade it once with a command that writes to it, e.g. wa-send doctor --journal ${path}`,
  );
}

function configure(db: Db, opts: OpenOptions): Db {
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives any process crash (kill -9); only an OS crash or power loss can
    // lose the last commits: the failure model the resume rules are written for. The receiver
    // syncs every commit: an event Meta got a 200 for is never sent again.
    db.pragma(`synchronous = ${opts.durable ? 'FULL' : 'NORMAL'}`);
    // After a checkpoint lets the WAL start over, its file is cut back to this size.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  }
  db.pragma('foreign_keys = ON');
  // Up to 32 MB of pages in memory (SQLite's default is 2 MB): publishing a 1M-row plan updates
  // indexes keyed by random values (message hashes), which thrash a small cache.
  db.pragma('cache_size = -32768');
  return db;
}

function migrate(db: Db): Db {
  // The version is read inside each write transaction: two processes creating the journal at the
  // same moment must not both run the same migration.
  const step = db.transaction((): boolean => {
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v >= MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${v + 1}`);
    return true;
  });
  while (step.immediate()) {
    /* next migration */
  }
  return db;
}

/**
 * Prepared statements built once per connection: `const stmts = perConnection((db) => ({ … }))`.
 * A WeakMap, so a closed and dropped connection takes its statements with it.
 */
export function perConnection<T>(prepare: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let s = cache.get(db);
    if (s === undefined) cache.set(db, (s = prepare(db)));
    return s;
  };
}

/** Runs fn in an IMMEDIATE transaction (takes the write lock up front, so no upgrade deadlocks). */
export function writeTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
