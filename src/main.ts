// Entry point: builds the command tree (definitions only: each command's code loads when it runs),
// runs one command, and maps whatever it threw to an exit code (src/cli/outcome.ts).

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { Action, Bind } from './cli/commands/action.js';
import { COMMANDS } from './cli/commands/index.js';
import { buildContext, type GlobalOptions } from './cli/context.js';
import { errorOut, type IO, printable, processIO } from './cli/io.js';
import { EXIT, errorVerdict } from './cli/outcome.js';
import type { Clock } from './core/clock.js';

export interface MainOptions {
  /** Tests: a virtual clock. */
  clock?: Clock;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, ioOverride?: IO, opts: MainOptions = {}): Promise<number> {
  const io = ioOverride ?? processIO(env, { noColor: argv.includes('--no-color') });
  let exitCode: number = EXIT.ok;

  const program = new Command('wa-send')
    .description('Send WhatsApp broadcasts through the Cloud API, crash-safe and resumable.')
    .version(version(), '-V, --version')
    .option(
      '--journal <path|url>',
      'journal file or postgres:// URL (env WA_SEND_JOURNAL; default ~/.local/share/wa-send/journal.db)',
    )
    .option('--env-file <path>', 'read environment variables (credentials) from this file')
    .option('--config <file>', 'profiles file (default $XDG_CONFIG_HOME/wa-send/config.toml)')
    .option('--profile <name>', 'send with this profile of the config file (env WA_SEND_PROFILE)')
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

  const bind: Bind =
    (load) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const ctx = buildContext(io, env, command.optsWithGlobals() as GlobalOptions, opts.clock);
      const action: Action = await load();
      exitCode = await action(ctx, ...args.slice(0, -1));
    };
  for (const register of COMMANDS) register(program, bind);

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
    if (thrown instanceof CommanderError) {
      // Commander already printed its message (one line). Help and version are successes.
      if (thrown.code === 'commander.helpDisplayed' || thrown.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    const verdict = errorVerdict(thrown);
    errorOut(io, verdict.line ?? 'failed');
    if (io.verbose && thrown instanceof Error && thrown.stack) io.stderr.write(`${thrown.stack}\n`);
    return verdict.code;
  }
}

/** The version is package.json's, read once (dist/main.js sits one level below it, like src/main.ts). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
