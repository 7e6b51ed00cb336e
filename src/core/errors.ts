// Typed errors. Each carries a kind (mapped to an exit code in one place, src/cli/exit-codes.ts),
// a one-line message for humans and, where there is one, the exact command that continues.

export type ErrorKind =
  | 'usage'        // exit 2: bad flags or input, missing credentials, unreadable CSV
  | 'partial'      // exit 3
  | 'halted'       // exit 4
  | 'busy'         // exit 5
  | 'pending'      // exit 6
  | 'interrupted'  // exit 130 / 143
  | 'internal';    // exit 1

export class WaSendError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  /** For 'interrupted': which signal (decides 130 vs 143). */
  readonly signal: NodeJS.Signals | undefined;

  constructor(kind: ErrorKind, message: string, opts: { hint?: string; signal?: NodeJS.Signals; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WaSendError';
    this.kind = kind;
    this.hint = opts.hint;
    this.signal = opts.signal;
  }
}

export const usageError = (message: string, hint?: string): WaSendError =>
  new WaSendError('usage', message, hint === undefined ? {} : { hint });

export const busyError = (message: string, hint?: string): WaSendError =>
  new WaSendError('busy', message, hint === undefined ? {} : { hint });
