// The preflight's look at a PostgreSQL journal (`doctor`, and before broadcast and resume), the
// counterpart of SQLite's quick_check and write lock: the schema is this wa-send's and has every
// table, the server takes writes (not a standby, not read-only by default), and the user may write
// every table. One line per problem; none: fine.
import { WaSendError } from '../../core/errors.js';
import { JournalError } from '../../core/journal.js';
import { SCHEMA_VERSION, schemaState } from './migrations.js';
import type { PgDb } from './pool.js';

const TABLES = [
  'schema_version',
  'broadcasts',
  'recipients',
  'rejections',
  'attempts',
  'runs',
  'webhook_events',
  'optouts',
  'optins',
  'number_leases',
];

export async function checkJournal(db: PgDb, readonly: boolean): Promise<string[]> {
  const { schema: s, label } = db.loc;
  // A read-only look at a schema nobody created: an empty journal in pg_temp, nothing to check.
  if (s === 'pg_temp') return [];
  try {
    const state = await schemaState(db, db.loc);
    if (state.kind !== 'current') {
      const version = state.kind === 'behind' ? state.version : 0;
      return [`the journal ${label} has schema ${version} of ${SCHEMA_VERSION}: a command that writes to it upgrades it`];
    }
    const [f] = await db.query<{ standby: boolean; read_only: boolean; missing: string[]; denied: string[] }>(
      `SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') = 'on' AS read_only,
         array(SELECT t FROM unnest($1::text[]) t WHERE to_regclass($2 || '.' || t) IS NULL) AS missing,
         array(SELECT t FROM unnest($1::text[]) t WHERE to_regclass($2 || '.' || t) IS NOT NULL AND NOT (
           has_table_privilege($2 || '.' || t, 'SELECT') AND has_table_privilege($2 || '.' || t, 'INSERT')
           AND has_table_privilege($2 || '.' || t, 'UPDATE') AND has_table_privilege($2 || '.' || t, 'DELETE'))) AS denied`,
      [TABLES, s],
    );
    const problems: string[] = [];
    if (f!.missing.length > 0) problems.push(`the journal ${label} is damaged: ${f!.missing.join(', ')} missing`);
    if (readonly) return problems;
    if (f!.standby) problems.push(`the journal ${label} is on a standby server, which takes no writes: give the primary`);
    else if (f!.read_only) problems.push(`the journal ${label} is read-only for this user (default_transaction_read_only)`);
    if (f!.denied.length > 0) {
      problems.push(
        `the journal ${label} cannot be written by user ${db.loc.user ?? 'the default user'}: ${f!.denied.join(', ')}`,
      );
    }
    if (problems.length > 0) return problems;
    // The write itself: a transaction that takes a transaction id, as every write does, and writes nothing.
    await db.tx((c) => c.rows('SELECT pg_current_xact_id()'));
    return problems;
  } catch (err) {
    if (err instanceof JournalError || err instanceof WaSendError) return [err.message];
    return [`the journal ${label} cannot be checked: ${(err as Error).message}`];
  }
}
