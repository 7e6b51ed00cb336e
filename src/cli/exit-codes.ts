// The one place where error kinds become the exit codes of DESIGN §2 (contract).
import { WaSendError, type ErrorKind } from '../core/errors.js';
import { printable } from './io.js';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  partial: 3,
  halted: 4,
  busy: 5,
  pending: 6,
  sigint: 130,
  sigterm: 143,
} as const;

const BY_KIND: Record<Exclude<ErrorKind, 'interrupted'>, number> = {
  usage: EXIT.usage,
  partial: EXIT.partial,
  halted: EXIT.halted,
  busy: EXIT.busy,
  pending: EXIT.pending,
  internal: EXIT.internal,
};

/**
 * SQLite reports a journal held by another writer (past busy_timeout) as SQLITE_BUSY wherever it
 * happens; that is "busy" (exit 5), not a bug. Disk full and read-only files are I/O failures (1).
 */
export function asWaSendError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof WaSendError || typeof code !== 'string') return err;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new WaSendError('busy', 'the journal is locked by another process (waited 5 s); nothing was changed', { hint: 'try again when it finishes', cause: err });
  }
  if (code === 'SQLITE_FULL') return new WaSendError('internal', 'the disk holding the journal is full; the last transaction was rolled back', { cause: err });
  if (code.startsWith('SQLITE_READONLY')) return new WaSendError('internal', 'the journal is read-only for this user', { cause: err });
  return err;
}

/** 143 for SIGTERM, 130 for SIGINT (and for an unnamed interruption). */
export function signalExit(signal: NodeJS.Signals | null | undefined): number {
  return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
}

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof WaSendError)) return EXIT.internal;
  if (err.kind === 'interrupted') return signalExit(err.signal);
  return BY_KIND[err.kind];
}

/** The single stderr line every non-zero exit prints: what happened, then the command that continues. */
export function errorLine(err: unknown): string {
  if (err instanceof WaSendError) {
    const hint = err.hint ? ` — ${err.hint}` : '';
    return `wa-send: ${printable(err.message)}${hint}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `wa-send: unexpected error: ${printable(message)} (this is a bug; please report it with the command you ran)`;
}

