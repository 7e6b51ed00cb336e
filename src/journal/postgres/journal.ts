// The PostgreSQL journal: the shared store for several machines (DESIGN §10). Opens a pool,
// migrates the schema (or, read-only, reads it as it is), and assembles the port's stores.
import { usageError } from '../../core/errors.js';
import { type Journal, JournalError } from '../../core/journal.js';
import { PgBroadcastStore } from './broadcast-store.js';
import { checkJournal } from './check.js';
import { PgCopyStore } from './copy-store.js';
import { openError } from './errors.js';
import { applyPendingEvents } from './event-apply.js';
import { PgEventStore } from './event-store.js';
import { createTempJournal, migrate, SCHEMA_VERSION, type SchemaState, schemaState } from './migrations.js';
import { PgPhoneListStore } from './optout-store.js';
import type { Env } from './password.js';
import { PgPlanStore } from './plan-store.js';
import { PgDb } from './pool.js';
import { PgReportStore } from './report-store.js';
import { PgRunStore } from './run-store.js';
import { parsePgUrl } from './url.js';

export interface PgOpenOptions {
  /** Read without writing anything; a schema nobody created yet reads as an empty journal. */
  readonly?: boolean;
  /** Every commit flushed on the server before it returns (the webhook receiver). */
  durable?: boolean;
  /** Where PGPASSWORD and PGPASSFILE are read. */
  env: Env;
  /** The location as it may be printed (no password). */
  printable: string;
}

export async function openPostgresJournal(url: string, opts: PgOpenOptions): Promise<Journal> {
  const loc = parsePgUrl(url);
  let db = new PgDb(loc, { env: opts.env, durable: opts.durable });
  try {
    let state: SchemaState | null = null;
    if (opts.readonly) state = await schemaState(db, loc);
    else await migrate(db);
    if (state?.kind === 'new') {
      // Like a SQLite journal file that does not exist: empty tables in each connection's pg_temp,
      // nothing created in the database.
      await db.end();
      db = new PgDb({ ...loc, schema: 'pg_temp' }, { env: opts.env, init: createTempJournal });
    }
    // Reading never writes, so a schema an older wa-send wrote is not migrated: it lacks what this one reads.
    if (state?.kind === 'behind') {
      throw usageError(
        `the journal ${loc.label} was written by an older wa-send (schema ${state.version} of ${SCHEMA_VERSION}) and this command only reads it`,
        'upgrade it once with a command that writes to it, e.g. wa-send doctor --journal …',
      );
    }
  } catch (err) {
    await db.end().catch(() => {});
    throw openError(err instanceof JournalError && err.cause !== undefined ? err.cause : err, loc, db.passwordFrom);
  }
  return assemble(db, opts.printable, Boolean(opts.readonly));
}

function assemble(db: PgDb, location: string, readonly: boolean): Journal {
  let closed = false;
  const background = coalesced((now) => applyPendingEvents(db, now));
  return {
    location,
    plans: new PgPlanStore(db),
    runs: new PgRunStore(db, (now) => applyPendingEvents(db, now), background.kick),
    broadcasts: new PgBroadcastStore(db),
    // After a background pass of this process (it holds its page's rows: SKIP LOCKED would pass
    // them by), so what applyPending returns covers every event that could be applied.
    events: new PgEventStore(db, background.idle),
    optouts: new PgPhoneListStore(db, 'optouts'),
    optins: new PgPhoneListStore(db, 'optins'),
    check: () => checkJournal(db, readonly),
    reports: new PgReportStore(db),
    copy: new PgCopyStore(db),
    async close() {
      if (closed) return;
      closed = true;
      await background.idle();
      await db.end();
    },
  };
}

/**
 * Runs fn in the background, one pass at a time; a kick during a pass asks for one more after it.
 * Errors are dropped: events left pending are applied by the next pass, a resume or a receiver.
 */
function coalesced(fn: (now: number) => Promise<unknown>) {
  let running: Promise<void> | null = null;
  let again: number | null = null;
  const kick = (now: number): void => {
    if (running !== null) {
      again = now;
      return;
    }
    running = fn(now)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        running = null;
        if (again !== null) {
          const next = again;
          again = null;
          kick(next);
        }
      });
  };
  return {
    kick,
    async idle(): Promise<void> {
      while (running !== null) await running;
    },
  };
}
