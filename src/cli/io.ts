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
}

export function processIO(env: NodeJS.ProcessEnv, opts: { noColor?: boolean } = {}): IO {
  // `wa-send status … | head` closes the pipe early: that is the reader being done, not an error.
  // Output is dropped from then on; a send run in progress carries on and journals as usual.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE') throw err; });
  }
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

/** Progress and notices on stderr, silenced by --quiet. */
export function note(io: IO, line: string): void {
  if (!io.quiet) io.stderr.write(`${line}\n`);
}
