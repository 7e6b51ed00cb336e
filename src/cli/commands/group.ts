// A command that only groups subcommands (optout, journal): called alone or with a subcommand that
// does not exist, it exits 2 with the contract's one line (commander would print its help, or a
// "too many arguments" that names nothing useful).
import type { Command } from 'commander';
import { closest } from '../../config/suggest.js';
import { usageError } from '../../core/errors.js';
import type { Bind } from './action.js';

export function commandGroup(program: Command, name: string, description: string, bind: Bind): Command {
  const group = program.command(name).description(description).argument('[subcommand]');
  group.action(
    bind(async () => async (_ctx, given: string | undefined) => {
      const names = group.commands.map((c) => c.name());
      const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
      if (given === undefined) throw usageError(`${name} needs a subcommand: ${list}`, `e.g. wa-send ${name} ${names[0]}`);
      const guess = closest(given, names);
      throw usageError(`${name} has no subcommand "${given}"${guess ? ` (did you mean ${guess}?)` : ''}; it has ${list}`);
    }),
  );
  return group;
}
