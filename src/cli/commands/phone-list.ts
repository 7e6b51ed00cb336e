// wa-send optout|optin add|remove|list|import: the two lists of numbers share their subcommands and
// flags (src/cli/phone-lists.ts says what differs); the opt-in list also records where consent came from.
import type { Command } from 'commander';
import { DEFAULT_COUNTRY_OPTION } from '../message-flags.js';
import { percent } from '../parse.js';
import { PHONE_LISTS, type PhoneListKind } from '../phone-lists.js';
import type { Bind, Register } from './action.js';
import { commandGroup } from './group.js';

export const registerOptout: Register = (program, bind) => registerPhoneList(program, bind, 'optout');
export const registerOptin: Register = (program, bind) => registerPhoneList(program, bind, 'optin');

function registerPhoneList(program: Command, bind: Bind, kind: PhoneListKind): void {
  const list = PHONE_LISTS[kind];
  const group = commandGroup(program, kind, list.about, bind);
  const action = (name: 'add' | 'remove' | 'list' | 'import') =>
    bind(async () => (await import('../actions/phone-list.js')).phoneListAction(kind, name));

  const add = group
    .command('add')
    .description(`add numbers to ${list.title} (all or none: an invalid one adds nothing)`)
    .argument('<phone...>')
    .option(...DEFAULT_COUNTRY_OPTION);
  if (list.provenance) withProvenance(add, 'manual', 'none');
  add.action(action('add'));

  group
    .command('remove')
    .description(`remove numbers from ${list.title}`)
    .argument('<phone...>')
    .option(...DEFAULT_COUNTRY_OPTION)
    .action(action('remove'));

  group
    .command('list')
    .description(`print ${list.title}`)
    .option('--json', 'a JSON array of {phone, source, detail, created_at}')
    .action(action('list'));

  const importCommand = group
    .command('import')
    .description(`add every number of a CSV file, or - for standard input, to ${list.title} (source "import")`)
    .argument('<csv>')
    .option('--phone-column <name>', 'the column holding the numbers (default: detect)')
    .option(...DEFAULT_COUNTRY_OPTION)
    .option(
      '--max-invalid <pct>',
      'refuse to import when more than this % of rows are not valid numbers',
      percent('--max-invalid'),
      20,
    )
    .option('--json', 'print the counts as JSON');
  if (list.provenance) withProvenance(importCommand, 'import', 'the file name');
  importCommand.action(action('import'));
}

function withProvenance(command: Command, source: string, detail: string): void {
  command
    .option('--source <name>', `where the consent came from, e.g. signup-form (default "${source}")`)
    .option('--detail <text>', `the proof: a form id, a message, a reference (default: ${detail})`);
}
