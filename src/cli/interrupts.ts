// Signals, as the use cases want them: the first SIGINT/SIGTERM/SIGHUP aborts an AbortSignal (stop
// claiming, drain, record, exit 130/143/129); a second one leaves at once.
import { errorOut, type IO, note, type StopSignal } from './io.js';
import { signalExit } from './outcome.js';

export interface Interrupts {
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): StopSignal | null;
  /** Ctrl-C at the confirmation question: counts as a SIGINT. */
  fromPrompt(): void;
  release(): void;
}

/** `continueWith` names the command that continues after a second signal (rows in flight become unknown). */
export function trapInterrupts(io: IO, continueWith: () => string | null): Interrupts {
  const controller = new AbortController();
  let got: StopSignal | null = null;
  const release = io.onSignal((signal) => {
    if (got !== null) {
      const next = continueWith();
      errorOut(
        io,
        `second ${signal}: exiting now; rows in flight will show as unknown${next ? ` — continue with: ${next}` : ''}`,
      );
      io.exit(signalExit(signal));
    }
    got = signal;
    note(io, `\n${signal}: stopping — waiting for requests in flight to be answered and recorded (again to exit at once)`);
    controller.abort();
  });
  return {
    signal: controller.signal,
    received: () => got,
    fromPrompt() {
      got ??= 'SIGINT';
      controller.abort();
    },
    release,
  };
}

/** Resolves on the first SIGINT, SIGTERM or SIGHUP (long-running servers stop on any of them). */
export function untilStopSignal(io: IO): Promise<StopSignal> {
  return new Promise((resolve) => {
    const stop = io.onSignal((signal) => {
      stop();
      resolve(signal);
    });
  });
}
