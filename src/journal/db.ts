// Opening the journal: file mode 0600, WAL, busy timeout, foreign keys, migrations.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { WaSendError, usageError } from '../core/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open an existing journal without writing anything (dry runs, status). Missing file → in-memory empty journal. */
  readonly?: boolean;
  busyTimeoutMs?: number;
}

export function openJournal(path: string, opts: OpenOptions = {}): Db {
  if (opts.readonly) {
    if (!existsSync(path)) return migrate(new Database(':memory:'));
    return configure(new Database(path, { readonly: true, fileMustExist: true }), opts, true);
  }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600)); // create it private before SQLite does
    const db = configure(new Database(path), opts, false);
    chmodSync(path, 0o600);
    return migrate(db);
  } catch (err) {
    throw journalError(path, err);
  }
}

function configure(db: Db, opts: OpenOptions, readonly: boolean): Db {
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
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
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw usageError(`the journal was written by a newer wa-send (schema ${current}, this one knows ${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
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

/** Runs fn in an IMMEDIATE transaction (takes the write lock up front, so no upgrade deadlocks). */
export function writeTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
