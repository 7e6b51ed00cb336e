// The connection pool of one PostgreSQL journal, and the only way the stores reach it: `query` for
// one statement, `tx` for a transaction on one connection, `dedicated` for a connection held for a
// while (plan staging, a dump). Every error comes out translated (errors.ts).
import pg from 'pg';
import { JournalError } from '../../core/journal.js';
import { copyRows, copyText } from './copy-rows.js';
import { runError } from './errors.js';
import { type Env, lookupPassword, withPassword } from './password.js';
import type { PgLocation } from './url.js';

/** How long a statement waits for a row another process has locked before the journal counts as busy. */
export const LOCK_TIMEOUT_MS = 5000;
/**
 * A connection left inside a transaction this long belongs to a process that is stopped or stuck
 * (ours last milliseconds): the server ends it, so its locks cannot keep another box from taking
 * over a broadcast once the lease has expired. Well below the lease TTL (30 s).
 */
export const IDLE_IN_TRANSACTION_MS = 10_000;

const INT8 = 20;
/** Every bigint wa-send stores (ms timestamps, ids, counts) is below 2^53: a plain number. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  env: Env;
  /** Every commit flushed to the server's disk before it returns, whatever the server's default. */
  durable?: boolean;
  /** Runs once on every new connection before its first use (an empty read-only journal in pg_temp). */
  init?: (client: pg.PoolClient) => Promise<void>;
  max?: number;
}

/** Reads and writes a statement at a time: a Conn, or the pool itself. */
export type Rows = Pick<Conn, 'rows' | 'run'>;

/** A connection inside `tx` or `dedicated`. */
export interface Conn {
  rows<T>(text: string, values?: unknown[], name?: string): Promise<T[]>;
  /** Rows changed. */
  run(text: string, values?: unknown[], name?: string): Promise<number>;
  /** COPY rows into a table (values in `columns` order). */
  copyIn(table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<void>;
  /** COPY rows already in COPY's text format (copy-rows.ts encodeRow). */
  copyEncoded(table: string, columns: readonly string[], chunks: Iterable<string>): Promise<void>;
  readonly client: pg.PoolClient;
}

export class PgDb {
  private readonly pool: pg.Pool;
  private readonly initialized = new WeakSet<pg.PoolClient>();
  /** Where the password came from ("the URL", "PGPASSWORD", a file), or null: none was given. */
  readonly passwordFrom: string | null;

  constructor(
    readonly loc: PgLocation,
    private readonly opts: PoolOptions,
  ) {
    const found = loc.hasPassword ? undefined : lookupPassword(loc, opts.env);
    this.passwordFrom = loc.hasPassword ? 'the URL' : (found?.source ?? null);
    this.pool = new pg.Pool({
      connectionString: found === undefined ? loc.connectionString : withPassword(loc.connectionString, found.password),
      application_name: 'wa-send',
      max: opts.max ?? 4,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      lock_timeout: LOCK_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      ...(opts.durable ? { options: '-c synchronous_commit=on' } : {}),
      types,
    });
    // An idle connection the server closed: the pool drops it and the next query opens another.
    this.pool.on('error', () => {});
  }

  async query<T>(text: string, values?: unknown[], name?: string): Promise<T[]> {
    return this.withConn((c) => c.rows<T>(text, values, name));
  }

  async run(text: string, values?: unknown[], name?: string): Promise<number> {
    return this.withConn((c) => c.run(text, values, name));
  }

  /** `query` by the name a connection gives it: the pool stands in for a Conn's reads (`Rows`), one statement at a time. */
  async rows<T>(text: string, values?: unknown[], name?: string): Promise<T[]> {
    return this.query<T>(text, values, name);
  }

