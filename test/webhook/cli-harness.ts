// Runs one registered command in-process, the way src/main.ts does (commander + wrap + context),
// with buffers for stdout/stderr. Independent of the command list in src/cli/commands.ts.
import { Chalk } from 'chalk';
import { Command, CommanderError } from 'commander';
import { buildContext, type GlobalOptions } from '../../src/cli/context.js';
import { errorLine, exitCodeFor } from '../../src/cli/exit-codes.js';
import type { IO } from '../../src/cli/io.js';
import type { Wrap } from '../../src/main.js';

export interface RunResult { code: number; stdout: string; stderr: string }
export type Register = (program: Command, wrap: Wrap) => void;

export function bufferIO(): IO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    stdoutIsTTY: false, stderrIsTTY: false, stdinIsTTY: false,
    color: new Chalk({ level: 0 }), quiet: false, verbose: false,
    confirm: async () => false,
  };
}

export async function runCommand(register: Register, argv: string[], env: NodeJS.ProcessEnv, io = bufferIO()): Promise<RunResult> {
  let code = 0;
  const program = new Command('wa-send').exitOverride()
    .option('--journal <path>').option('-q, --quiet').option('-v, --verbose')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const wrap: Wrap = (action) => async (...args: any[]) => {
    const command = args[args.length - 1] as Command;
    code = await action(buildContext(io, env, command.optsWithGlobals() as GlobalOptions), ...args.slice(0, -1));
  };
  register(program, wrap);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) code = 2;
    else {
      io.stderr.write(`${errorLine(err)}\n`);
      code = exitCodeFor(err);
    }
  }
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}
