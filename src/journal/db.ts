// Opening the journal: file mode 0600, WAL, busy timeout, foreign keys, migrations.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { WaSendError, usageError } from '../core/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** Open an existing journal without writing anything (dry runs, status). Missing file → in-memory empty journal. */
  readonly?: boolean;
  busyTimeoutMs?: number;
}

export function openJournal(path: string, opts: OpenOptions = {}): Db {
  if (existsSync(path) && statSync(path).isDirectory()) throw usageError(`the journal ${path} is a directory; give a file path`);
  if (opts.readonly) {
    if (!existsSync(path)) return migrate(new Database(':memory:'));
    try {
      const db = configure(new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeout(opts) }), true);
      // An empty file or a SQLite file nobody migrated yet reads as an empty journal.
      return checkSchema(path, db) === 0 ? (db.close(), migrate(new Database(':memory:'))) : db;
    } catch (err) {
      throw journalError(path, err);
    }
  }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600)); // create it private before SQLite does
    const db = new Database(path, { timeout: busyTimeout(opts) });
    checkSchema(path, db); // before WAL mode is set: that already writes to the file
    configure(db, false);
    chmodSync(path, 0o600);
    return migrate(db);
  } catch (err) {
    throw journalError(path, err);
  }
}

/**
 * Reads the schema version (the first read: a file that is not SQLite fails here) and refuses a
 * journal from a newer wa-send, or another application's database: migrating it would add our
 * tables to someone else's data.
 */
function checkSchema(path: string, db: Db): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw usageError(`the journal ${path} was written by a newer wa-send (schema ${version}, this one knows ${MIGRATIONS.length})`);
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
    if (tables > 0) throw usageError(`${path} is a SQLite database of another application, not a wa-send journal; choose another --journal`);
  }
  return version;
}

const busyTimeout = (opts: OpenOptions): number => opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS;

function configure(db: Db, readonly: boolean): Db {
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives any process crash (kill -9); only an OS crash or power loss can
    // lose the last commits. That is the failure model the resume rules are written for.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
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
  while (step.immediate()) { /* next migration */ }
  return db;
}

function journalError(path: string, err: unknown): WaSendError {
  if (err instanceof WaSendError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new WaSendError('busy', `the journal ${path} is locked by another process`, { cause: err });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return usageError(`${path} is not a wa-send journal (not a SQLite database)`);
  }
  return new WaSendError('internal', `cannot open the journal ${path}: ${(err as Error).message}`, { cause: err });
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
