// SQLite's errors in the journal port's terms (the only place they are translated). A lock held
// by another process is `busy` (transient), a full disk `full`, a file that vanished or a failing
// device `io`; a file that is not a journal at all is a usage error naming it.
import { usageError, WaSendError } from '../../core/errors.js';
import { JournalError } from '../../core/journal.js';

export function translateError(err: unknown, path: string): Error {
  if (err instanceof WaSendError || err instanceof JournalError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = (err as Error)?.message ?? String(err);
  if (typeof code !== 'string') return err instanceof Error ? err : new Error(message);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new JournalError('busy', `the journal ${path} is locked by another process`, { cause: err });
  }
  if (code === 'SQLITE_FULL') {
    return new JournalError('full', `the disk holding the journal ${path} is full`, { cause: err });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new JournalError('readonly', `the journal ${path} is read-only for this user`, { cause: err });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return usageError(`${path} is not a wa-send journal (not a SQLite database, or damaged)`);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    return new JournalError('io', `the journal ${path} cannot be read or written (${code}): ${message}`, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new JournalError('readonly', `cannot create the journal ${path}: permission denied`, { cause: err });
  }
  if (code === 'ENOSPC') return new JournalError('full', `the disk holding the journal ${path} is full`, { cause: err });
  return err instanceof Error ? err : new Error(message);
}

/** Runs fn and translates what it throws. */
export function translating<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translateError(err, path);
  }
}
