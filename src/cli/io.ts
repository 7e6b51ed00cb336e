// One IO object: streams, TTY flags and a colour instance travel together, so commands never touch
// process.stdout directly and tests can pass buffers.
import { Chalk, type ChalkInstance } from 'chalk';
import { createInterface } from 'node:readline/promises';

export interface TextSink { write(chunk: string): unknown }

export interface IO {
  stdout: TextSink;
  stderr: TextSink;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  color: ChalkInstance;
  quiet: boolean;
  verbose: boolean;
  /** Asks a yes/no question on the terminal; only called when stdin is a TTY. */
  confirm(question: string): Promise<boolean>;
  /** Why stdout could not be written (disk full, I/O error), if it could not; EPIPE is not a failure. */
  outputFailure?(): string | null;
}

export function processIO(env: NodeJS.ProcessEnv, opts: { noColor?: boolean } = {}): IO {
  // `wa-send status … | head` closes the pipe early: that is the reader being done, not an error.
  // Output is dropped from then on; a send run in progress carries on and journals as usual.
  // Any other write error (ENOSPC on a full disk, EIO) must not kill a send run half-way either:
  // it is remembered, and main() reports it in one line and a non-zero exit once the command is done.
  let failure: string | null = null;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') failure ??= `cannot write to stdout: ${err.code ?? err.message}`;
  });
  process.stderr.on('error', () => { /* nowhere left to report it */ });
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  // chalk does not look at NO_COLOR itself; colour only when a human is watching stderr.
  const wantColor = stderrIsTTY && !opts.noColor && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    color: new Chalk({ level: wantColor ? 1 : 0 }),
    quiet: false,
    verbose: false,
    outputFailure: () => failure,
    async confirm(question: string): Promise<boolean> {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}

export function printLine(sink: TextSink, line = ''): void {
  sink.write(`${line}\n`);
}

export function printJson(io: IO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A "wa-send: …" line on stderr: the one line a non-zero exit prints, or a warning. */
export function errorOut(io: IO, text: string): void {
  io.stderr.write(`wa-send: ${text}\n`);
}

/** Progress and notices on stderr, silenced by --quiet. */
export function note(io: IO, line: string): void {
  if (!io.quiet) io.stderr.write(`${line}\n`);
}

const LINE_MAX = 2000;

/**
 * Error text often quotes the input (a header, a cell): one line, no terminal control sequences
 * (an ESC from a hostile CSV must not clear the operator's screen), and of bounded length.
 */
export function printable(text: string): string {
  const flat = text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return flat.length > LINE_MAX ? `${flat.slice(0, LINE_MAX - 1)}…` : flat;
}
