// Typed errors. Each carries a kind (mapped to an exit code in one place, src/cli/outcome.ts), a
// one-line message for humans and, where there is one, the exact command that continues. Outcomes
// of a run (halted, partial, pending, interrupted) are not errors: use cases return them as values.

export type ErrorKind =
  | 'usage' // exit 2: bad flags or input, missing credentials, unreadable CSV, another target
  | 'busy' // exit 5: another process holds the broadcast, or the journal
  | 'internal'; // exit 1: an I/O failure or a bug

export class WaSendError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WaSendError';
    this.kind = kind;
    this.hint = opts.hint;
  }
}

export const usageError = (message: string, hint?: string): WaSendError =>
  new WaSendError('usage', message, hint === undefined ? {} : { hint });

export const busyError = (message: string, hint?: string): WaSendError =>
  new WaSendError('busy', message, hint === undefined ? {} : { hint });
