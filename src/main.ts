// Entry point: builds the command tree, runs one command, maps whatever it threw to an exit code.
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './cli/commands.js';
import { buildContext, type Context, type GlobalOptions } from './cli/context.js';
import { asWaSendError, EXIT, errorLine, exitCodeFor } from './cli/exit-codes.js';
import { errorOut, printable, processIO, type IO } from './cli/io.js';

/** A command's action: gets the context and commander's arguments, returns the exit code. */
export type Action = (ctx: Context, ...args: any[]) => Promise<number>;
export type Wrap = (action: Action) => (...args: any[]) => Promise<void>;

export async function main(argv: string[], env: NodeJS.ProcessEnv, ioOverride?: IO): Promise<number> {
  const io = ioOverride ?? processIO(env, { noColor: argv.includes('--no-color') });
  let exitCode: number = EXIT.ok;

  const program = new Command('wa-send')
    .description('Send WhatsApp broadcasts through the Cloud API, crash-safe and resumable.')
    .version(VERSION, '-V, --version')
    .option('--journal <path>', 'journal file (env WA_SEND_JOURNAL; default ~/.local/share/wa-send/journal.db)')
    .option('--env-file <path>', 'read environment variables (credentials) from this file')
    .option('-q, --quiet', 'no progress output')
    .option('-v, --verbose', 'more detail on stderr')
    .option('--no-color', 'no colours')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's message may span lines ("(Did you mean …?)"): the contract is one line.
      outputError: (s, write) => write(`wa-send: ${printable(s.replace(/^error: /, '').trim())}\n`),
    });

  const wrap: Wrap = (action) => async (...args: any[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = buildContext(io, env, command.optsWithGlobals() as GlobalOptions);
    exitCode = await action(ctx, ...args.slice(0, -1));
  };
  for (const register of COMMANDS) register(program, wrap);

  if (argv.every((a) => a.startsWith('-')) && !argv.some((a) => ['-h', '--help', '-V', '--version'].includes(a))) {
    // No command: the help is what a person wants to read; stderr keeps to its one line.
    program.outputHelp();
    errorOut(io, 'no command given — pick one of the commands above (wa-send <command> --help for its flags)');
    return EXIT.usage;
  }
  const code = await runParsed(program, argv, io, () => exitCode);
  // Write errors on stdout surface as events after the writes: let them arrive before judging.
  await new Promise((resolve) => setImmediate(resolve));
  const failure = io.outputFailure?.() ?? null;
  if (failure === null) return code;
  errorOut(io, failure);
  return code === EXIT.ok ? EXIT.internal : code;
}

async function runParsed(program: Command, argv: string[], io: IO, exitCode: () => number): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (thrown) {
    const err = asWaSendError(thrown);
    if (err instanceof CommanderError) {
      // Commander already printed its message (one line). Help and version are successes.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    io.stderr.write(`${errorLine(err)}\n`);
    if (io.verbose && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return exitCodeFor(err);
  }
}

const VERSION = '0.1.0';
