// One IO object: streams, TTY flags, colour, the terminal prompt, signals and the process exit travel
// together, so commands never touch `process` directly and tests pass an in-memory version.

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';

export interface TextSink {
  write(chunk: string): unknown;
}

export type Answer = 'yes' | 'no' | 'interrupted';

/** The signals that stop a run gracefully: Ctrl-C, a kill, a dropped SSH session. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface IO {
  stdout: TextSink;
  stderr: TextSink;
  /** Standard input, for `broadcast -` and `optout import -`. */
  stdin(): Readable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  color: ChalkInstance;
  quiet: boolean;
  verbose: boolean;
  /** Asks a yes/no question on the terminal; only called when stdin is a TTY. Ctrl-C answers 'interrupted'. */
  confirm(question: string): Promise<Answer>;
  /** Calls `handler` on SIGINT, SIGTERM or SIGHUP; returns the function that stops listening. */
  onSignal(handler: (signal: StopSignal) => void): () => void;
  /** Leaves at once (a second Ctrl-C). */
  exit(code: number): never;
  /** Why stdout could not be written (disk full, I/O error), if it could not; EPIPE is not a failure. */
  outputFailure?(): string | null;
}

export function processIO(env: NodeJS.ProcessEnv, opts: { noColor?: boolean } = {}): IO {
  // `wa-send status … | head` closes the pipe early: that is the reader being done, not an error.
  // Any other write error (ENOSPC on a full disk, EIO) must not kill a send run half-way either:
  // it is remembered, and main() reports it in one line and a non-zero exit once the command is done.
  let failure: string | null = null;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') failure ??= `cannot write to stdout: ${err.code ?? err.message}`;
  });
  process.stderr.on('error', () => {
    /* nowhere left to report it */
  });
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: () => process.stdin,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    color: new Chalk({ level: wantsColor(env, stderrIsTTY, opts.noColor) ? 1 : 0 }),
    quiet: false,
    verbose: false,
    outputFailure: () => failure,
    confirm: (question) => askOnTerminal(question),
    onSignal(handler) {
      for (const s of STOP_SIGNALS) process.on(s, handler);
      return () => {
        for (const s of STOP_SIGNALS) process.off(s, handler);
      };
    },
    exit: (code) => process.exit(code),
  };
}

/** chalk does not look at NO_COLOR itself; colour only when a human is watching stderr (no-color.org: a non-empty NO_COLOR). */
export function wantsColor(env: NodeJS.ProcessEnv, stderrIsTTY: boolean, noColorFlag = false): boolean {
  return stderrIsTTY && !noColorFlag && !env.NO_COLOR && env.TERM !== 'dumb';
}

function askOnTerminal(question: string): Promise<Answer> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let settled = false;
    const done = (answer: Answer) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(answer);
    };
    // The terminal is in raw mode while reading: Ctrl-C arrives here, not as a signal.
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      done('interrupted');
    });
    rl.on('close', () => done('no')); // Ctrl-D or the end of input
    rl.question(`${question} [y/N] `, (answer) => done(/^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no'));
  });
}

export function printLine(sink: TextSink, line = ''): void {
  sink.write(`${line}\n`);
}

export function printJson(io: IO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A "wa-send: …" line on stderr: the one line a non-zero exit prints, or a warning. */
export function errorOut(io: IO, text: string): void {
  io.stderr.write(`wa-send: ${printable(text)}\n`);
}

/** Progress and notices on stderr, silenced by --quiet. */
export function note(io: IO, line: string): void {
  if (!io.quiet) io.stderr.write(`${line}\n`);
}

const LINE_MAX = 2000;

/**
 * Error text often quotes the input (a header, a cell, a broadcast name): one line, no terminal
 * control sequences (an ESC from a hostile CSV must not clear the operator's screen), bounded length.
 */
export function printable(text: string): string {
  const flat = text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return flat.length > LINE_MAX ? `${flat.slice(0, LINE_MAX - 1)}…` : flat;
}
