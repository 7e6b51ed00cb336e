// An IO for running main() in process: captured stdout/stderr, a scripted terminal, signals sent
// by the test, and exit() that throws instead of ending the test runner.

import { Readable } from 'node:stream';
import { Chalk } from 'chalk';
import type { Answer, IO, StopSignal } from '../../src/cli/io.js';

export class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit(${code})`);
  }
}

export interface MemoryIO extends IO {
  out(): string;
  err(): string;
  /** Delivers a signal as the process would (to every listener). */
  signal(s: StopSignal): void;
  /** Questions asked on the "terminal". */
  questions: string[];
}

export interface MemoryIOOptions {
  stdin?: string;
  /** stdin and stderr are terminals. */
  tty?: boolean;
  /** Answers to confirmation questions, in order (default 'no'). */
  answers?: Answer[];
  /** Called when stderr receives text (for tests that act on a line). */
  onStderr?: (text: string) => void;
}

export function memoryIO(opts: MemoryIOOptions = {}): MemoryIO {
  let out = '';
  let err = '';
  const listeners = new Set<(s: StopSignal) => void>();
  const answers = [...(opts.answers ?? [])];
  const questions: string[] = [];
  return {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
        opts.onStderr?.(s);
        return true;
      },
    },
    stdin: () => Readable.from([Buffer.from(opts.stdin ?? '')]),
    stdoutIsTTY: false,
    stderrIsTTY: Boolean(opts.tty),
    stdinIsTTY: Boolean(opts.tty),
    color: new Chalk({ level: 0 }),
    quiet: false,
    verbose: false,
    async confirm(question) {
      questions.push(question);
      return answers.shift() ?? 'no';
    },
    onSignal(handler) {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },
    exit(code): never {
      throw new ExitCalled(code);
    },
    out: () => out,
    err: () => err,
    signal: (s) => {
      for (const l of [...listeners]) l(s);
    },
    questions,
  };
}
