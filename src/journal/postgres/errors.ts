// PostgreSQL's errors in the journal port's terms (the only place they are translated). Opening:
// one usage line naming the server and what to check (exit 2). Later: a server that went away is
// `unavailable` and lock trouble `busy` (both transient: a run keeps its answers and tries again),
// a full disk `full`, a standby `readonly`, dropped tables `gone`. Anything else is a bug, as is.
import { usageError, WaSendError } from '../../core/errors.js';
import { JournalError } from '../../core/journal.js';
import type { PgLocation } from './url.js';

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const LOST = /Connection terminated|not queryable|Client was closed|connection timeout|timeout exceeded when trying to connect/i;

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The connection itself failed (as opposed to a statement): the pool should drop it. */
export function isConnectionLoss(err: unknown): boolean {
  const code = codeOf(err);
  return NETWORK.has(code) || code.startsWith('08') || code.startsWith('57P') || LOST.test(messageOf(err));
}

/** An error while opening the journal: what is wrong, where, and what to check, on one line. */
export function openError(err: unknown, loc: PgLocation, passwordFrom: string | null): Error {
  if (err instanceof WaSendError || err instanceof JournalError) return err;
  const code = codeOf(err);
  const message = messageOf(err);
  const at = `${loc.host}:${loc.port}`;
  const cannot = `cannot open the PostgreSQL journal at ${loc.label}`;
  const user = loc.user ?? 'the default user';
  if (code === 'ECONNREFUSED') {
    return usageError(
      `${cannot}: connection refused`,
      `check that PostgreSQL is running and listens on ${at} (listen_addresses, port, firewall)`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return usageError(`${cannot}: the host ${loc.host} is not known`, 'check the host name in --journal (or WA_SEND_JOURNAL)');
  }
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) || /timeout/i.test(message)) {
    return usageError(
      `${cannot}: no answer from ${at}`,
      'check the host, the port and any firewall between this machine and the server',
    );
  }
  if (passwordFrom === null && (code === '28P01' || /password must be a string/i.test(message))) {
    return usageError(
      `${cannot}: the server asks for a password for user ${user} and none was given`,
      'put it in PGPASSWORD or ~/.pgpass (or the URL)',
    );
  }
  if (code === '28P01') {
    return usageError(
      `${cannot}: password authentication failed for user ${user} (password from ${passwordFrom})`,
      'check the password (in the URL, PGPASSWORD or ~/.pgpass)',
    );
  }
  if (code === '28000') {
    return usageError(
      `${cannot}: the server refused user ${user} from this machine`,
      'check pg_hba.conf on the server, the user name, and sslmode',
    );
  }
  if (code === '3D000') {
    return usageError(
      `${cannot}: the database ${loc.database} does not exist`,
      `create it (createdb -h ${loc.host} -p ${loc.port} ${loc.database}) or fix the database name in the URL`,
    );
  }
  if (code === '42501') {
    return usageError(
      `${cannot}: permission denied (${message})`,
      `let ${user} create the schema (GRANT CREATE ON DATABASE ${loc.database} TO ${user}) or create it: CREATE SCHEMA ${loc.schema} AUTHORIZATION ${user}`,
    );
  }
  if (/SSL/i.test(message)) return usageError(`${cannot}: ${message}`, 'check sslmode (and sslrootcert) in the URL');
  if (code === '53300')
    return usageError(`${cannot}: the server has no connection slot left`, 'try again later, or raise max_connections');
  if (code.startsWith('57P')) return usageError(`${cannot}: the server is starting up or shutting down`, 'try again in a moment');
  return usageError(`${cannot}: ${message}`);
}

/** An error of a statement on an open journal, in the port's terms. */
export function runError(err: unknown, loc: PgLocation): Error {
  if (err instanceof WaSendError || err instanceof JournalError) return err;
  const code = codeOf(err);
  const where = `the PostgreSQL journal at ${loc.label}`;
  const journalError = (fault: JournalError['fault'], what: string) =>
    new JournalError(fault, `${where} ${what}`, { cause: err });
  if (['40001', '40P01', '55P03', '57014'].includes(code)) return journalError('busy', 'is locked by another process');
  if (code === '53100') return journalError('full', 'is out of disk space on the server');
  if (code === '25006') return journalError('readonly', 'is read-only (a standby server?)');
  if (code === '42P01' || code === '3F000') return journalError('gone', `has lost its tables (schema ${loc.schema} dropped?)`);
  if (isConnectionLoss(err) || code === '53300') return journalError('unavailable', `cannot be reached (${messageOf(err)})`);
  return err instanceof Error ? err : new Error(messageOf(err));
}
