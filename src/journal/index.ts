// Opens the journal a --journal value (or WA_SEND_JOURNAL) names: a file path for SQLite, or a
// postgres:// URL for the shared PostgreSQL journal. The only place outside src/journal that knows
// which adapter is used; adapters load lazily, so a command pays only for the one it opens.
import { usageError } from '../core/errors.js';
import type { Journal } from '../core/journal.js';

export interface JournalOptions {
  /** Read without writing anything (status, dry runs); a missing SQLite file reads as an empty journal. */
  readonly?: boolean;
  /** Every commit synced to disk before it returns (the webhook receiver). */
  durable?: boolean;
  /** The environment PostgreSQL's PGPASSWORD and PGPASSFILE are read from (the CLI's, after --env-file; default: none). */
  env?: Readonly<Record<string, string | undefined>>;
}

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** A URL (postgres://…, or a scheme wa-send refuses) rather than a file path. */
export function isJournalUrl(location: string): boolean {
  return URL_SCHEME.test(location);
}

/** The location without a password, for every message that names the journal. */
export function printableLocation(location: string): string {
  if (!isJournalUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password !== '') url.password = '***';
    // libpq also takes the password as a parameter.
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return location.replace(/:\/\/([^/@:]*):[^/@]*@/, '://$1:***@');
  }
}

export async function openJournal(location: string, opts: JournalOptions = {}): Promise<Journal> {
  const scheme = URL_SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const { openSqliteJournal } = await import('./sqlite/journal.js');
    return openSqliteJournal(location, opts);
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { openPostgresJournal } = await import('./postgres/journal.js');
    return openPostgresJournal(location, { ...opts, env: opts.env ?? {}, printable: printableLocation(location) });
  }
  throw usageError(`--journal "${scheme}://…" is not a journal wa-send knows: give a file path or a postgres:// URL`);
}