  /**
   * fn on one connection inside one REPEATABLE READ READ ONLY transaction, with the journal's schema
   * on the search path: every read sees the same snapshot, and the SQL the adapters share names
   * tables without a schema.
   */
  async snapshot<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (c) => {
      await c.client.query(`SET LOCAL search_path = ${this.loc.schema}`);
      return fn(c);
    });
  }

  /** fn inside BEGIN … COMMIT on one connection; rolled back when it throws. */
  async tx<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN', fn);
  }

  private async inTransaction<T>(begin: string, fn: (c: Conn) => Promise<T>): Promise<T> {
    return this.withConn(async (c) => {
      await c.client.query(begin);
      try {
        const result = await fn(c);
        await c.client.query('COMMIT');
        return result;
      } catch (err) {
        await c.client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  /** A connection of its own until `release` (TEMP tables live as long as it). */
  async dedicated(): Promise<{ conn: Conn; release(destroy?: boolean): void }> {
    const client = await this.checkout();
    let released = false;
    return {
      conn: this.conn(client),
      release: (destroy = false) => {
        if (released) return;
        released = true;
        client.removeListener('error', ignore);
        client.release(destroy);
      },
    };
  }

  translate(err: unknown): Error {
    return runError(err, this.loc);
  }

  async end(): Promise<void> {
    await this.pool.end();
  }

  /** fn on one connection, without a transaction (each statement commits on its own). */
  async withConnection<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    return this.withConn(fn);
  }

  private async withConn<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    let lost: Error | undefined;
    try {
      return await fn(this.conn(client));
    } catch (err) {
      const translated = this.translate(err);
      // A connection the server ended goes, not back to the pool.
      if (translated instanceof JournalError && translated.fault === 'unavailable') lost = translated;
      throw translated;
    } finally {
      client.removeListener('error', ignore);
      client.release(lost);
    }
  }

  private async checkout(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    // The server may end a connection we hold (a restart, the idle-in-transaction timeout): that
    // surfaces as the rejection of the statement in progress, never as an uncaught 'error' event.
    client.on('error', ignore);
    if (this.opts.init && !this.initialized.has(client)) {
      try {
        await this.opts.init(client);
        this.initialized.add(client);
      } catch (err) {
        client.removeListener('error', ignore);
        client.release(true);
        throw this.translate(err);
      }
    }
    return client;
  }

  private conn(client: pg.PoolClient): Conn {
    const exec = async (text: string, values?: unknown[], name?: string) => {
      try {
        return await client.query({ text, values: values?.map(noNul), ...(name && { name }) });
      } catch (err) {
        throw this.translate(err);
      }
    };
    return {
      client,
      copyIn: async (table, columns, rows) => {
        try {
          await copyRows(client, table, columns, rows);
        } catch (err) {
          throw this.translate(err);
        }
      },
      copyEncoded: async (table, columns, chunks) => {
        try {
          await copyText(client, table, columns, chunks);
        } catch (err) {
          throw this.translate(err);
        }
      },
      rows: async <T>(text: string, values?: unknown[], name?: string) => (await exec(text, values, name)).rows as T[],
      run: async (text: string, values?: unknown[], name?: string) => (await exec(text, values, name)).rowCount ?? 0,
    };
  }
}

const ignore = () => {};

/**
 * $n placeholders for the SQL builders the adapters share (`param` turns a value into one and
 * remembers it), numbered after `first` fixed ones. A whole number is typed bigint: in
 * `started_at / $n` an untyped parameter could be taken for numeric, and the division would not be
 * the integer one the timeline needs.
 */
export function pgParams(first: unknown[] = []): { param: (value: unknown) => string; values: unknown[] } {
  const values = [...first];
  return {
    values,
    param: (v) => {
      const n = values.push(v);
      return Number.isSafeInteger(v) ? `$${n}::bigint` : `$${n}`;
    },
  };
}

/**
 * PostgreSQL text cannot hold NUL, which a CSV cell or an API's answer can: it becomes U+FFFD
 * rather than failing a plan or a record that SQLite would have taken.
 */
export function noNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
  if (Array.isArray(value)) return value.map(noNul);
  return value;
}
